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
//!
//! `fields` builds the form from the shapes, `read` shows a stored record in it, `write`
//! turns a submission into the record's triples and `errors` puts a validation report's
//! messages beside the fields.

mod errors;
mod fields;
mod read;
mod write;

use oxigraph::model::{NamedNode, Triple};
use oxrdf::NamedOrBlankNode;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// IRIs the form needs beyond `crate::rdf::ns` and `crate::shacl::sh`.
mod iri {
    use oxrdf::NamedNodeRef;
    macro_rules! iris {
        ($($name:ident = $iri:literal;)*) => {
            $(pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked($iri);)*
        };
    }
    iris! {
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

fn is_subject(triple: &Triple, node: &NamedNode) -> bool {
    matches!(&triple.subject, NamedOrBlankNode::NamedNode(n) if n == node)
}

/// Whether a language tag is `lang` or one of its subtags (`sv-SE` for `sv`).
fn lang_matches(tag: &str, lang: &str) -> bool {
    let tag = tag.to_ascii_lowercase();
    tag == lang
        || tag
            .strip_prefix(lang)
            .is_some_and(|rest| rest.starts_with('-'))
}

#[cfg(test)]
mod tests;
