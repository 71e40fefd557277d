//! The web form for one `dcat:Dataset`, generated from the active SHACL shapes graph.
//!
//! Publishers (municipal staff) never write RDF: this module turns the property shapes of
//! the node shapes targeting `dcat:Dataset`, `dcat:Distribution` and `vcard:Organization`
//! into form fields (label, help, required mark, input kind, choices from `vocab/`), reads a
//! stored record into form values, turns a submission back into triples and maps a
//! validation report onto the fields.
//!
//! Conventions (see `dataset_form_fields.html`):
//! - Value keys: the field key (`theme`, `distribution.accessURL`, `contact.email`), and
//!   `{key}@sv` / `{key}@en` for language-tagged text.
//! - List fields ([`Field::list`]: several links, keywords) take one value per line in one
//!   `<textarea>`; choices with [`Field::multiple`] are a `<select multiple>`; every other
//!   input holds one value (per language).
//! - The form edits the dataset, one distribution `<root#distribution>` and one contact
//!   point `<root#contact>`; every other stored triple is kept as it is.
//! - Values that do not fit (an address that is not an IRI, a date that is not a date) are
//!   still written, as literals, so that validation reports them under their field and the
//!   publisher sees what they typed.

use crate::rdf::ns::{dcat, dcterms, foaf};
use crate::shacl::{Severity, ValidationReport, ValidationResult};
use oxigraph::model::{NamedNode, Triple};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Graph, Literal, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashSet};

/// IRIs this module needs beyond `crate::rdf::ns`.
mod iri {
    use oxrdf::NamedNodeRef;
    macro_rules! iris {
        ($($name:ident = $iri:literal;)*) => {
            $(pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked($iri);)*
        };
    }
    iris! {
        SH_TARGET_CLASS = "http://www.w3.org/ns/shacl#targetClass";
        SH_PROPERTY = "http://www.w3.org/ns/shacl#property";
        SH_PATH = "http://www.w3.org/ns/shacl#path";
        SH_MIN_COUNT = "http://www.w3.org/ns/shacl#minCount";
        SH_MAX_COUNT = "http://www.w3.org/ns/shacl#maxCount";
        SH_SEVERITY = "http://www.w3.org/ns/shacl#severity";
        SH_VIOLATION = "http://www.w3.org/ns/shacl#Violation";
        SH_WARNING = "http://www.w3.org/ns/shacl#Warning";
        SH_NAME = "http://www.w3.org/ns/shacl#name";
        SH_DESCRIPTION = "http://www.w3.org/ns/shacl#description";
        SH_ORDER = "http://www.w3.org/ns/shacl#order";
        SH_DEACTIVATED = "http://www.w3.org/ns/shacl#deactivated";
        SH_IN = "http://www.w3.org/ns/shacl#in";
        SH_OR = "http://www.w3.org/ns/shacl#or";
        SH_DATATYPE = "http://www.w3.org/ns/shacl#datatype";
        SH_PATTERN = "http://www.w3.org/ns/shacl#pattern";
        SH_NODE = "http://www.w3.org/ns/shacl#node";
        SH_NODE_KIND = "http://www.w3.org/ns/shacl#nodeKind";
        SH_IRI = "http://www.w3.org/ns/shacl#IRI";
        SH_LITERAL = "http://www.w3.org/ns/shacl#Literal";
        SH_BLANK_NODE = "http://www.w3.org/ns/shacl#BlankNode";
        SH_BLANK_NODE_OR_IRI = "http://www.w3.org/ns/shacl#BlankNodeOrIRI";
        SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel";
        SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation";
        RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
        KV_FORMAT_PROPERTY = "https://w3id.org/katalog/vocab#formatProperty";
        KV_MEDIA_TYPE = "https://w3id.org/katalog/vocab#mediaType";
        VCARD_ORGANIZATION = "http://www.w3.org/2006/vcard/ns#Organization";
        VCARD_FN = "http://www.w3.org/2006/vcard/ns#fn";
        VCARD_HAS_EMAIL = "http://www.w3.org/2006/vcard/ns#hasEmail";
        ADMS_VERSION_NOTES = "http://www.w3.org/ns/adms#versionNotes";
        LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority";
    }
}

/// The languages language-tagged text is edited in, in form order.
pub const LANGS: [&str; 2] = ["sv", "en"];

/// Error key for results about the distribution that match no distribution field.
pub const DISTRIBUTION_KEY: &str = "distribution";
/// Error key for results about the contact point that match no contact field.
pub const CONTACT_KEY: &str = "contact";

/// Dataset properties the form never shows: set by the server, or edited as a group.
const NOT_EDITED: [NamedNodeRef<'static>; 4] = [
    dcterms::PUBLISHER,
    dcterms::MODIFIED,
    dcat::DISTRIBUTION_LINK,
    dcat::CONTACT_POINT,
];

