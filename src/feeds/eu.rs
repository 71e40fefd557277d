//! The EU export profile: rewrites a DCAT-AP-SE 3.0.1 catalogue document into what the EU
//! DCAT-AP 3.0.1 SHACL shapes (SEMIC, `releases/3.0.1/html/shacl`: base, ranges and controlled
//! vocabularies) accept, so that data.europa.eu can harvest what dataportal.se harvests as-is.
//!
//! The rules are data, not code: [`EuMapping`] reads them from `vocab/eu-mapping.ttl` (the `kv:`
//! terms are explained at the top of that file) and the value descriptions from the other SKOS files
//! in `vocab/`. This module knows only the `kv:` terms, `rdf:type` and the XSD datatypes.
//!
//! What the rewrite does, in order:
//! 1. literal values: media types in `dcterms:format` become EU file-type IRIs (plus a
//!    `dcat:mediaType` IANA IRI on distributions that have none); literals with a listed EU
//!    equivalent become that IRI; literals of "wrapped" properties become nodes
//!    (`adms:identifier` → `adms:Identifier`); datatypes are set (`spdx:checksumValue` →
//!    `xsd:hexBinary`); any other literal where the EU shapes require a class is dropped;
//! 2. legacy IRIs (`purl.org/cld/freq`, old availability and status IRIs, ISO 639 language IRIs)
//!    become their EU equivalents; single-valued properties keep one value, preferring one the
//!    publisher gave as-is;
//! 3. every value gets the class the EU range shapes check (`kv:objectClass`), until nothing changes
//!    (a class added here can make a subject-class rule apply);
//! 4. every vocabulary IRI the result refers to is described from `vocab/` (type, label, scheme,
//!    scheme title), so the concepts the EU shapes type-check are self-contained.
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{
    BlankNode, Graph, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Term, TermRef, Triple,
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Namespace of the mapping vocabulary (`kv:`), declared in `vocab/eu-mapping.ttl`.
const KV: &str = "https://w3id.org/katalog/vocab#";

/// Errors of [`EuMapping::load`].
#[derive(Debug, thiserror::Error)]
pub enum EuError {
    #[error("cannot list the vocabulary folder {}: {source}", dir.display())]
    ListDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse {}: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: crate::rdf::ParseError,
    },
    #[error("no EU export rules (kv:mediaType, kv:objectClass) in the Turtle files of {}", dir.display())]
    NoRules { dir: PathBuf },
}

/// The EU export rules, read once from `vocab/`.
#[derive(Debug, Clone, Default)]
pub struct EuMapping {
    /// Normalised media type literal → its EU file type and IANA IRI.
    media_types: HashMap<String, MediaTypeTarget>,
    format_property: Option<NamedNode>,
    media_type_property: Option<NamedNode>,
    media_type_subject_class: Option<NamedNode>,
    /// Legacy or Swedish IRI → EU authority IRI.
    equivalents: HashMap<NamedNode, NamedNode>,
    /// (property, normalised literal) → EU authority IRI.
    literal_equivalents: HashMap<(NamedNode, String), NamedNode>,
    /// Properties the EU shapes allow once, where mapping can produce a second value.
    single_valued: HashSet<NamedNode>,
    /// Property IRI → the classes its values need.
    ranges: HashMap<String, Vec<RangeRule>>,
    /// Property → the property that carries a wrapped literal.
    wraps: HashMap<NamedNode, NamedNode>,
    /// Property → the datatype its plain literals get.
    datatypes: HashMap<NamedNode, NamedNode>,
    /// Vocabulary IRI → the (property, value) pairs that describe it in the export.
    descriptions: HashMap<String, Vec<(NamedNode, Term)>>,
    /// A digest of the files the rules were read from: cached exports name it, so changed
    /// rules are never served from renderings made with the old ones.
    pub digest: String,
}

#[derive(Debug, Clone, Default)]
struct MediaTypeTarget {
    file_type: Option<NamedNode>,
    iana: Option<NamedNode>,
}

#[derive(Debug, Clone)]
struct RangeRule {
    class: NamedNode,
    /// Empty: the rule applies to every subject.
    subject_classes: Vec<NamedNode>,
}

impl EuMapping {
    /// Reads every `*.ttl` file of `vocab_dir` (the mapping and the SKOS vocabularies whose labels
    /// and schemes describe the values).
    pub fn load(vocab_dir: &Path) -> Result<EuMapping, EuError> {
        let mut graph = Graph::new();
        let mut digest = Sha256::new();
        for path in turtle_files(vocab_dir)? {
            let bytes = std::fs::read(&path).map_err(|source| EuError::Read {
                path: path.clone(),
                source,
            })?;
            digest.update(&bytes);
            let triples = crate::rdf::parse_graph(&bytes, oxigraph::io::RdfFormat::Turtle, None)
                .map_err(|source| EuError::Parse {
                    path: path.clone(),
                    source,
                })?;
            graph.extend(triples);
        }
        let mut mapping = EuMapping::from_graph(&graph);
        mapping.digest = hex::encode(&digest.finalize()[..8]);
        if mapping.media_types.is_empty() && mapping.ranges.is_empty() {
            return Err(EuError::NoRules {
                dir: vocab_dir.to_owned(),
            });
        }
        Ok(mapping)
    }

