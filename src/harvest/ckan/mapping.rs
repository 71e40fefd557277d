//! Reading `vocab/ckan-mapping.ttl` (the `ckm:` terms are explained at the top of that file)
//! into node maps and rules.
use super::CkanError;
use oxigraph::io::RdfFormat;
use oxrdf::vocab::rdf;
use oxrdf::{Graph, NamedNode, NamedOrBlankNodeRef, Term, TermRef};
use std::collections::HashMap;
use std::path::Path;

/// Namespace of the mapping vocabulary (`ckm:`), declared in `vocab/ckan-mapping.ttl`.
const CKM: &str = "https://w3id.org/katalog/vocab/ckan#";

/// The mapping shipped with katalog, for callers without a vocabulary folder.
const SHIPPED: &str = include_str!("../../../vocab/ckan-mapping.ttl");

/// The file [`CkanMapping::load`] reads from a vocabulary folder.
pub const FILE_NAME: &str = "ckan-mapping.ttl";

/// Node maps nest (dataset → distribution); deeper than this is a cycle in the mapping.
const MAX_DEPTH: usize = 8;

/// How CKAN packages become DCAT-AP-SE, read once from `vocab/ckan-mapping.ttl`.
#[derive(Debug, Clone)]
pub struct CkanMapping {
    pub(super) package: NodeMap,
    pub(super) default_language: Option<String>,
    /// Lower case, without the dot.
    pub(super) file_extensions: Vec<String>,
}

/// One resource made from one CKAN record (package, resource, contact object, …).
#[derive(Debug, Clone, Default)]
pub(super) struct NodeMap {
    pub class: Option<NamedNode>,
    pub iri_fields: Vec<String>,
    pub iri_template: Option<String>,
    pub fragment: Option<String>,
    pub rules: Vec<Rule>,
}

/// One property of a node and where its values come from.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub property: NamedNode,
    pub fields: Vec<String>,
    pub kind: Kind,
    pub in_package: bool,
    pub split_list: bool,
    pub only_files: bool,
    pub item_key: Option<String>,
    /// Lower-cased CKAN value → the term written.
    pub values: HashMap<String, Term>,
    pub code_prefix: Option<String>,
    pub iri_prefix: Option<String>,
    pub unregistered: Vec<String>,
    pub datatype: Option<NamedNode>,
    pub node_class: Option<NamedNode>,
    pub geometry_property: Option<NamedNode>,
    pub node: Option<Box<NodeMap>>,
}

/// The `ckm:valueKind` of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Literal,
    Iri,
    Mailto,
    Date,
    Typed,
    MediaType,
    MediaTypeIri,
    Spatial,
    Node,
    Publisher,
}

impl Kind {
    fn from_iri(iri: &NamedNode) -> Option<Kind> {
        let kind = match iri.as_str().strip_prefix(CKM)? {
            "Text" => Kind::Text,
            "Literal" => Kind::Literal,
            "Iri" => Kind::Iri,
            "Mailto" => Kind::Mailto,
            "Date" => Kind::Date,
            "Typed" => Kind::Typed,
            "MediaType" => Kind::MediaType,
            "MediaTypeIri" => Kind::MediaTypeIri,
            "Spatial" => Kind::Spatial,
            "Node" => Kind::Node,
            "Publisher" => Kind::Publisher,
            _ => return None,
        };
        Some(kind)
    }
}

impl CkanMapping {
    /// The mapping as shipped (`vocab/ckan-mapping.ttl`, built into the binary).
    pub fn shipped() -> Result<CkanMapping, CkanError> {
        CkanMapping::from_turtle(SHIPPED)
    }

    /// Reads `ckan-mapping.ttl` from a vocabulary folder, as the EU mapping is read from it,
    /// so an operator can change the mapping without rebuilding.
    pub fn load(vocab_dir: &Path) -> Result<CkanMapping, CkanError> {
        let path = vocab_dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|source| CkanError::Read {
            path: path.clone(),
            source,
        })?;
        CkanMapping::from_turtle(&text)
    }

    pub fn from_turtle(turtle: &str) -> Result<CkanMapping, CkanError> {
        let triples = crate::rdf::parse_graph(turtle.as_bytes(), RdfFormat::Turtle, None)
            .map_err(CkanError::MappingSyntax)?;
        CkanMapping::from_graph(&triples.into_iter().collect())
    }

    /// Reads the one `ckm:Mapping` of the graph.
    pub fn from_graph(graph: &Graph) -> Result<CkanMapping, CkanError> {
        let reader = Reader { graph };
        let root = graph
            .subject_for_predicate_object(rdf::TYPE, ckm("Mapping").as_ref())
            .ok_or_else(|| bad("no ckm:Mapping"))?;
        let package = reader
            .object(root, "packageNode")
            .ok_or_else(|| bad("the ckm:Mapping has no ckm:packageNode"))?;
        Ok(CkanMapping {
            package: reader.node_map(package, 0)?,
            default_language: reader.string(root, "defaultLanguage"),
            file_extensions: reader
                .strings(root, "fileExtension")
                .iter()
                .map(|e| e.to_lowercase())
                .collect(),
        })
    }
}

struct Reader<'a> {
    graph: &'a Graph,
}

impl<'a> Reader<'a> {
    fn node_map(&self, node: TermRef<'a>, depth: usize) -> Result<NodeMap, CkanError> {
        if depth > MAX_DEPTH {
            return Err(bad("node maps nested too deep (a cycle of ckm:node?)"));
        }
        let subject = as_subject(node)?;
        let rules = self
            .list(subject, "rules")?
            .into_iter()
            .map(|rule| self.rule(rule, depth))
            .collect::<Result<_, _>>()?;
        Ok(NodeMap {
            class: self.named(subject, "nodeClass"),
            iri_fields: self.string_list(subject, "iriFields")?,
            iri_template: self.string(subject, "iriTemplate"),
            fragment: self.string(subject, "fragment"),
            rules,
        })
    }