/// Distribution properties in the form, with their keys (after `distribution.`).
const DISTRIBUTION_FIELDS: [(NamedNodeRef<'static>, &str); 6] = [
    (dcat::ACCESS_URL, "accessURL"),
    (dcat::DOWNLOAD_URL, "downloadURL"),
    (dcterms::FORMAT, "format"),
    (dcterms::LICENSE, "license"),
    (dcterms::TITLE, "title"),
    (dcterms::DESCRIPTION, "description"),
];

/// Contact point properties in the form, with their keys (after `contact.`).
const CONTACT_FIELDS: [(NamedNodeRef<'static>, &str); 2] =
    [(iri::VCARD_FN, "name"), (iri::VCARD_HAS_EMAIL, "email")];

/// Long free text: the shapes cannot tell a paragraph from a short name.
const MULTILINE: [NamedNodeRef<'static>; 2] = [dcterms::DESCRIPTION, iri::ADMS_VERSION_NOTES];

/// Language-tagged text given as a list (one value per line); other text has one value
/// per language, as DCAT-AP expects of titles and descriptions.
const TEXT_LISTS: [NamedNodeRef<'static>; 1] = [dcat::KEYWORD];

/// Order of the dataset fields within a level (mandatory, recommended, optional): what
/// describes the data first, then links and details; other properties follow by Swedish
/// label. An `sh:order` in the shapes comes before this list.
const PREFERRED_ORDER: [&str; 14] = [
    "http://purl.org/dc/terms/title",
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/ns/dcat#keyword",
    "http://www.w3.org/ns/dcat#theme",
    "http://purl.org/dc/terms/accessRights",
    "http://purl.org/dc/terms/issued",
    "http://purl.org/dc/terms/conformsTo",
    "http://www.w3.org/ns/dcat#landingPage",
    "http://purl.org/dc/terms/accrualPeriodicity",
    "http://purl.org/dc/terms/language",
    "http://purl.org/dc/terms/identifier",
    "http://xmlns.com/foaf/0.1/page",
    "http://www.w3.org/ns/dcat#version",
    "http://www.w3.org/ns/adms#versionNotes",
];

/// Prefixes that make a key unique when two properties share a local name.
const KEY_PREFIXES: [(&str, &str); 6] = [
    ("http://www.w3.org/ns/adms#", "adms"),
    ("http://www.w3.org/2002/07/owl#", "owl"),
    ("http://xmlns.com/foaf/0.1/", "foaf"),
    ("http://data.europa.eu/r5r/", "dcatap"),
    ("http://www.w3.org/ns/dcat#", "dcat"),
    ("http://purl.org/dc/terms/", "dcterms"),
];

/// The form of one dataset record.
#[derive(Debug, Clone)]
pub struct FormSpec {
    pub fields: Vec<Field>,
    /// `dcterms:type` written for a publisher the record does not describe yet.
    publisher_type: NamedNode,
}

/// One property of the form.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Stable HTML name, e.g. `title`, `theme`, `distribution.accessURL`, `contact.email`.
    pub key: String,
    /// The `sh:path` predicate.
    #[serde(serialize_with = "serialize_iri")]
    pub path: NamedNode,
    pub group: Group,
    pub label_sv: String,
    pub label_en: String,
    pub help_sv: String,
    pub help_en: String,
    /// `sh:minCount >= 1` with severity `sh:Violation` (or none).
    pub required: bool,
    /// `sh:minCount >= 1` with severity `sh:Warning`.
    pub recommended: bool,
    /// No `sh:maxCount 1` for this path.
    pub multiple: bool,
    /// Several values in one input, one per line (multiple links and keywords).
    pub list: bool,
    /// E-mail addresses, stored as `mailto:` IRIs (the shapes' pattern starts with `^mailto:`).
    pub mailto: bool,
    /// For [`FieldKind::Text`]: the literal's datatype, when not a plain string.
    #[serde(serialize_with = "serialize_optional_iri")]
    pub datatype: Option<NamedNode>,
    pub kind: FieldKind,
}

/// Which node of the record a field describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Dataset,
    Distribution,
    Contact,
}

/// The input a field needs. Serialised with a `type` tag (`lang_text`, `choice`,
/// `suggest`, `iri`, `date`, `text`) plus `multiline` or `choices`.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// `rdf:langString` values: one input for Swedish, one for English.
    LangText { multiline: bool },
    /// `sh:in` lists of IRIs; labels from the vocabulary's `skos:prefLabel`.
    Choice(Vec<Choice>),
    /// A literal with suggested values (a `<datalist>`), e.g. the media types of
    /// `dcterms:format`, which the profile allows beyond its list.
    Suggest(Vec<Choice>),
    /// `sh:nodeKind sh:IRI`: a web address.
    Iri,
    /// `xsd:date` or `xsd:dateTime`.
    Date,
    /// Any other literal.
    Text,
}

/// One value offered by a choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The concept IRI.
    pub iri: String,
    /// The form value: the IRI for [`FieldKind::Choice`], the literal for [`FieldKind::Suggest`].
    pub value: String,
    pub label_sv: String,
    pub label_en: String,
}

/// Submitted or stored values, keyed by `Field::key`; lang text uses keys "title@sv", "title@en".
pub type FormValues = BTreeMap<String, Vec<String>>;

/// Collects `application/x-www-form-urlencoded` pairs (repeated names allowed, as from a
/// `<select multiple>`) into form values.
pub fn form_values(pairs: impl IntoIterator<Item = (String, String)>) -> FormValues {
    let mut values = FormValues::new();
    for (key, value) in pairs {
        values.entry(key).or_default().push(value);
    }
    values
}

impl Serialize for FieldKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        match self {
            Self::LangText { multiline } => {
                map.serialize_entry("type", "lang_text")?;
                map.serialize_entry("multiline", multiline)?;
            }
            Self::Choice(choices) | Self::Suggest(choices) => {
                let tag = if matches!(self, Self::Choice(_)) {
                    "choice"
                } else {
                    "suggest"
                };
                map.serialize_entry("type", tag)?;
                map.serialize_entry("choices", choices)?;
            }
            Self::Iri => map.serialize_entry("type", "iri")?,
            Self::Date => map.serialize_entry("type", "date")?,
            Self::Text => map.serialize_entry("type", "text")?,
        }
        map.end()
    }
}

fn serialize_iri<S: Serializer>(iri: &NamedNode, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(iri.as_str())
}

fn serialize_optional_iri<S: Serializer>(
    iri: &Option<NamedNode>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match iri {
        Some(iri) => serializer.serialize_some(iri.as_str()),
        None => serializer.serialize_none(),
    }
}

impl Group {
    /// The node this group's values are stored on.
    pub fn node(self, root: &NamedNode) -> NamedNode {
        let fragment = match self {
            Self::Dataset => return root.clone(),
            Self::Distribution => "distribution",
            Self::Contact => "contact",
        };
        // A root that already has a fragment gets a suffix instead of a second '#'.
        let separator = if root.as_str().contains('#') {
            '-'
        } else {
            '#'
        };
        NamedNode::new_unchecked(format!("{}{separator}{fragment}", root.as_str()))
    }

