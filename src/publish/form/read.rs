//! A stored record → form values.

use super::{Field, FieldKind, FormSpec, FormValues, LANGS, is_subject};
use oxigraph::model::{NamedNode, Triple};
use oxrdf::Term;
use oxrdf::vocab::xsd;

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
