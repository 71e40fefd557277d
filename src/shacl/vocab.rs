//! IRIs of the SHACL vocabulary (and a few others) used by the engine.

use oxrdf::NamedNodeRef;

/// The SHACL namespace.
pub const SH: &str = "http://www.w3.org/ns/shacl#";

macro_rules! iris {
    ($($name:ident = $iri:literal;)*) => {
        $(pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked($iri);)*
    };
}

/// Terms of the `sh:` namespace.
pub mod sh {
    use super::NamedNodeRef;

    iris! {
        // Shapes, targets and shape parameters.
        NODE_SHAPE = "http://www.w3.org/ns/shacl#NodeShape";
        PROPERTY_SHAPE = "http://www.w3.org/ns/shacl#PropertyShape";
        TARGET_NODE = "http://www.w3.org/ns/shacl#targetNode";
        TARGET_CLASS = "http://www.w3.org/ns/shacl#targetClass";
        TARGET_SUBJECTS_OF = "http://www.w3.org/ns/shacl#targetSubjectsOf";
        TARGET_OBJECTS_OF = "http://www.w3.org/ns/shacl#targetObjectsOf";
        SEVERITY = "http://www.w3.org/ns/shacl#severity";
        MESSAGE = "http://www.w3.org/ns/shacl#message";
        DEACTIVATED = "http://www.w3.org/ns/shacl#deactivated";
        PATH = "http://www.w3.org/ns/shacl#path";
        // Non-validating property shape characteristics (read by the dataset form).
        NAME = "http://www.w3.org/ns/shacl#name";
        DESCRIPTION = "http://www.w3.org/ns/shacl#description";
        ORDER = "http://www.w3.org/ns/shacl#order";
        // Paths.
        INVERSE_PATH = "http://www.w3.org/ns/shacl#inversePath";
        ALTERNATIVE_PATH = "http://www.w3.org/ns/shacl#alternativePath";
        ZERO_OR_MORE_PATH = "http://www.w3.org/ns/shacl#zeroOrMorePath";
        ONE_OR_MORE_PATH = "http://www.w3.org/ns/shacl#oneOrMorePath";
        ZERO_OR_ONE_PATH = "http://www.w3.org/ns/shacl#zeroOrOnePath";
        // Severities.
        VIOLATION = "http://www.w3.org/ns/shacl#Violation";
        WARNING = "http://www.w3.org/ns/shacl#Warning";
        INFO = "http://www.w3.org/ns/shacl#Info";
        // Node kinds.
        IRI = "http://www.w3.org/ns/shacl#IRI";
        BLANK_NODE = "http://www.w3.org/ns/shacl#BlankNode";
        LITERAL = "http://www.w3.org/ns/shacl#Literal";
        BLANK_NODE_OR_IRI = "http://www.w3.org/ns/shacl#BlankNodeOrIRI";
        BLANK_NODE_OR_LITERAL = "http://www.w3.org/ns/shacl#BlankNodeOrLiteral";
        IRI_OR_LITERAL = "http://www.w3.org/ns/shacl#IRIOrLiteral";
        // Core constraint parameters.
        CLASS = "http://www.w3.org/ns/shacl#class";
        DATATYPE = "http://www.w3.org/ns/shacl#datatype";
        NODE_KIND = "http://www.w3.org/ns/shacl#nodeKind";
        MIN_COUNT = "http://www.w3.org/ns/shacl#minCount";
        MAX_COUNT = "http://www.w3.org/ns/shacl#maxCount";
        MIN_EXCLUSIVE = "http://www.w3.org/ns/shacl#minExclusive";
        MIN_INCLUSIVE = "http://www.w3.org/ns/shacl#minInclusive";
        MAX_EXCLUSIVE = "http://www.w3.org/ns/shacl#maxExclusive";
        MAX_INCLUSIVE = "http://www.w3.org/ns/shacl#maxInclusive";
        MIN_LENGTH = "http://www.w3.org/ns/shacl#minLength";
        MAX_LENGTH = "http://www.w3.org/ns/shacl#maxLength";
        PATTERN = "http://www.w3.org/ns/shacl#pattern";
        FLAGS = "http://www.w3.org/ns/shacl#flags";
        LANGUAGE_IN = "http://www.w3.org/ns/shacl#languageIn";
        UNIQUE_LANG = "http://www.w3.org/ns/shacl#uniqueLang";
        EQUALS = "http://www.w3.org/ns/shacl#equals";
        DISJOINT = "http://www.w3.org/ns/shacl#disjoint";
        LESS_THAN = "http://www.w3.org/ns/shacl#lessThan";
        LESS_THAN_OR_EQUALS = "http://www.w3.org/ns/shacl#lessThanOrEquals";
        NOT = "http://www.w3.org/ns/shacl#not";
        AND = "http://www.w3.org/ns/shacl#and";
        OR = "http://www.w3.org/ns/shacl#or";
        XONE = "http://www.w3.org/ns/shacl#xone";
        NODE = "http://www.w3.org/ns/shacl#node";
        PROPERTY = "http://www.w3.org/ns/shacl#property";
        QUALIFIED_VALUE_SHAPE = "http://www.w3.org/ns/shacl#qualifiedValueShape";
        QUALIFIED_MIN_COUNT = "http://www.w3.org/ns/shacl#qualifiedMinCount";
        QUALIFIED_MAX_COUNT = "http://www.w3.org/ns/shacl#qualifiedMaxCount";
        QUALIFIED_VALUE_SHAPES_DISJOINT = "http://www.w3.org/ns/shacl#qualifiedValueShapesDisjoint";
        CLOSED = "http://www.w3.org/ns/shacl#closed";
        IGNORED_PROPERTIES = "http://www.w3.org/ns/shacl#ignoredProperties";
        HAS_VALUE = "http://www.w3.org/ns/shacl#hasValue";
        IN = "http://www.w3.org/ns/shacl#in";
        // Core constraint components.
        CLASS_COMPONENT = "http://www.w3.org/ns/shacl#ClassConstraintComponent";
        DATATYPE_COMPONENT = "http://www.w3.org/ns/shacl#DatatypeConstraintComponent";
        NODE_KIND_COMPONENT = "http://www.w3.org/ns/shacl#NodeKindConstraintComponent";
        MIN_COUNT_COMPONENT = "http://www.w3.org/ns/shacl#MinCountConstraintComponent";
        MAX_COUNT_COMPONENT = "http://www.w3.org/ns/shacl#MaxCountConstraintComponent";
        MIN_EXCLUSIVE_COMPONENT = "http://www.w3.org/ns/shacl#MinExclusiveConstraintComponent";
        MIN_INCLUSIVE_COMPONENT = "http://www.w3.org/ns/shacl#MinInclusiveConstraintComponent";
        MAX_EXCLUSIVE_COMPONENT = "http://www.w3.org/ns/shacl#MaxExclusiveConstraintComponent";
        MAX_INCLUSIVE_COMPONENT = "http://www.w3.org/ns/shacl#MaxInclusiveConstraintComponent";
        MIN_LENGTH_COMPONENT = "http://www.w3.org/ns/shacl#MinLengthConstraintComponent";
        MAX_LENGTH_COMPONENT = "http://www.w3.org/ns/shacl#MaxLengthConstraintComponent";
        PATTERN_COMPONENT = "http://www.w3.org/ns/shacl#PatternConstraintComponent";
        LANGUAGE_IN_COMPONENT = "http://www.w3.org/ns/shacl#LanguageInConstraintComponent";
        UNIQUE_LANG_COMPONENT = "http://www.w3.org/ns/shacl#UniqueLangConstraintComponent";
        EQUALS_COMPONENT = "http://www.w3.org/ns/shacl#EqualsConstraintComponent";
        DISJOINT_COMPONENT = "http://www.w3.org/ns/shacl#DisjointConstraintComponent";
        LESS_THAN_COMPONENT = "http://www.w3.org/ns/shacl#LessThanConstraintComponent";
        LESS_THAN_OR_EQUALS_COMPONENT = "http://www.w3.org/ns/shacl#LessThanOrEqualsConstraintComponent";
        NOT_COMPONENT = "http://www.w3.org/ns/shacl#NotConstraintComponent";
        AND_COMPONENT = "http://www.w3.org/ns/shacl#AndConstraintComponent";
        OR_COMPONENT = "http://www.w3.org/ns/shacl#OrConstraintComponent";
        XONE_COMPONENT = "http://www.w3.org/ns/shacl#XoneConstraintComponent";
        NODE_COMPONENT = "http://www.w3.org/ns/shacl#NodeConstraintComponent";
        PROPERTY_COMPONENT = "http://www.w3.org/ns/shacl#PropertyConstraintComponent";
        QUALIFIED_MIN_COUNT_COMPONENT = "http://www.w3.org/ns/shacl#QualifiedMinCountConstraintComponent";
        QUALIFIED_MAX_COUNT_COMPONENT = "http://www.w3.org/ns/shacl#QualifiedMaxCountConstraintComponent";
        CLOSED_COMPONENT = "http://www.w3.org/ns/shacl#ClosedConstraintComponent";
        HAS_VALUE_COMPONENT = "http://www.w3.org/ns/shacl#HasValueConstraintComponent";
        IN_COMPONENT = "http://www.w3.org/ns/shacl#InConstraintComponent";
        SPARQL_COMPONENT = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent";
        // SHACL-SPARQL.
        SPARQL = "http://www.w3.org/ns/shacl#sparql";
        SELECT = "http://www.w3.org/ns/shacl#select";
        ASK = "http://www.w3.org/ns/shacl#ask";
        PREFIXES = "http://www.w3.org/ns/shacl#prefixes";
        DECLARE = "http://www.w3.org/ns/shacl#declare";
        PREFIX = "http://www.w3.org/ns/shacl#prefix";
        NAMESPACE = "http://www.w3.org/ns/shacl#namespace";
        CONSTRAINT_COMPONENT = "http://www.w3.org/ns/shacl#ConstraintComponent";
        PARAMETER = "http://www.w3.org/ns/shacl#parameter";
        OPTIONAL = "http://www.w3.org/ns/shacl#optional";
        VALIDATOR = "http://www.w3.org/ns/shacl#validator";
        NODE_VALIDATOR = "http://www.w3.org/ns/shacl#nodeValidator";
        PROPERTY_VALIDATOR = "http://www.w3.org/ns/shacl#propertyValidator";
        // Validation reports.
        VALIDATION_REPORT = "http://www.w3.org/ns/shacl#ValidationReport";
        VALIDATION_RESULT = "http://www.w3.org/ns/shacl#ValidationResult";
        CONFORMS = "http://www.w3.org/ns/shacl#conforms";
        RESULT = "http://www.w3.org/ns/shacl#result";
        FOCUS_NODE = "http://www.w3.org/ns/shacl#focusNode";
        RESULT_PATH = "http://www.w3.org/ns/shacl#resultPath";
        VALUE = "http://www.w3.org/ns/shacl#value";
        SOURCE_SHAPE = "http://www.w3.org/ns/shacl#sourceShape";
        SOURCE_CONSTRAINT = "http://www.w3.org/ns/shacl#sourceConstraint";
        SOURCE_CONSTRAINT_COMPONENT = "http://www.w3.org/ns/shacl#sourceConstraintComponent";
        RESULT_SEVERITY = "http://www.w3.org/ns/shacl#resultSeverity";
        RESULT_MESSAGE = "http://www.w3.org/ns/shacl#resultMessage";
    }
}

/// `owl:imports`, followed when collecting SPARQL prefix declarations.
pub const OWL_IMPORTS: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#imports");