    /// The error key for results about the group's node that match no field.
    fn key(self) -> &'static str {
        match self {
            Self::Dataset => "",
            Self::Distribution => DISTRIBUTION_KEY,
            Self::Contact => CONTACT_KEY,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

// ---------------------------------------------------------------------------------------
// Building the form from the shapes graph
// ---------------------------------------------------------------------------------------

impl FormSpec {
    /// Build from the shapes graph (all files in shapes/, parsed) and the vocab graph (all files in vocab/).
    pub fn from_graphs(shapes: &Graph, vocab: &Graph) -> FormSpec {
        let mut fields = dataset_fields(shapes, vocab);
        fields.extend(group_fields(
            shapes,
            vocab,
            dcat::DISTRIBUTION,
            Group::Distribution,
            &DISTRIBUTION_FIELDS,
        ));
        fields.extend(group_fields(
            shapes,
            vocab,
            iri::VCARD_ORGANIZATION,
            Group::Contact,
            &CONTACT_FIELDS,
        ));
        FormSpec {
            fields,
            publisher_type: default_publisher_type(shapes),
        }
    }

    /// The field with this key (a value key such as `title@sv` finds `title`).
    pub fn field(&self, key: &str) -> Option<&Field> {
        let base = key.split_once('@').map_or(key, |(base, _)| base);
        self.fields.iter().find(|f| f.key == base)
    }
}

/// The dataset fields: every simple path of the dataset shapes the form can edit,
/// mandatory first, then recommended, then optional.
fn dataset_fields(shapes: &Graph, vocab: &Graph) -> Vec<Field> {
    let mut fields: Vec<(Field, Option<f64>)> = property_shapes(shapes, dcat::DATASET)
        .into_iter()
        .filter(|(path, _)| !NOT_EDITED.contains(&path.as_ref()))
        .filter_map(|(path, list)| {
            let facts = Facts::read(shapes, &list);
            let order = facts.order;
            facts
                .into_field(vocab, path, Group::Dataset)
                .map(|f| (f, order))
        })
        .collect();
    fields.sort_by(|(a, a_order), (b, b_order)| {
        let preferred = |f: &Field| PREFERRED_ORDER.iter().position(|p| *p == f.path.as_str());
        let order = |o: &Option<f64>| o.unwrap_or(f64::MAX);
        level(a)
            .cmp(&level(b))
            .then(order(a_order).total_cmp(&order(b_order)))
            .then(
                preferred(a)
                    .unwrap_or(usize::MAX)
                    .cmp(&preferred(b).unwrap_or(usize::MAX)),
            )
            .then_with(|| a.label_sv.cmp(&b.label_sv))
    });
    let mut fields: Vec<Field> = fields.into_iter().map(|(f, _)| f).collect();
    assign_keys(&mut fields);
    fields
}

/// 0 mandatory, 1 recommended, 2 optional.
fn level(field: &Field) -> u8 {
    match (field.required, field.recommended) {
        (true, _) => 0,
        (false, true) => 1,
        _ => 2,
    }
}

/// Keys are local names; a later property with the same local name gets its prefix.
fn assign_keys(fields: &mut [Field]) {
    let mut taken = HashSet::new();
    for field in fields {
        let local = local_name(field.path.as_str());
        let mut key = local.to_owned();
        if taken.contains(&key) {
            key = match KEY_PREFIXES
                .iter()
                .find(|(ns, _)| field.path.as_str().starts_with(ns))
            {
                Some((_, prefix)) => format!("{prefix}{}", capitalised(local.to_owned())),
                None => format!("{local}{}", taken.len()),
            };
        }
        taken.insert(key.clone());
        field.key = key;
    }
}

fn local_name(iri: &str) -> &str {
    let local = iri.rsplit(['#', '/']).next().unwrap_or(iri);
    if local.is_empty() { iri } else { local }
}

/// The fields of a distribution or contact point: the listed properties, as the shapes
/// of `class` describe them, required first.
fn group_fields(
    shapes: &Graph,
    vocab: &Graph,
    class: NamedNodeRef<'_>,
    group: Group,
    wanted: &[(NamedNodeRef<'static>, &str)],
) -> Vec<Field> {
    let by_path = property_shapes(shapes, class);
    let prefix = group.key();
    let mut fields: Vec<Field> = wanted
        .iter()
        .filter_map(|(path, key)| {
            let list = by_path.get(&path.into_owned())?;
            let mut field =
                Facts::read(shapes, list).into_field(vocab, path.into_owned(), group)?;
            field.key = format!("{prefix}.{key}");
            Some(field)
        })
        .collect();
    // Stable: the listed order within a level.
    fields.sort_by_key(level);
    fields
}

/// The active property shapes with a simple predicate path of the node shapes targeting
/// `class`, by path.
fn property_shapes<'a>(
    shapes: &'a Graph,
    class: NamedNodeRef<'_>,
) -> BTreeMap<NamedNode, Vec<TermRef<'a>>> {
    let mut by_path: BTreeMap<NamedNode, Vec<TermRef<'a>>> = BTreeMap::new();
    for node_shape in shapes.subjects_for_predicate_object(iri::SH_TARGET_CLASS, class) {
        for shape in shapes.objects_for_subject_predicate(node_shape, iri::SH_PROPERTY) {
            if is_deactivated(shapes, shape) {
                continue;
            }
            if let Some(TermRef::NamedNode(path)) = object(shapes, shape, iri::SH_PATH) {
                by_path.entry(path.into_owned()).or_default().push(shape);
            }
        }
    }
    for list in by_path.values_mut() {
        // Graph order depends on parsing; sort so that labels and help are stable.
        list.sort_by_key(|shape| shape.to_string());
    }
    by_path
}

fn is_deactivated(shapes: &Graph, shape: TermRef<'_>) -> bool {
    matches!(object(shapes, shape, iri::SH_DEACTIVATED), Some(TermRef::Literal(l)) if l.value() == "true")
}

/// The `dcterms:type` for a publisher agent: `LocalAuthority` (katalog serves municipalities)
/// when the agent shapes allow it, else the first allowed value.
fn default_publisher_type(shapes: &Graph) -> NamedNode {
    let local = iri::LOCAL_AUTHORITY.into_owned();
    let by_path = property_shapes(shapes, foaf::AGENT);
    let Some(list) = by_path.get(&dcterms::TYPE.into_owned()) else {
        return local;
    };
    let allowed: Vec<NamedNode> = Facts::read(shapes, list)
        .choices
        .into_iter()
        .filter_map(|t| match t {
            TermRef::NamedNode(n) => Some(n.into_owned()),
            _ => None,
        })
        .collect();
    match allowed.first() {
        Some(first) if !allowed.contains(&local) => first.clone(),
        _ => local,
    }
}

/// What the property shapes of one path say, merged.
#[derive(Default)]
struct Facts<'a> {
    required: bool,
    recommended: bool,
    single: bool,
    datatypes: Vec<NamedNodeRef<'a>>,
    choices: Vec<TermRef<'a>>,
    iri: bool,
    literal: bool,
    structure: bool,
    mailto: bool,
    order: Option<f64>,
    names: [Option<String>; 2],
    /// The best help so far: (rank, texts); lower rank is more useful to a publisher.
    help: Option<(u8, [String; 2])>,
}

impl<'a> Facts<'a> {
    fn read(shapes: &'a Graph, list: &[TermRef<'a>]) -> Self {
        let mut facts = Facts::default();
        for shape in list {
            facts.add(shapes, *shape);
        }
        // Texts last: how useful a help text is depends on all the facts (mailto).
        for shape in list {
            let rank = help_rank(shapes, *shape, facts.mailto);
            facts.add_texts(shapes, *shape, rank);
        }
        facts
    }

    fn add(&mut self, g: &'a Graph, shape: TermRef<'a>) {
        let min = object(g, shape, iri::SH_MIN_COUNT)
            .and_then(as_number)
            .unwrap_or(0.0);
        let warning = object(g, shape, iri::SH_SEVERITY) == Some(iri::SH_WARNING.into());
        let violation = !warning && is_violation(object(g, shape, iri::SH_SEVERITY));
        self.required |= min >= 1.0 && violation;
        self.recommended |= min >= 1.0 && warning;
        self.single |= object(g, shape, iri::SH_MAX_COUNT).and_then(as_number) == Some(1.0);
        if let Some(order) = object(g, shape, iri::SH_ORDER).and_then(as_number) {
            self.order = Some(self.order.map_or(order, |o| o.min(order)));
        }
        self.add_node_kind(object(g, shape, iri::SH_NODE_KIND));
        self.structure |= object(g, shape, iri::SH_NODE).is_some();
        for node in constraint_nodes(g, shape) {
            self.add_values(g, node);
        }
    }

    fn add_node_kind(&mut self, kind: Option<TermRef<'a>>) {
        match kind {
            Some(k) if k == iri::SH_IRI.into() => self.iri = true,
            Some(k) if k == iri::SH_LITERAL.into() => self.literal = true,
            Some(k) if k == iri::SH_BLANK_NODE.into() || k == iri::SH_BLANK_NODE_OR_IRI.into() => {
                self.structure = true
            }
            _ => {}
        }
    }