    /// Reads the rules from a graph holding `vocab/eu-mapping.ttl` (and, for descriptions, the other
    /// vocabularies). Ill-formed rules (e.g. a literal where an IRI belongs) are ignored.
    pub fn from_graph(graph: &Graph) -> EuMapping {
        let describe_with: HashSet<NamedNode> =
            named_objects(graph, "describeWith").into_iter().collect();
        EuMapping {
            media_types: read_media_types(graph),
            format_property: named_objects(graph, "formatProperty").pop(),
            media_type_property: named_objects(graph, "mediaTypeProperty").pop(),
            media_type_subject_class: named_objects(graph, "mediaTypeSubjectClass").pop(),
            equivalents: read_equivalents(graph),
            literal_equivalents: read_literal_equivalents(graph),
            single_valued: read_single_valued(graph),
            ranges: read_ranges(graph),
            wraps: read_property_rules(graph, "wrapLiteralWith"),
            datatypes: read_property_rules(graph, "literalDatatype"),
            descriptions: read_descriptions(graph, &describe_with),
            digest: String::new(),
        }
    }

    /// The rewritten form of one input triple (none, one or several triples).
    fn rewrite(&self, triple: &Triple, input: &Input<'_>) -> Vec<Triple> {
        match &triple.object {
            Term::Literal(literal) => self.rewrite_literal(triple, literal, input),
            Term::NamedNode(iri) => vec![self.rewrite_iri(triple, iri)],
            _ => vec![triple.clone()],
        }
    }

    fn rewrite_iri(&self, triple: &Triple, iri: &NamedNode) -> Triple {
        let object = self.equivalents.get(iri).unwrap_or(iri);
        Triple::new(
            triple.subject.clone(),
            triple.predicate.clone(),
            object.clone(),
        )
    }

    fn rewrite_literal(
        &self,
        triple: &Triple,
        literal: &Literal,
        input: &Input<'_>,
    ) -> Vec<Triple> {
        let (subject, property) = (&triple.subject, &triple.predicate);
        if let Some(triples) = self.media_type_triples(subject, property, literal, input) {
            return triples;
        }
        let key = (property.clone(), normalise(literal.value()));
        if let Some(eu) = self.literal_equivalents.get(&key) {
            return vec![Triple::new(subject.clone(), property.clone(), eu.clone())];
        }
        if let Some(carrier) = self.wraps.get(property) {
            return wrap_literal(subject, property, literal, carrier);
        }
        if let Some(datatype) = self.datatypes.get(property) {
            let value = with_datatype(literal, datatype.as_ref());
            return vec![Triple::new(subject.clone(), property.clone(), value)];
        }
        if self.requires_class(property, &input.types, subject) {
            // No rule turns it into a resource, and a literal can never have the class the EU
            // range shapes require (e.g. a media type katalog does not know).
            return Vec::new();
        }
        vec![triple.clone()]
    }

    /// For a known media type in the format property: the EU file type and, on distributions
    /// without one, the IANA media type. A media type literal in the media type property becomes
    /// the IANA IRI. None when the property or the media type is not one of these.
    fn media_type_triples(
        &self,
        subject: &NamedOrBlankNode,
        property: &NamedNode,
        literal: &Literal,
        input: &Input<'_>,
    ) -> Option<Vec<Triple>> {
        let is_format = self.format_property.as_ref() == Some(property);
        let is_media_type = self.media_type_property.as_ref() == Some(property);
        if !is_format && !is_media_type {
            return None;
        }
        let target = self.media_types.get(&media_type_key(literal.value()))?;
        let mut triples = Vec::new();
        if let (true, Some(file_type)) = (is_format, &target.file_type) {
            triples.push(Triple::new(
                subject.clone(),
                property.clone(),
                file_type.clone(),
            ));
        }
        let wanted = is_media_type || self.lacks_media_type(subject, input);
        if let (true, Some(iana), Some(media_type_property)) =
            (wanted, &target.iana, &self.media_type_property)
        {
            triples.push(Triple::new(
                subject.clone(),
                media_type_property.clone(),
                iana.clone(),
            ));
        }
        Some(triples)
    }