    fn rule(&self, node: TermRef<'a>, depth: usize) -> Result<Rule, CkanError> {
        let subject = as_subject(node)?;
        let property = self
            .named(subject, "property")
            .ok_or_else(|| bad(format!("rule {node} has no ckm:property")))?;
        let kind = self
            .named(subject, "valueKind")
            .and_then(|kind| Kind::from_iri(&kind))
            .ok_or_else(|| bad(format!("rule for {property} has no known ckm:valueKind")))?;
        let node = match kind {
            Kind::Node => {
                let map = self
                    .object(subject, "node")
                    .ok_or_else(|| bad(format!("node rule for {property} has no ckm:node")))?;
                Some(Box::new(self.node_map(map, depth + 1)?))
            }
            _ => None,
        };
        Ok(Rule {
            fields: self.string_list(subject, "fields")?,
            kind,
            in_package: self.flag(subject, "inPackage"),
            split_list: self.flag(subject, "splitList"),
            only_files: self.flag(subject, "onlyFiles"),
            item_key: self.string(subject, "itemKey"),
            values: self.value_map(subject)?,
            code_prefix: self.string(subject, "codePrefix"),
            iri_prefix: self.string(subject, "iriPrefix"),
            unregistered: self.strings(subject, "unregistered"),
            datatype: self.named(subject, "datatype"),
            node_class: self.named(subject, "nodeClass"),
            geometry_property: self.named(subject, "geometryProperty"),
            node,
            property,
        })
    }

    /// The entries of the rule's `ckm:valueMap`, keyed by lower-cased CKAN value.
    fn value_map(&self, rule: NamedOrBlankNodeRef<'a>) -> Result<HashMap<String, Term>, CkanError> {
        let mut values = HashMap::new();
        let Some(map) = self.object(rule, "valueMap") else {
            return Ok(values);
        };
        let entry_property = ckm("entry");
        let entries = self
            .graph
            .objects_for_subject_predicate(as_subject(map)?, &entry_property);
        for entry in entries {
            let entry = as_subject(entry)?;
            let value = self
                .object(entry, "value")
                .ok_or_else(|| bad(format!("value map entry {entry} has no ckm:value")))?;
            for key in self.strings(entry, "ckanValue") {
                values.insert(key.to_lowercase(), value.into_owned());
            }
        }
        Ok(values)
    }

    fn object(&self, subject: NamedOrBlankNodeRef<'_>, local: &str) -> Option<TermRef<'a>> {
        self.graph
            .object_for_subject_predicate(subject, &ckm(local))
    }

    fn named(&self, subject: NamedOrBlankNodeRef<'_>, local: &str) -> Option<NamedNode> {
        match self.object(subject, local)? {
            TermRef::NamedNode(iri) => Some(iri.into_owned()),
            _ => None,
        }
    }

    fn string(&self, subject: NamedOrBlankNodeRef<'_>, local: &str) -> Option<String> {
        match self.object(subject, local)? {
            TermRef::Literal(literal) => Some(literal.value().to_owned()),
            _ => None,
        }
    }

    fn strings(&self, subject: NamedOrBlankNodeRef<'_>, local: &str) -> Vec<String> {
        let mut values: Vec<String> = self
            .graph
            .objects_for_subject_predicate(subject, &ckm(local))
            .filter_map(|term| match term {
                TermRef::Literal(literal) => Some(literal.value().to_owned()),
                _ => None,
            })
            .collect();
        // The graph's order is not the file's; sorted, the mapping reads the same every time.
        values.sort();
        values
    }

    fn flag(&self, subject: NamedOrBlankNodeRef<'_>, local: &str) -> bool {
        self.string(subject, local)
            .is_some_and(|v| v == "true" || v == "1")
    }

    /// An RDF list of literals (the order of fields matters, so they are lists).
    fn string_list(
        &self,
        subject: NamedOrBlankNodeRef<'_>,
        local: &str,
    ) -> Result<Vec<String>, CkanError> {
        self.list(subject, local)?
            .into_iter()
            .map(|item| match item {
                TermRef::Literal(literal) => Ok(literal.value().to_owned()),
                other => Err(bad(format!(
                    "{other} in the list of {local} is not a literal"
                ))),
            })
            .collect()
    }

    fn list(
        &self,
        subject: NamedOrBlankNodeRef<'_>,
        local: &str,
    ) -> Result<Vec<TermRef<'a>>, CkanError> {
        let mut items = Vec::new();
        let Some(mut head) = self.object(subject, local) else {
            return Ok(items);
        };
        while head != TermRef::from(rdf::NIL) {
            let cell = as_subject(head)?;
            let first = self.graph.object_for_subject_predicate(cell, rdf::FIRST);
            let rest = self.graph.object_for_subject_predicate(cell, rdf::REST);
            let (Some(first), Some(rest)) = (first, rest) else {
                return Err(bad(format!("the list of {local} is ill-formed")));
            };
            items.push(first);
            head = rest;
            if items.len() > 10_000 {
                return Err(bad(format!("the list of {local} does not end")));
            }
        }
        Ok(items)
    }
}

fn as_subject(term: TermRef<'_>) -> Result<NamedOrBlankNodeRef<'_>, CkanError> {
    match term {
        TermRef::NamedNode(iri) => Ok(iri.into()),
        TermRef::BlankNode(node) => Ok(node.into()),
        other => Err(bad(format!("{other} is used as a node of the mapping"))),
    }
}

fn ckm(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{CKM}{local}"))
}

fn bad(message: impl Into<String>) -> CkanError {
    CkanError::Mapping(message.into())
}