    /// Datatypes, `sh:in` values and `mailto:` patterns of a shape or an `sh:or` member.
    fn add_values(&mut self, g: &'a Graph, node: TermRef<'a>) {
        for datatype in objects(g, node, iri::SH_DATATYPE) {
            if let TermRef::NamedNode(d) = datatype {
                self.datatypes.push(d);
            }
        }
        if self.choices.is_empty()
            && let Some(head) = object(g, node, iri::SH_IN)
        {
            self.choices = rdf_list(g, head);
        }
        if let Some(TermRef::Literal(pattern)) = object(g, node, iri::SH_PATTERN) {
            self.mailto |= pattern.value().starts_with("^mailto:");
        }
    }

    fn add_texts(&mut self, g: &Graph, shape: TermRef<'_>, rank: u8) {
        for (i, lang) in LANGS.iter().enumerate() {
            if self.names[i].is_none() {
                self.names[i] = text_in(g, shape, iri::SH_NAME, lang);
            }
        }
        let help =
            LANGS.map(|lang| text_in(g, shape, iri::SH_DESCRIPTION, lang).unwrap_or_default());
        let better = self.help.as_ref().is_none_or(|(best, _)| rank < *best);
        if better && help.iter().any(|h| !h.is_empty()) {
            self.help = Some((rank, help));
        }
    }

    /// The field, or None when the form cannot edit such values (structures, unknown kinds).
    fn into_field(self, vocab: &Graph, path: NamedNode, group: Group) -> Option<Field> {
        let kind = self.kind(vocab, &path)?;
        let multiple = !self.single;
        let list = multiple
            && match kind {
                // One e-mail address is enough for a contact point.
                FieldKind::Iri => !self.mailto,
                FieldKind::LangText { .. } => TEXT_LISTS.contains(&path.as_ref()),
                _ => false,
            };
        let datatype = self.text_datatype().filter(|_| kind == FieldKind::Text);
        let [name_sv, name_en] = self.names;
        let local = local_name(path.as_str()).to_owned();
        let [help_sv, help_en] = self.help.map(|(_, h)| h).unwrap_or_default();
        Some(Field {
            key: local.clone(),
            label_sv: capitalised(name_sv.clone().or(name_en.clone()).unwrap_or(local.clone())),
            label_en: capitalised(name_en.or(name_sv).unwrap_or(local)),
            help_sv,
            help_en,
            required: self.required,
            recommended: self.recommended && !self.required,
            multiple,
            list,
            mailto: self.mailto,
            datatype,
            kind,
            path,
            group,
        })
    }

    fn kind(&self, vocab: &Graph, path: &NamedNode) -> Option<FieldKind> {
        let has = |d: NamedNodeRef<'_>| self.datatypes.contains(&d);
        if has(rdf::LANG_STRING) {
            let multiline = MULTILINE.contains(&path.as_ref());
            return Some(FieldKind::LangText { multiline });
        }
        if self.structure {
            return None;
        }
        if !self.choices.is_empty() && self.choices.iter().all(TermRef::is_named_node) {
            return Some(FieldKind::Choice(choices(vocab, &self.choices)));
        }
        if has(xsd::DATE) || has(xsd::DATE_TIME) {
            return Some(FieldKind::Date);
        }
        let literal = self.literal || !self.datatypes.is_empty();
        if literal && is_format_property(vocab, path) {
            return Some(FieldKind::Suggest(media_types(vocab)));
        }
        if self.iri {
            return Some(FieldKind::Iri);
        }
        literal.then_some(FieldKind::Text)
    }

    /// The one non-string datatype of a text field, if any.
    fn text_datatype(&self) -> Option<NamedNode> {
        match self.datatypes.as_slice() {
            [d] if *d != xsd::STRING => Some(d.into_owned()),
            _ => None,
        }
    }
}

/// Labels start with a capital letter (the shapes' `sh:name` are lower case, for messages).
fn capitalised(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn is_violation(severity: Option<TermRef<'_>>) -> bool {
    severity.is_none_or(|s| s == iri::SH_VIOLATION.into())
}

/// How useful a shape's `sh:description` is as help: what a valid value looks like
/// (pattern, datatype, vocabulary) beats "must be present" beats technical checks.
fn help_rank(g: &Graph, shape: TermRef<'_>, mailto: bool) -> u8 {
    let constraints = constraint_nodes(g, shape);
    let any = |p| constraints.iter().any(|c| object(g, *c, p).is_some());
    let language_only = objects(g, shape, iri::SH_DATATYPE) == [TermRef::from(rdf::LANG_STRING)];
    // The mailto: pattern talks about IRIs; the form asks for a plain address.
    if any(iri::SH_PATTERN) && !mailto {
        0
    } else if any(iri::SH_DATATYPE) && !language_only {
        1
    } else if any(iri::SH_IN) {
        2
    } else if object(g, shape, iri::SH_MIN_COUNT).is_some() {
        3
    } else {
        4
    }
}

/// The `sh:in` values with their vocabulary labels, in the list's order.
fn choices(vocab: &Graph, values: &[TermRef<'_>]) -> Vec<Choice> {
    values
        .iter()
        .filter_map(|v| match v {
            TermRef::NamedNode(n) => Some(choice(vocab, *n, n.as_str())),
            _ => None,
        })
        .collect()
}

fn choice(vocab: &Graph, concept: NamedNodeRef<'_>, value: &str) -> Choice {
    let label = |lang| text_in(vocab, concept.into(), iri::SKOS_PREF_LABEL, lang);
    let fallback = || {
        text_in(vocab, concept.into(), iri::RDFS_LABEL, "en")
            .or_else(|| literal(vocab, concept.into(), iri::SKOS_NOTATION))
            .unwrap_or_else(|| value.to_owned())
    };
    let (sv, en) = (label("sv"), label("en"));
    Choice {
        iri: concept.as_str().to_owned(),
        value: value.to_owned(),
        label_sv: sv.clone().or(en.clone()).unwrap_or_else(fallback),
        label_en: en.or(sv).unwrap_or_else(fallback),
    }
}

/// Whether the vocabulary maps literal media types for this property (`kv:formatProperty`).
fn is_format_property(vocab: &Graph, path: &NamedNode) -> bool {
    vocab
        .subject_for_predicate_object(iri::KV_FORMAT_PROPERTY, path)
        .is_some()
}

/// The media types of the vocabulary (`kv:mediaType` literals), by Swedish label.
fn media_types(vocab: &Graph) -> Vec<Choice> {
    let mut choices: Vec<Choice> = vocab
        .triples_for_predicate(iri::KV_MEDIA_TYPE)
        .filter_map(|t| match (t.subject, t.object) {
            (NamedOrBlankNodeRef::NamedNode(concept), TermRef::Literal(value)) => {
                Some(choice(vocab, concept, value.value()))
            }
            _ => None,
        })
        .collect();
    choices.sort_by(|a, b| a.label_sv.cmp(&b.label_sv).then(a.value.cmp(&b.value)));
    choices
}

// Small graph helpers (the SHACL engine's are private to it).

fn as_subject(term: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

fn objects<'a>(g: &'a Graph, node: TermRef<'_>, predicate: NamedNodeRef<'_>) -> Vec<TermRef<'a>> {
    match as_subject(node) {
        Some(s) => g.objects_for_subject_predicate(s, predicate).collect(),
        None => Vec::new(),
    }
}

fn object<'a>(g: &'a Graph, node: TermRef<'_>, predicate: NamedNodeRef<'_>) -> Option<TermRef<'a>> {
    g.object_for_subject_predicate(as_subject(node)?, predicate)
}