    /// Whether the subject should get a media type derived from its format: it has none and it is
    /// of the class media types belong to (DCAT: distributions, not data services).
    fn lacks_media_type(&self, subject: &NamedOrBlankNode, input: &Input<'_>) -> bool {
        let Some(property) = &self.media_type_property else {
            return false;
        };
        let has_class = match &self.media_type_subject_class {
            Some(class) => input.types.has(subject, class),
            None => true,
        };
        has_class && !input.has_value(subject, property)
    }

    fn requires_class(
        &self,
        property: &NamedNode,
        types: &Types,
        subject: &NamedOrBlankNode,
    ) -> bool {
        self.ranges
            .get(property.as_str())
            .is_some_and(|rules| rules.iter().any(|rule| rule.applies_to(types, subject)))
    }

    /// Keeps one value of each single-valued property: one the publisher gave as-is if there is
    /// one (a current value wins over a mapped legacy one), then the first in term order.
    fn keep_single_values(&self, output: &mut HashSet<Triple>, input: &Input<'_>) {
        let mut values: HashMap<(NamedOrBlankNode, NamedNode), Vec<Term>> = HashMap::new();
        for triple in output
            .iter()
            .filter(|t| self.single_valued.contains(&t.predicate))
        {
            let key = (triple.subject.clone(), triple.predicate.clone());
            values.entry(key).or_default().push(triple.object.clone());
        }
        for ((subject, property), mut objects) in values {
            let statement = |object: Term| Triple::new(subject.clone(), property.clone(), object);
            objects.sort_by_key(|o| {
                (
                    !input.triples.contains(&statement(o.clone())),
                    o.to_string(),
                )
            });
            for object in objects.into_iter().skip(1) {
                output.remove(&statement(object));
            }
        }
    }

    /// Adds the classes the EU range shapes check. A class added here can make a rule that
    /// depends on the subject's class apply (a publisher becomes a foaf:Agent, then its
    /// dcterms:type needs skos:Concept), so this repeats while such classes are added.
    fn add_classes(&self, output: &mut HashSet<Triple>) {
        let mut types = Types::of(output.iter());
        loop {
            let missing = self.missing_classes(output, &types);
            let enables_more = missing.iter().any(|t| self.is_subject_condition(&t.object));
            for triple in missing {
                types.add(&triple);
                output.insert(triple);
            }
            if !enables_more {
                return;
            }
        }
    }

    fn missing_classes(&self, output: &HashSet<Triple>, types: &Types) -> HashSet<Triple> {
        let mut missing = HashSet::new();
        for triple in output {
            let Some(rules) = self.ranges.get(triple.predicate.as_str()) else {
                continue;
            };
            let value: NamedOrBlankNode = match &triple.object {
                Term::NamedNode(n) => n.clone().into(),
                Term::BlankNode(b) => b.clone().into(),
                _ => continue,
            };
            for rule in rules {
                if rule.applies_to(types, &triple.subject) && !types.has(&value, &rule.class) {
                    missing.insert(Triple::new(value.clone(), rdf::TYPE, rule.class.clone()));
                }
            }
        }
        missing
    }

    fn is_subject_condition(&self, class: &Term) -> bool {
        let Term::NamedNode(class) = class else {
            return false;
        };
        self.ranges
            .values()
            .flatten()
            .any(|rule| rule.subject_classes.contains(class))
    }

    /// Describes every vocabulary IRI the output refers to, and (through `skos:inScheme`) the
    /// schemes of those, from the vocabulary files.
    fn add_descriptions(&self, output: &mut HashSet<Triple>) {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut queue: Vec<&str> = output
            .iter()
            .filter_map(|t| self.described_iri(&t.object))
            .collect();
        let mut added = Vec::new();
        while let Some(iri) = queue.pop() {
            if !seen.insert(iri) {
                continue;
            }
            let subject = NamedNode::new_unchecked(iri);
            for (property, value) in &self.descriptions[iri] {
                added.push(Triple::new(
                    subject.clone(),
                    property.clone(),
                    value.clone(),
                ));
                queue.extend(self.described_iri(value));
            }
        }
        output.extend(added);
    }

    /// The IRI of a term, as stored among the descriptions, when there is a description of it.
    fn described_iri(&self, term: &Term) -> Option<&str> {
        let Term::NamedNode(iri) = term else {
            return None;
        };
        self.descriptions
            .get_key_value(iri.as_str())
            .map(|(key, _)| key.as_str())
    }
}

impl RangeRule {
    fn applies_to(&self, types: &Types, subject: &NamedOrBlankNode) -> bool {
        self.subject_classes.is_empty()
            || self.subject_classes.iter().any(|c| types.has(subject, c))
    }
}

/// The classes of resources (rdf:type), for quick lookups.
#[derive(Debug, Default)]
struct Types(HashMap<NamedOrBlankNode, HashSet<NamedNode>>);