fn as_number(term: TermRef<'_>) -> Option<f64> {
    match term {
        TermRef::Literal(l) => l.value().trim().parse().ok(),
        _ => None,
    }
}

fn literal(g: &Graph, node: TermRef<'_>, predicate: NamedNodeRef<'_>) -> Option<String> {
    objects(g, node, predicate)
        .into_iter()
        .find_map(|o| match o {
            TermRef::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        })
}

/// The first literal of `predicate` tagged `lang` (or a subtag of it).
fn text_in(
    g: &Graph,
    node: TermRef<'_>,
    predicate: NamedNodeRef<'_>,
    lang: &str,
) -> Option<String> {
    objects(g, node, predicate)
        .into_iter()
        .find_map(|o| match o {
            TermRef::Literal(l) if l.language().is_some_and(|t| lang_matches(t, lang)) => {
                Some(l.value().to_owned())
            }
            _ => None,
        })
}

fn lang_matches(tag: &str, lang: &str) -> bool {
    let tag = tag.to_ascii_lowercase();
    tag == lang
        || tag
            .strip_prefix(lang)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// The members of an RDF list (stops at a malformed or cyclic list).
fn rdf_list<'a>(g: &'a Graph, head: TermRef<'a>) -> Vec<TermRef<'a>> {
    let mut items = Vec::new();
    let mut node = head;
    let mut seen = HashSet::new();
    while node != rdf::NIL.into() && seen.insert(node) {
        let (Some(first), Some(rest)) = (object(g, node, rdf::FIRST), object(g, node, rdf::REST))
        else {
            break;
        };
        items.push(first);
        node = rest;
    }
    items
}

/// The shape and the members of its `sh:or` lists: where its value constraints are.
fn constraint_nodes<'a>(g: &'a Graph, shape: TermRef<'a>) -> Vec<TermRef<'a>> {
    let members = objects(g, shape, iri::SH_OR)
        .into_iter()
        .flat_map(|head| rdf_list(g, head));
    std::iter::once(shape).chain(members).collect()
}

// ---------------------------------------------------------------------------------------
// Stored record → form values
// ---------------------------------------------------------------------------------------

impl FormSpec {
    /// Current values of a stored record (root = dataset IRI). Values are sorted; an
    /// `xsd:dateTime` shows as its date, a `mailto:` address without `mailto:`, and an
    /// untagged string of a language-tagged field as Swedish (saving tags it).
    pub fn values_of(&self, root: &NamedNode, triples: &[Triple]) -> FormValues {
        let mut values = FormValues::new();
        for field in &self.fields {
            let node = field.group.node(root);
            let stored = triples
                .iter()
                .filter(|t| is_subject(t, &node) && t.predicate == field.path);
            for triple in stored {
                if let Some((key, text)) = field.shown(&triple.object) {
                    values.entry(key).or_default().push(text);
                }
            }
        }
        for list in values.values_mut() {
            list.sort();
            list.dedup();
        }
        values
    }
}

impl Field {
    /// The value key and text under which the form shows a stored value, or None when
    /// the form does not show it (blank nodes; text in other languages), so saving keeps it.
    pub fn shown(&self, value: &Term) -> Option<(String, String)> {
        match (value, &self.kind) {
            (Term::Literal(l), FieldKind::LangText { .. }) => {
                let lang = match l.language() {
                    Some(tag) => *LANGS.iter().find(|lang| tag.eq_ignore_ascii_case(lang))?,
                    None if l.datatype() == xsd::STRING => LANGS[0],
                    None => return None,
                };
                Some((format!("{}@{lang}", self.key), l.value().to_owned()))
            }
            (_, FieldKind::LangText { .. }) => None,
            (Term::NamedNode(n), _) => Some((self.key.clone(), self.iri_text(n.as_str()))),
            (Term::Literal(l), FieldKind::Date) => {
                let date = l.value().split_once('T').map_or(l.value(), |(d, _)| d);
                Some((self.key.clone(), date.to_owned()))
            }
            (Term::Literal(l), _) => Some((self.key.clone(), l.value().to_owned())),
            _ => None,
        }
    }

    fn iri_text(&self, iri: &str) -> String {
        match iri.strip_prefix("mailto:") {
            Some(address) if self.mailto => address.to_owned(),
            _ => iri.to_owned(),
        }
    }
}

fn is_subject(triple: &Triple, node: &NamedNode) -> bool {
    matches!(&triple.subject, NamedOrBlankNode::NamedNode(n) if n == node)
}

// ---------------------------------------------------------------------------------------
// Form values → triples
// ---------------------------------------------------------------------------------------

/// Triples in insertion order without duplicates.
#[derive(Default)]
struct Output {
    triples: Vec<Triple>,
    seen: HashSet<Triple>,
}

impl Output {
    fn push(&mut self, triple: Triple) {
        if self.seen.insert(triple.clone()) {
            self.triples.push(triple);
        }
    }

    fn add(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>) {
        self.push(Triple::new(s.clone(), p, o));
    }
}

impl FormSpec {
    /// The record's triples after a form submission: keeps every stored triple the form does not show
    /// (pass the stored triples, empty for a new dataset), replaces the ones it shows, sets rdf:type dcat:Dataset,
    /// and sets dcterms:publisher <publisher>; describes the publisher (foaf:Agent, foaf:name@sv,
    /// dcterms:type) only when the stored triples do not.
    /// Distribution values go to `<root#distribution>`, contact values to `<root#contact>`
    /// (a vcard:Organization unless stored with another type); each node is linked from the
    /// dataset while it has any value. Empty inputs are dropped, whitespace trimmed.
    pub fn to_triples(
        &self,
        root: &NamedNode,
        values: &FormValues,
        stored: &[Triple],
        publisher: &NamedNode,
        publisher_name: &str,
    ) -> Vec<Triple> {
        let mut out = Output::default();
        let kept: Vec<&Triple> = stored.iter().filter(|t| !self.replaces(root, t)).collect();
        for triple in &kept {
            out.push((*triple).clone());
        }
        let mut filled = [false; 3];
        for field in &self.fields {
            let node = field.group.node(root);
            for value in field.objects(values) {
                out.add(&node, field.path.as_ref(), value);
                filled[field.group.index()] = true;
            }
        }
        out.add(root, rdf::TYPE, dcat::DATASET.into_owned());
        out.add(root, dcterms::PUBLISHER, publisher.clone());
        for (group, link) in [
            (Group::Distribution, dcat::DISTRIBUTION_LINK),
            (Group::Contact, dcat::CONTACT_POINT),
        ] {
            let node = group.node(root);
            if filled[group.index()] || kept.iter().any(|t| is_subject(t, &node)) {
                out.add(root, link, node.clone());
                link_type(&mut out, &kept, group, &node);
            }
        }
        if !kept.iter().any(|t| is_subject(t, publisher)) {
            self.describe_publisher(&mut out, publisher, publisher_name);
        }
        out.triples
    }

    /// Whether a stored triple is one the form shows (and so replaces on saving).
    fn replaces(&self, root: &NamedNode, triple: &Triple) -> bool {
        let distribution = Group::Distribution.node(root);
        let contact = Group::Contact.node(root);
        let links = [
            (dcterms::PUBLISHER, None),
            (dcat::DISTRIBUTION_LINK, Some(&distribution)),
            (dcat::CONTACT_POINT, Some(&contact)),
        ];
        if is_subject(triple, root) {
            let linked = links.iter().any(|(p, o)| {
                triple.predicate == *p && o.is_none_or(|o| triple.object == o.clone().into())
            });
            if linked {
                return true;
            }
        }
        if is_subject(triple, &distribution)
            && triple.predicate == rdf::TYPE
            && triple.object == dcat::DISTRIBUTION.into_owned().into()
        {
            return true;
        }
        self.fields.iter().any(|field| {
            is_subject(triple, &field.group.node(root))
                && triple.predicate == field.path
                && field.shown(&triple.object).is_some()
        })
    }

    fn describe_publisher(&self, out: &mut Output, publisher: &NamedNode, name: &str) {
        out.add(publisher, rdf::TYPE, foaf::AGENT.into_owned());
        let name = name.trim();
        if !name.is_empty() {
            let name = Literal::new_language_tagged_literal_unchecked(name, "sv");
            out.add(publisher, foaf::NAME, name);
        }
        out.add(publisher, dcterms::TYPE, self.publisher_type.clone());
    }
}

/// The type of the form's distribution or contact node; a contact point keeps a stored
/// type (an individual must not also become an organisation).
fn link_type(out: &mut Output, kept: &[&Triple], group: Group, node: &NamedNode) {
    let class = match group {
        Group::Distribution => dcat::DISTRIBUTION,
        Group::Contact
            if kept
                .iter()
                .any(|t| is_subject(t, node) && t.predicate == rdf::TYPE) =>
        {
            return;
        }
        Group::Contact => iri::VCARD_ORGANIZATION,
        Group::Dataset => return,
    };
    out.add(node, rdf::TYPE, class.into_owned());
}

impl Field {
    /// The RDF values of this field in a submission.
    fn objects(&self, values: &FormValues) -> Vec<Term> {
        match self.kind {
            FieldKind::LangText { .. } => LANGS
                .iter()
                .flat_map(|lang| {
                    self.inputs(values, &format!("{}@{lang}", self.key))
                        .into_iter()
                        .map(|text| {
                            Literal::new_language_tagged_literal_unchecked(text, *lang).into()
                        })
                })
                .collect(),
            _ => self
                .inputs(values, &self.key)
                .into_iter()
                .map(|text| self.term(text))
                .collect(),
        }
    }

    /// The submitted texts of one input: trimmed, split into lines for list fields, no
    /// empty ones.
    fn inputs(&self, values: &FormValues, key: &str) -> Vec<String> {
        let submitted = values.get(key).map(Vec::as_slice).unwrap_or_default();
        let mut texts = Vec::new();
        for raw in submitted {
            // Browsers send text area line breaks as CRLF.
            let raw = raw.replace("\r\n", "\n");
            let parts: Vec<&str> = match (self.list, &self.kind) {
                (true, FieldKind::Iri) => raw.split_whitespace().collect(),
                (true, _) => raw.lines().collect(),
                (false, _) => vec![raw.as_str()],
            };
            texts.extend(
                parts
                    .iter()
                    .map(|p| p.trim())
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            );
        }
        texts
    }

    /// One submitted text as an RDF term of this field's kind.
    fn term(&self, text: String) -> Term {
        match &self.kind {
            FieldKind::Iri | FieldKind::Choice(_) => self.iri_term(text),
            FieldKind::Date => {
                let datatype = date_datatype(&text);
                Literal::new_typed_literal(text, datatype).into()
            }
            FieldKind::Text => match &self.datatype {
                Some(datatype) => {
                    Literal::new_typed_literal(number_text(text, datatype), datatype.clone()).into()
                }
                None => Literal::new_simple_literal(text).into(),
            },
            FieldKind::LangText { .. } | FieldKind::Suggest(_) => {
                Literal::new_simple_literal(text).into()
            }
        }
    }

    /// An IRI, or the text as a literal when it is not one, so that validation reports it.
    fn iri_term(&self, text: String) -> Term {
        let iri = if self.mailto && !text.starts_with("mailto:") {
            format!("mailto:{text}")
        } else {
            text.clone()
        };
        match NamedNode::new(iri) {
            Ok(iri) => iri.into(),
            Err(_) => Literal::new_simple_literal(text).into(),
        }
    }
}

/// `2024` is a year, `2024-05-01T10:00:00` a time, anything else is meant as a date.
fn date_datatype(text: &str) -> NamedNodeRef<'static> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        xsd::G_YEAR
    } else if text.contains('T') {
        xsd::DATE_TIME
    } else {
        xsd::DATE
    }
}

/// Swedish decimal commas become points in numeric literals.
fn number_text(text: String, datatype: &NamedNode) -> String {
    let numeric = [xsd::DECIMAL, xsd::DOUBLE, xsd::FLOAT].contains(&datatype.as_ref());
    if numeric {
        text.replace(',', ".")
    } else {
        text
    }
}

// ---------------------------------------------------------------------------------------
// Validation report → messages per field
// ---------------------------------------------------------------------------------------

impl FormSpec {
    /// Violations by field key, with messages in `lang` ("sv" or "en"). Results on the root,
    /// `<root#distribution>` and `<root#contact>` go to the field of their path (a
    /// language-tagged field's base key, e.g. `title`); other results about the distribution
    /// or contact node go to [`DISTRIBUTION_KEY`] / [`CONTACT_KEY`], as do the dataset's
    /// missing links to them; everything else (e.g. the publisher) goes under "".
    pub fn errors(
        &self,
        report: &ValidationReport,
        root: &NamedNode,
        lang: &str,
    ) -> BTreeMap<String, Vec<String>> {
        self.messages(report, root, lang, |s| {
            matches!(s, Severity::Violation | Severity::Other(_))
        })
    }

    /// Warnings and infos (missing recommended values, values outside a vocabulary), keyed
    /// as [`FormSpec::errors`].
    pub fn warnings(
        &self,
        report: &ValidationReport,
        root: &NamedNode,
        lang: &str,
    ) -> BTreeMap<String, Vec<String>> {
        self.messages(report, root, lang, |s| {
            matches!(s, Severity::Warning | Severity::Info)
        })
    }

    fn messages(
        &self,
        report: &ValidationReport,
        root: &NamedNode,
        lang: &str,
        keep: impl Fn(&Severity) -> bool,
    ) -> BTreeMap<String, Vec<String>> {
        let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for result in report.results.iter().filter(|r| keep(&r.severity)) {
            let list = messages.entry(self.result_key(result, root)).or_default();
            let message = message_in(result, lang);
            if !list.contains(&message) {
                list.push(message);
            }
        }
        messages
    }