impl Types {
    fn of<'a>(triples: impl Iterator<Item = &'a Triple>) -> Types {
        let mut types = Types::default();
        for triple in triples {
            types.add(triple);
        }
        types
    }

    /// Records the triple if it is an rdf:type statement.
    fn add(&mut self, triple: &Triple) {
        if let (true, Term::NamedNode(class)) = (triple.predicate == rdf::TYPE, &triple.object) {
            self.0
                .entry(triple.subject.clone())
                .or_default()
                .insert(class.clone());
        }
    }

    fn has(&self, resource: &NamedOrBlankNode, class: &NamedNode) -> bool {
        self.0
            .get(resource)
            .is_some_and(|classes| classes.contains(class))
    }
}

/// What the rewrite needs to know about the input document.
struct Input<'a> {
    triples: HashSet<&'a Triple>,
    types: Types,
    /// (subject, property) pairs that have a value.
    values: HashSet<(&'a NamedOrBlankNode, &'a NamedNode)>,
}

impl<'a> Input<'a> {
    fn new(triples: &'a [Triple]) -> Input<'a> {
        Input {
            triples: triples.iter().collect(),
            types: Types::of(triples.iter()),
            values: triples.iter().map(|t| (&t.subject, &t.predicate)).collect(),
        }
    }

    fn has_value(&self, subject: &NamedOrBlankNode, property: &NamedNode) -> bool {
        self.values.contains(&(subject, property))
    }
}

/// Rewrites a DCAT-AP-SE graph (one catalogue document: catalogue + records) into what the
/// EU DCAT-AP 3.0.1 shapes accept. Pure function; the output order is not specified.
pub fn to_dcat_ap(triples: &[Triple], mapping: &EuMapping) -> Vec<Triple> {
    let input = Input::new(triples);
    let mut output: HashSet<Triple> = triples
        .iter()
        .flat_map(|t| mapping.rewrite(t, &input))
        .collect();
    mapping.keep_single_values(&mut output, &input);
    mapping.add_classes(&mut output);
    mapping.add_descriptions(&mut output);
    output.into_iter().collect()
}

fn kv(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{KV}{local}"))
}

fn turtle_files(dir: &Path) -> Result<Vec<PathBuf>, EuError> {
    let list_error = |source| EuError::ListDir {
        dir: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(list_error)? {
        let path = entry.map_err(list_error)?.path();
        if path.extension().is_some_and(|e| e == "ttl") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// IRI objects of a `kv:` property, whatever the subject.
fn named_objects(graph: &Graph, local: &str) -> Vec<NamedNode> {
    graph
        .triples_for_predicate(&kv(local))
        .filter_map(|t| match t.object {
            TermRef::NamedNode(n) => Some(n.into_owned()),
            _ => None,
        })
        .collect()
}

fn named_value(graph: &Graph, subject: &NamedOrBlankNode, local: &str) -> Option<NamedNode> {
    match graph.object_for_subject_predicate(subject, &kv(local))? {
        TermRef::NamedNode(n) => Some(n.into_owned()),
        _ => None,
    }
}

fn named_values(graph: &Graph, subject: &NamedOrBlankNode, local: &str) -> Vec<NamedNode> {
    graph
        .objects_for_subject_predicate(subject, &kv(local))
        .filter_map(|o| match o {
            TermRef::NamedNode(n) => Some(n.into_owned()),
            _ => None,
        })
        .collect()
}

fn read_media_types(graph: &Graph) -> HashMap<String, MediaTypeTarget> {
    let mut media_types = HashMap::new();
    for triple in graph.triples_for_predicate(&kv("mediaType")) {
        let TermRef::Literal(literal) = triple.object else {
            continue;
        };
        let concept = triple.subject.into_owned();
        let target = MediaTypeTarget {
            file_type: named_value(graph, &concept, "euFileType"),
            iana: named_value(graph, &concept, "ianaMediaType"),
        };
        media_types.insert(media_type_key(literal.value()), target);
    }
    media_types
}

/// `<legacy IRI> kv:euEquivalent <EU IRI>`.
fn read_equivalents(graph: &Graph) -> HashMap<NamedNode, NamedNode> {
    let mut equivalents = HashMap::new();
    for triple in graph.triples_for_predicate(&kv("euEquivalent")) {
        if let (NamedOrBlankNode::NamedNode(from), TermRef::NamedNode(to)) =
            (triple.subject.into_owned(), triple.object)
        {
            equivalents.insert(from, to.into_owned());
        }
    }
    equivalents
}

/// `[ kv:onProperty P ; kv:literal "x" ; kv:euEquivalent <EU IRI> ]`.
fn read_literal_equivalents(graph: &Graph) -> HashMap<(NamedNode, String), NamedNode> {
    let mut equivalents = HashMap::new();
    for triple in graph.triples_for_predicate(&kv("euEquivalent")) {
        let TermRef::NamedNode(to) = triple.object else {
            continue;
        };
        let rule = triple.subject.into_owned();
        let literals: Vec<String> = graph
            .objects_for_subject_predicate(&rule, &kv("literal"))
            .filter_map(|o| match o {
                TermRef::Literal(l) => Some(normalise(l.value())),
                _ => None,
            })
            .collect();
        for property in named_values(graph, &rule, "onProperty") {
            for literal in &literals {
                equivalents.insert((property.clone(), literal.clone()), to.into_owned());
            }
        }
    }
    equivalents
}

/// `[ kv:onProperty P ; kv:singleValued true ]`.
fn read_single_valued(graph: &Graph) -> HashSet<NamedNode> {
    let mut properties = HashSet::new();
    for triple in graph.triples_for_predicate(&kv("singleValued")) {
        let TermRef::Literal(flag) = triple.object else {
            continue;
        };
        if flag.value() == "true" || flag.value() == "1" {
            properties.extend(named_values(
                graph,
                &triple.subject.into_owned(),
                "onProperty",
            ));
        }
    }
    properties
}

/// `[ kv:onProperty P ; kv:objectClass C ; kv:subjectClass S... ]`.
fn read_ranges(graph: &Graph) -> HashMap<String, Vec<RangeRule>> {
    let mut ranges: HashMap<String, Vec<RangeRule>> = HashMap::new();
    for triple in graph.triples_for_predicate(&kv("objectClass")) {
        let TermRef::NamedNode(class) = triple.object else {
            continue;
        };
        let rule = triple.subject.into_owned();
        let subject_classes = named_values(graph, &rule, "subjectClass");
        for property in named_values(graph, &rule, "onProperty") {
            ranges
                .entry(property.into_string())
                .or_default()
                .push(RangeRule {
                    class: class.into_owned(),
                    subject_classes: subject_classes.clone(),
                });
        }
    }
    ranges
}

/// `[ kv:onProperty P ; kv:<local> X ]` as P → X.
fn read_property_rules(graph: &Graph, local: &str) -> HashMap<NamedNode, NamedNode> {
    let mut rules = HashMap::new();
    for triple in graph.triples_for_predicate(&kv(local)) {
        let TermRef::NamedNode(value) = triple.object else {
            continue;
        };
        for property in named_values(graph, &triple.subject.into_owned(), "onProperty") {
            rules.insert(property, value.into_owned());
        }
    }
    rules
}

/// For every IRI of the vocabularies: its values of the `kv:describeWith` properties.
fn read_descriptions(
    graph: &Graph,
    describe_with: &HashSet<NamedNode>,
) -> HashMap<String, Vec<(NamedNode, Term)>> {
    let mut descriptions: HashMap<String, Vec<(NamedNode, Term)>> = HashMap::new();
    for property in describe_with {
        for triple in graph.triples_for_predicate(property) {
            if let NamedOrBlankNode::NamedNode(subject) = triple.subject.into_owned() {
                descriptions
                    .entry(subject.into_string())
                    .or_default()
                    .push((property.clone(), triple.object.into_owned()));
            }
        }
    }
    descriptions
}

/// Literal values are compared without case and surrounding space.
fn normalise(value: &str) -> String {
    value.trim().to_lowercase()
}

/// A media type without parameters (`text/csv; charset=utf-8` → `text/csv`), lower case.
fn media_type_key(value: &str) -> String {
    normalise(value.split(';').next().unwrap_or_default())
}

/// The literal as a node: `subject property _:b . _:b carrier literal`. The blank node label is a
/// hash of the statement, so the same input gives the same output.
fn wrap_literal(
    subject: &NamedOrBlankNode,
    property: &NamedNode,
    literal: &Literal,
    carrier: &NamedNode,
) -> Vec<Triple> {
    let digest = Sha256::digest(format!("{subject} {property} {literal}").as_bytes());
    let node = BlankNode::new_unchecked(format!("eu{}", hex::encode(&digest[..8])));
    vec![
        Triple::new(subject.clone(), property.clone(), node.clone()),
        Triple::new(node, carrier.clone(), literal.clone()),
    ]
}

/// A plain string gets the datatype, when its text is valid for it (only checked for
/// `xsd:hexBinary`); any other literal stays as it is.
fn with_datatype(literal: &Literal, datatype: NamedNodeRef<'_>) -> Literal {
    let plain = literal.datatype() == xsd::STRING && literal.language().is_none();
    let value = literal.value().trim();
    let valid = datatype != xsd::HEX_BINARY
        || (value.len().is_multiple_of(2) && value.chars().all(|c| c.is_ascii_hexdigit()));
    if plain && valid {
        Literal::new_typed_literal(value, datatype)
    } else {
        literal.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::TripleRef;
    use std::sync::OnceLock;

    const PREFIXES: &str = "
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix dcatap: <http://data.europa.eu/r5r/> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
        @prefix adms: <http://www.w3.org/ns/adms#> .
        @prefix spdx: <http://spdx.org/rdf/terms#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix ex: <http://example.org/> .
    ";

    /// The real mapping in vocab/, loaded once for all tests.
    fn mapping() -> &'static EuMapping {
        static MAPPING: OnceLock<EuMapping> = OnceLock::new();
        MAPPING.get_or_init(|| {
            EuMapping::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("vocab")).unwrap()
        })
    }

    fn parse(turtle: &str) -> Vec<Triple> {
        let text = format!("{PREFIXES}{turtle}");
        crate::rdf::parse_graph(text.as_bytes(), oxigraph::io::RdfFormat::Turtle, None).unwrap()
    }

    fn export(turtle: &str) -> Graph {
        to_dcat_ap(&parse(turtle), mapping()).into_iter().collect()
    }

    fn iri(s: &str) -> NamedNode {
        NamedNode::new(s).unwrap()
    }

    fn has(graph: &Graph, s: &str, p: &str, o: impl Into<Term>) -> bool {
        let (s, p, o) = (iri(s), iri(p), o.into());
        graph.contains(TripleRef::new(&s, &p, &o))
    }

    fn values(graph: &Graph, s: &str, p: &str) -> Vec<Term> {
        graph
            .objects_for_subject_predicate(&iri(s), &iri(p))
            .map(TermRef::into_owned)
            .collect()
    }

    const DCT: &str = "http://purl.org/dc/terms/";
    const DCAT: &str = "http://www.w3.org/ns/dcat#";
    const TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    const FT: &str = "http://publications.europa.eu/resource/authority/file-type/";
    const IANA: &str = "https://www.iana.org/assignments/media-types/";

    #[test]
    fn media_type_literal_becomes_eu_file_type_and_iana_media_type() {
        let g = export("ex:d a dcat:Distribution ; dcterms:format \"Text/CSV; charset=utf-8\" .");
        let csv = iri(&format!("{FT}CSV"));
        let iana = iri(&format!("{IANA}text/csv"));
        assert_eq!(
            values(&g, "http://example.org/d", &format!("{DCT}format")),
            vec![Term::from(csv.clone())]
        );
        assert_eq!(
            values(&g, "http://example.org/d", &format!("{DCAT}mediaType")),
            vec![Term::from(iana.clone())]
        );
        assert!(has(
            &g,
            csv.as_str(),
            TYPE,
            iri(&format!("{DCT}MediaTypeOrExtent"))
        ));
        assert!(has(
            &g,
            iana.as_str(),
            TYPE,
            iri(&format!("{DCT}MediaType"))
        ));
    }

    #[test]
    fn an_existing_media_type_is_kept_and_not_doubled() {
        let g = export(
            "ex:d a dcat:Distribution ; dcterms:format \"application/json\" ;
                 dcat:mediaType <http://www.iana.org/assignments/media-types/application/json> .",
        );
        let media_types = values(&g, "http://example.org/d", &format!("{DCAT}mediaType"));
        assert_eq!(
            media_types,
            vec![Term::from(iri(
                "http://www.iana.org/assignments/media-types/application/json"
            ))]
        );
    }

    #[test]
    fn data_services_get_a_file_type_but_no_media_type() {
        let g = export("ex:s a dcat:DataService ; dcterms:format \"application/json\" .");
        assert!(has(
            &g,
            "http://example.org/s",
            &format!("{DCT}format"),
            iri(&format!("{FT}JSON"))
        ));
        assert!(values(&g, "http://example.org/s", &format!("{DCAT}mediaType")).is_empty());
    }

    #[test]
    fn unknown_or_unmapped_media_types_leave_no_literal() {
        let g = export(
            "ex:a a dcat:Distribution ; dcterms:format \"application/x-unknown\" .
             ex:b a dcat:Distribution ; dcterms:format \"application/vnd.sqlite3\" .",
        );
        assert!(values(&g, "http://example.org/a", &format!("{DCT}format")).is_empty());
        assert!(values(&g, "http://example.org/b", &format!("{DCT}format")).is_empty());
        let sqlite = iri(&format!("{IANA}application/vnd.sqlite3"));
        assert_eq!(
            values(&g, "http://example.org/b", &format!("{DCAT}mediaType")),
            vec![Term::from(sqlite)]
        );
    }

    #[test]
    fn legacy_frequency_becomes_eu_frequency_unless_one_is_given() {
        let g = export(
            "ex:a a dcat:Dataset ; dcterms:accrualPeriodicity <http://purl.org/cld/freq/monthly> .
             ex:b a dcat:Dataset ; dcterms:accrualPeriodicity <http://purl.org/cld/freq/monthly>,
                 <http://publications.europa.eu/resource/authority/frequency/WEEKLY> .",
        );
        let freq = |code: &str| {
            Term::from(iri(&format!(
                "http://publications.europa.eu/resource/authority/frequency/{code}"
            )))
        };
        let periodicity = format!("{DCT}accrualPeriodicity");
        assert_eq!(
            values(&g, "http://example.org/a", &periodicity),
            vec![freq("MONTHLY")]
        );
        assert_eq!(
            values(&g, "http://example.org/b", &periodicity),
            vec![freq("WEEKLY")]
        );
        let monthly = "http://publications.europa.eu/resource/authority/frequency/MONTHLY";
        assert!(has(&g, monthly, TYPE, iri(&format!("{DCT}Frequency"))));
    }

    #[test]
    fn single_valued_properties_keep_one_value_preferring_the_given_one() {
        let g = export(
            "ex:a a dcat:Dataset ; dcterms:accrualPeriodicity <http://purl.org/cld/freq/monthly>,
                 <http://purl.org/cld/freq/weekly> .",
        );
        let weekly = "http://publications.europa.eu/resource/authority/frequency/WEEKLY";
        let periodicity = format!("{DCT}accrualPeriodicity");
        let monthly = "http://publications.europa.eu/resource/authority/frequency/MONTHLY";
        assert_eq!(
            values(&g, "http://example.org/a", &periodicity),
            vec![Term::from(iri(monthly))]
        );
        // No class or description for the value that was dropped.
        assert!(values(&g, weekly, TYPE).is_empty());
    }

    #[test]
    fn language_codes_become_eu_languages_described_by_their_scheme() {
        let g = export(
            "ex:a a dcat:Dataset ; dcterms:language \" SV \", <http://id.loc.gov/vocabulary/iso639-1/en> .",
        );
        let lang = |code: &str| {
            format!("http://publications.europa.eu/resource/authority/language/{code}")
        };
        let languages: HashSet<Term> =
            values(&g, "http://example.org/a", &format!("{DCT}language"))
                .into_iter()
                .collect();
        let expected: HashSet<Term> = [iri(&lang("SWE")).into(), iri(&lang("ENG")).into()]
            .into_iter()
            .collect();
        assert_eq!(languages, expected);
        assert!(has(
            &g,
            &lang("SWE"),
            TYPE,
            iri(&format!("{DCT}LinguisticSystem"))
        ));
        let scheme = iri("http://publications.europa.eu/resource/authority/language");
        assert!(has(
            &g,
            &lang("SWE"),
            "http://www.w3.org/2004/02/skos/core#inScheme",
            scheme.clone()
        ));
        assert!(has(
            &g,
            &lang("SWE"),
            "http://www.w3.org/2004/02/skos/core#prefLabel",
            Literal::new_language_tagged_literal_unchecked("svenska", "sv")
        ));
        assert!(!values(&g, scheme.as_str(), &format!("{DCT}title")).is_empty());
    }

    #[test]
    fn unmapped_language_literals_are_dropped_but_other_literals_kept() {
        let g =
            export("ex:a a dcat:Dataset ; dcterms:language \"klingon\" ; dcterms:title \"T\"@sv .");
        assert!(values(&g, "http://example.org/a", &format!("{DCT}language")).is_empty());
        assert_eq!(
            values(&g, "http://example.org/a", &format!("{DCT}title")).len(),
            1
        );
    }

    #[test]
    fn values_get_the_classes_of_the_eu_range_shapes() {
        let g = export(
            "ex:d a dcat:Dataset ; dcat:contactPoint ex:c ; dcterms:publisher ex:p ;
                 dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
                 dcterms:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
                 dcat:landingPage <https://example.org/page> .
             ex:c a vcard:Organization .
             ex:p a foaf:Organization ; dcterms:type ex:kind .
             ex:s a dcat:DataService ; dcterms:type ex:style .",
        );
        assert!(has(
            &g,
            "http://example.org/c",
            TYPE,
            iri("http://www.w3.org/2006/vcard/ns#Kind")
        ));
        assert!(has(
            &g,
            "http://example.org/p",
            TYPE,
            iri("http://xmlns.com/foaf/0.1/Agent")
        ));
        let concept = iri("http://www.w3.org/2004/02/skos/core#Concept");
        // The publisher becomes a foaf:Agent first; then the Agent rule types its dcterms:type.
        assert!(has(&g, "http://example.org/kind", TYPE, concept.clone()));
        assert!(has(
            &g,
            "http://publications.europa.eu/resource/authority/data-theme/ENVI",
            TYPE,
            concept
        ));
        let rights = iri(&format!("{DCT}RightsStatement"));
        assert!(has(
            &g,
            "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
            TYPE,
            rights
        ));
        assert!(has(
            &g,
            "https://example.org/page",
            TYPE,
            iri("http://xmlns.com/foaf/0.1/Document")
        ));
        // The EU shapes do not check dcterms:type of a data service.
        assert!(values(&g, "http://example.org/style", TYPE).is_empty());
    }

    #[test]
    fn plain_identifiers_become_identifier_nodes_deterministically() {
        let input = parse("ex:d a dcat:Dataset ; adms:identifier \"SE-123\" .");
        let first: Graph = to_dcat_ap(&input, mapping()).into_iter().collect();
        let second: Graph = to_dcat_ap(&input, mapping()).into_iter().collect();
        assert_eq!(first, second);
        let nodes = values(
            &first,
            "http://example.org/d",
            "http://www.w3.org/ns/adms#identifier",
        );
        let [Term::BlankNode(node)] = nodes.as_slice() else {
            panic!("one blank node, got {nodes:?}")
        };
        let notation = iri("http://www.w3.org/2004/02/skos/core#notation");
        let value = first
            .object_for_subject_predicate(node, &notation)
            .map(TermRef::into_owned);
        assert_eq!(value, Some(Literal::new_simple_literal("SE-123").into()));
        assert!(first.contains(TripleRef::new(
            node,
            rdf::TYPE,
            &iri("http://www.w3.org/ns/adms#Identifier")
        )));
    }

    #[test]
    fn hexadecimal_checksums_become_hex_binary() {
        let g = export(
            "ex:a spdx:checksumValue \"a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\" .
             ex:b spdx:checksumValue \"not hex\" .",
        );
        let value = "http://spdx.org/rdf/terms#checksumValue";
        let hex =
            Literal::new_typed_literal("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", xsd::HEX_BINARY);
        assert_eq!(
            values(&g, "http://example.org/a", value),
            vec![Term::from(hex)]
        );
        assert_eq!(
            values(&g, "http://example.org/b", value),
            vec![Term::from(Literal::new_simple_literal("not hex"))]
        );
    }

    #[test]
    fn theme_taxonomy_is_described_as_a_titled_concept_scheme() {
        let g = export(
            "ex:c a dcat:Catalog ; dcat:themeTaxonomy <http://publications.europa.eu/resource/authority/data-theme> .",
        );
        let scheme = "http://publications.europa.eu/resource/authority/data-theme";
        assert!(has(
            &g,
            scheme,
            TYPE,
            iri("http://www.w3.org/2004/02/skos/core#ConceptScheme")
        ));
        assert!(!values(&g, scheme, &format!("{DCT}title")).is_empty());
    }

    #[test]
    fn rules_are_read_from_any_graph() {
        let graph: Graph = parse(
            "@prefix kv: <https://w3id.org/katalog/vocab#> .
             [] kv:onProperty ex:p ; kv:objectClass ex:C ; kv:subjectClass ex:S .
             ex:old kv:euEquivalent ex:new .
             [] kv:onProperty ex:q ; kv:literal \"Yes\" ; kv:euEquivalent ex:yes .",
        )
        .into_iter()
        .collect();
        let mapping = EuMapping::from_graph(&graph);
        let data = parse("ex:a a ex:S ; ex:p ex:old ; ex:q \"yes\" . ex:b ex:p ex:v .");
        let out: Graph = to_dcat_ap(&data, &mapping).into_iter().collect();
        assert!(has(
            &out,
            "http://example.org/a",
            "http://example.org/p",
            iri("http://example.org/new")
        ));
        assert!(has(
            &out,
            "http://example.org/new",
            TYPE,
            iri("http://example.org/C")
        ));
        assert!(has(
            &out,
            "http://example.org/a",
            "http://example.org/q",
            iri("http://example.org/yes")
        ));
        // ex:b is not an ex:S, so its value gets no class.
        assert!(values(&out, "http://example.org/v", TYPE).is_empty());
    }

    #[test]
    fn load_reports_missing_folders_and_folders_without_rules() {
        let missing = EuMapping::load(Path::new("/nonexistent/katalog-vocab"));
        assert!(
            matches!(missing, Err(EuError::ListDir { .. })),
            "{missing:?}"
        );
        let empty = tempfile::tempdir().unwrap();
        std::fs::write(
            empty.path().join("x.ttl"),
            "<http://example.org/a> <http://example.org/b> 1 .",
        )
        .unwrap();
        assert!(matches!(
            EuMapping::load(empty.path()),
            Err(EuError::NoRules { .. })
        ));
        std::fs::write(empty.path().join("y.ttl"), "this is not turtle").unwrap();
        assert!(matches!(
            EuMapping::load(empty.path()),
            Err(EuError::Parse { .. })
        ));
    }
}