    fn result_key(&self, result: &ValidationResult, root: &NamedNode) -> String {
        let group = [Group::Dataset, Group::Distribution, Group::Contact]
            .into_iter()
            .find(|g| result.focus_node == g.node(root).into());
        let Some(group) = group else {
            return String::new();
        };
        let predicate = result.path.as_ref().and_then(|p| p.as_predicate());
        let Some(predicate) = predicate else {
            return group.key().to_owned();
        };
        if let Some(field) = self
            .fields
            .iter()
            .find(|f| f.group == group && &f.path == predicate)
        {
            return field.key.clone();
        }
        match group {
            Group::Dataset if *predicate == dcat::DISTRIBUTION_LINK => DISTRIBUTION_KEY.to_owned(),
            Group::Dataset if *predicate == dcat::CONTACT_POINT => CONTACT_KEY.to_owned(),
            _ => group.key().to_owned(),
        }
    }
}

/// The result's message in `lang`, else English, else any; a generated text when none.
fn message_in(result: &ValidationResult, lang: &str) -> String {
    let tagged = |wanted: &str| {
        result
            .messages
            .iter()
            .find(|m| m.language().is_some_and(|t| lang_matches(t, wanted)))
    };
    tagged(lang)
        .or_else(|| tagged("en"))
        .or_else(|| result.messages.first())
        .map(|m| m.value().to_owned())
        .unwrap_or_else(|| {
            format!(
                "{} ({})",
                result.component.as_str(),
                result.severity.label()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shacl::Shapes;
    use std::path::PathBuf;
    use std::sync::OnceLock;

    const ROOT: &str = "https://katalog.example/datasets/badplatser";
    const PUBLISHER: &str = "http://dataportal.se/organisation/SE2120009994";
    const THEME_ENVI: &str = "http://publications.europa.eu/resource/authority/data-theme/ENVI";

    fn folder(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
    }

    fn shapes_graph() -> &'static Graph {
        static GRAPH: OnceLock<Graph> = OnceLock::new();
        GRAPH.get_or_init(|| crate::shacl::read_graph(&[folder("shapes")]).unwrap())
    }

    fn spec() -> &'static FormSpec {
        static SPEC: OnceLock<FormSpec> = OnceLock::new();
        SPEC.get_or_init(|| {
            let vocab = crate::shacl::read_graph(&[folder("vocab")]).unwrap();
            FormSpec::from_graphs(shapes_graph(), &vocab)
        })
    }

    fn shapes() -> &'static Shapes {
        static SHAPES: OnceLock<Shapes> = OnceLock::new();
        SHAPES.get_or_init(|| Shapes::from_graph(shapes_graph()).unwrap())
    }

    fn iri(s: &str) -> NamedNode {
        NamedNode::new(s).unwrap()
    }

    fn values(pairs: &[(&str, &str)]) -> FormValues {
        form_values(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    /// Every required field filled, plus a few others.
    fn filled() -> FormValues {
        values(&[
            ("title@sv", "Badplatser"),
            ("title@en", "Bathing sites"),
            (
                "description@sv",
                "Kommunens badplatser med vattentemperatur.",
            ),
            ("keyword@sv", "bad"),
            ("keyword@sv", "strand"),
            ("theme", THEME_ENVI),
            (
                "accessRights",
                "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
            ),
            ("issued", "2024-05-01"),
            ("landingPage", "https://www.exempelkommun.example/bad"),
            (
                "distribution.accessURL",
                "https://www.exempelkommun.example/files/bad.csv",
            ),
            ("distribution.format", "text/csv"),
            (
                "distribution.license",
                "http://creativecommons.org/publicdomain/zero/1.0/",
            ),
            ("distribution.description@sv", "Badplatserna som CSV."),
            ("contact.name", "Exempelkommun, öppna data"),
            ("contact.email", "oppnadata@exempelkommun.example"),
        ])
    }

    fn triples(values: &FormValues, stored: &[Triple]) -> Vec<Triple> {
        spec().to_triples(&iri(ROOT), values, stored, &iri(PUBLISHER), "Exempelkommun")
    }

    fn validate(triples: &[Triple]) -> ValidationReport {
        let mut graph = Graph::new();
        for triple in triples {
            graph.insert(triple);
        }
        shapes().validate(&graph)
    }

    fn field(key: &str) -> &'static Field {
        spec()
            .field(key)
            .unwrap_or_else(|| panic!("no field {key}"))
    }

    #[test]
    fn title_and_description_come_first_and_are_required_lang_text() {
        let keys: Vec<&str> = spec().fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys[..2], ["title", "description"], "{keys:?}");
        let title = field("title");
        assert!(title.required && !title.recommended);
        assert_eq!(title.kind, FieldKind::LangText { multiline: false });
        assert_eq!(
            (title.label_sv.as_str(), title.label_en.as_str()),
            ("Titel", "Title")
        );
        assert!(!title.help_sv.is_empty() && !title.help_en.is_empty());
        let description = field("description");
        assert!(description.required);
        assert_eq!(description.kind, FieldKind::LangText { multiline: true });
        assert_eq!(description.group, Group::Dataset);
    }

    #[test]
    fn dataset_fields_follow_the_shapes() {
        for skipped in [
            "publisher",
            "modified",
            "distribution",
            "contactPoint",
            "spatial",
            "temporal",
        ] {
            assert!(spec().field(skipped).is_none(), "{skipped} is in the form");
        }
        assert!(field("keyword").recommended && field("keyword").list);
        assert_eq!(field("issued").kind, FieldKind::Date);
        assert!(!field("issued").multiple);
        assert_eq!(field("landingPage").kind, FieldKind::Iri);
        assert_eq!(field("identifier").kind, FieldKind::Text);
        assert_eq!(
            field("admsIdentifier").path.as_str(),
            "http://www.w3.org/ns/adms#identifier"
        );
        assert_eq!(
            field("spatialResolutionInMeters").datatype,
            Some(xsd::DECIMAL.into_owned())
        );
        // Mandatory, then recommended, then optional.
        let levels: Vec<u8> = spec()
            .fields
            .iter()
            .filter(|f| f.group == Group::Dataset)
            .map(level)
            .collect();
        assert!(levels.is_sorted(), "{levels:?}");
    }

    #[test]
    fn theme_is_a_choice_with_swedish_labels_from_the_vocabulary() {
        let theme = field("theme");
        assert!(theme.recommended && theme.multiple);
        let FieldKind::Choice(choices) = &theme.kind else {
            panic!("theme is {:?}", theme.kind);
        };
        assert_eq!(choices.len(), 13);
        let envi = choices.iter().find(|c| c.iri == THEME_ENVI).unwrap();
        assert_eq!(envi.label_sv, "Miljö");
        assert_eq!(envi.label_en, "Environment");
        assert_eq!(envi.value, THEME_ENVI);
    }

    #[test]
    fn distribution_and_contact_fields() {
        let format = field("distribution.format");
        assert!(format.required && !format.multiple);
        let FieldKind::Suggest(types) = &format.kind else {
            panic!("format is {:?}", format.kind);
        };
        assert!(
            types
                .iter()
                .any(|c| c.value == "text/csv" && c.label_sv == "CSV (.csv)")
        );
        assert!(field("distribution.accessURL").required);
        assert!(field("distribution.downloadURL").list);
        let FieldKind::Choice(licences) = &field("distribution.license").kind else {
            panic!("licence is not a choice");
        };
        assert_eq!(licences.len(), 7);
        assert!(field("distribution.title@sv").group == Group::Distribution);
        assert!(field("contact.name").required);
        let email = field("contact.email");
        assert!(email.required && email.mailto);
        assert_eq!(
            spec().publisher_type.as_str(),
            iri::LOCAL_AUTHORITY.as_str()
        );
    }

    #[test]
    fn filled_form_validates_without_violations() {
        let triples = triples(&filled(), &[]);
        let report = validate(&triples);
        assert!(!report.has_violations(), "{}", report.to_text());
        let distribution = Group::Distribution.node(&iri(ROOT));
        let format = Triple::new(
            distribution,
            dcterms::FORMAT,
            Literal::new_simple_literal("text/csv"),
        );
        assert!(triples.contains(&format));
        let email = iri("mailto:oppnadata@exempelkommun.example");
        let contact = Group::Contact.node(&iri(ROOT));
        assert!(triples.contains(&Triple::new(contact, iri::VCARD_HAS_EMAIL, email)));
        let issued = Literal::new_typed_literal("2024-05-01", xsd::DATE);
        assert!(triples.contains(&Triple::new(iri(ROOT), dcterms::ISSUED, issued)));
        let agent_type = Triple::new(iri(PUBLISHER), dcterms::TYPE, iri::LOCAL_AUTHORITY);
        assert!(triples.contains(&agent_type));
    }

    #[test]
    fn empty_title_is_an_error_under_title() {
        let mut values = filled();
        values.insert("title@sv".into(), vec!["  ".into()]);
        values.remove("title@en");
        let report = validate(&triples(&values, &[]));
        let errors = spec().errors(&report, &iri(ROOT), "sv");
        assert_eq!(
            errors.get("title"),
            Some(&vec![
                "Datamängden saknar titel (dcterms:title). Uppgiften är obligatorisk.".to_owned()
            ]),
            "{errors:?}"
        );
        let english = spec().errors(&report, &iri(ROOT), "en");
        assert_eq!(
            english["title"],
            ["The dataset has no title (dcterms:title); it is mandatory."]
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn errors_map_to_distribution_and_contact_fields() {
        let mut values = filled();
        values.remove("distribution.format");
        values.insert("contact.email".into(), vec!["inte en adress".into()]);
        values.insert(
            "landingPage".into(),
            vec!["www.exempelkommun.example".into()],
        );
        let report = validate(&triples(&values, &[]));
        let errors = spec().errors(&report, &iri(ROOT), "sv");
        assert!(errors.contains_key("distribution.format"), "{errors:?}");
        assert!(errors.contains_key("contact.email"), "{errors:?}");
        assert!(errors.contains_key("landingPage"), "{errors:?}");
        // The literal keeps what was typed, so the form shows it again.
        let shown = spec().values_of(&iri(ROOT), &triples(&values, &[]));
        assert_eq!(shown["landingPage"], ["www.exempelkommun.example"]);
        assert_eq!(shown["contact.email"], ["inte en adress"]);
    }

    #[test]
    fn no_contact_point_is_a_contact_error() {
        let mut values = filled();
        values.remove("contact.name");
        values.remove("contact.email");
        let report = validate(&triples(&values, &[]));
        let errors = spec().errors(&report, &iri(ROOT), "en");
        assert!(errors.contains_key(CONTACT_KEY), "{errors:?}");
    }

    #[test]
    fn values_round_trip() {
        let mut values = filled();
        values.insert(
            "distribution.downloadURL".into(),
            vec!["https://a.example/1.csv\r\nhttps://a.example/2.csv\n".into()],
        );
        let stored = triples(&values, &[]);
        let read = spec().values_of(&iri(ROOT), &stored);
        let mut expected = filled();
        expected.insert(
            "distribution.downloadURL".into(),
            vec![
                "https://a.example/1.csv".into(),
                "https://a.example/2.csv".into(),
            ],
        );
        for list in expected.values_mut() {
            list.sort();
        }
        assert_eq!(read, expected);
        // Saving the values read gives the same triples.
        let again = triples(&read, &stored);
        let as_set = |t: &[Triple]| t.iter().cloned().collect::<HashSet<_>>();
        assert_eq!(as_set(&again), as_set(&stored));
    }

    #[test]
    fn triples_the_form_does_not_show_survive() {
        let root = iri(ROOT);
        let distribution = Group::Distribution.node(&root);
        let other = iri("https://katalog.example/datasets/badplatser#api");
        let unshown = vec![
            Triple::new(
                root.clone(),
                dcterms::TITLE,
                Literal::new_language_tagged_literal_unchecked("Badestellen", "de"),
            ),
            Triple::new(
                root.clone(),
                dcterms::MODIFIED,
                Literal::new_typed_literal("2025-01-01", xsd::DATE),
            ),
            Triple::new(
                root.clone(),
                iri("http://purl.org/dc/terms/spatial"),
                iri("https://example.org/area"),
            ),
            Triple::new(root.clone(), dcat::DISTRIBUTION_LINK, other.clone()),
            Triple::new(other, dcat::ACCESS_URL, iri("https://a.example/api")),
            Triple::new(
                distribution.clone(),
                iri("http://www.w3.org/ns/dcat#byteSize"),
                Literal::new_typed_literal("12", xsd::NON_NEGATIVE_INTEGER),
            ),
            Triple::new(iri(PUBLISHER), rdf::TYPE, foaf::AGENT),
        ];
        let shown = vec![
            Triple::new(
                root.clone(),
                dcterms::TITLE,
                Literal::new_language_tagged_literal_unchecked("Gammal titel", "sv"),
            ),
            Triple::new(
                root.clone(),
                dcterms::PUBLISHER,
                iri("https://old.example/publisher"),
            ),
            Triple::new(
                distribution.clone(),
                dcterms::FORMAT,
                Literal::new_simple_literal("text/plain"),
            ),
        ];
        let stored: Vec<Triple> = unshown.iter().chain(&shown).cloned().collect();
        let result = triples(&filled(), &stored);
        for triple in &unshown {
            assert!(result.contains(triple), "lost {triple}");
        }
        for triple in &shown {
            assert!(!result.contains(triple), "kept {triple}");
        }
        // The publisher is described elsewhere: no name or type added.
        assert!(
            !result
                .iter()
                .any(|t| is_subject(t, &iri(PUBLISHER)) && t.predicate == foaf::NAME)
        );
    }

    #[test]
    fn empty_groups_add_no_nodes() {
        let values = values(&[("title@sv", "Titel"), ("description@sv", "Text")]);
        let result = triples(&values, &[]);
        let root = iri(ROOT);
        assert!(
            !result
                .iter()
                .any(|t| t.predicate == dcat::DISTRIBUTION_LINK)
        );
        assert!(!result.iter().any(|t| t.predicate == dcat::CONTACT_POINT));
        assert!(result.contains(&Triple::new(root.clone(), rdf::TYPE, dcat::DATASET)));
        assert!(result.contains(&Triple::new(root, dcterms::PUBLISHER, iri(PUBLISHER))));
    }
}
