//! Reading a record's triples as descriptions: the values of a subject's property, and the
//! text of a property in the reader's language. Pages and the schema.org description read
//! records this way.
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use std::collections::HashMap;

pub struct Descriptions<'a> {
    by_subject: HashMap<&'a NamedOrBlankNode, Vec<&'a Triple>>,
}

impl<'a> Descriptions<'a> {
    pub fn new(triples: &'a [Triple]) -> Self {
        let mut by_subject: HashMap<&NamedOrBlankNode, Vec<&Triple>> = HashMap::new();
        for t in triples {
            by_subject.entry(&t.subject).or_default().push(t);
        }
        Self { by_subject }
    }

    /// The objects of `subject`'s `predicate`, in the order of the triples.
    pub fn objects<'s>(
        &'s self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'s>,
    ) -> impl Iterator<Item = &'a Term> + use<'a, 's> {
        self.by_subject
            .get(subject)
            .into_iter()
            .flatten()
            .filter(move |t| t.predicate.as_ref() == predicate)
            .map(|t| &t.object)
    }

    /// The IRIs among them.
    pub fn iris(
        &self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
    ) -> Vec<&'a NamedNode> {
        self.objects(subject, predicate)
            .filter_map(|o| match o {
                Term::NamedNode(n) => Some(n),
                _ => None,
            })
            .collect()
    }

    /// The IRIs and blank nodes among them, as subjects to read further.
    pub fn nodes(
        &self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
    ) -> Vec<NamedOrBlankNode> {
        self.objects(subject, predicate)
            .filter_map(|o| match o {
                Term::NamedNode(n) => Some(n.clone().into()),
                Term::BlankNode(b) => Some(b.clone().into()),
                Term::Literal(_) => None,
            })
            .collect()
    }

    /// Every literal value, whatever its language.
    pub fn all_texts(
        &self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
    ) -> Vec<&'a str> {
        self.objects(subject, predicate)
            .filter_map(|o| match o {
                Term::Literal(l) => Some(l.value()),
                _ => None,
            })
            .collect()
    }

    /// The literal values in `lang`; if there are none, those without a language; then
    /// those in Swedish, English, and any other, so that a reader always sees something.
    pub fn texts(
        &self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
        lang: &str,
    ) -> Vec<&'a str> {
        let literals: Vec<(&'a str, Option<&'a str>)> = self
            .objects(subject, predicate)
            .filter_map(|o| match o {
                Term::Literal(l) => Some((l.value(), l.language())),
                _ => None,
            })
            .collect();
        for wanted in [Some(lang), None, Some("sv"), Some("en")] {
            let found: Vec<&'a str> = literals
                .iter()
                .filter(|(_, tag)| match (wanted, tag) {
                    (None, None) => true,
                    (Some(w), Some(t)) => language_matches(t, w),
                    _ => false,
                })
                .map(|(v, _)| *v)
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        literals.into_iter().map(|(v, _)| v).collect()
    }

    /// The first of [`Descriptions::texts`].
    pub fn text(
        &self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
        lang: &str,
    ) -> Option<&'a str> {
        self.texts(subject, predicate, lang).into_iter().next()
    }

    /// Whether `subject` has `class` as a type.
    pub fn has_type(&self, subject: &NamedOrBlankNode, class: NamedNodeRef<'_>) -> bool {
        self.iris(subject, super::ns::rdf::TYPE)
            .iter()
            .any(|c| c.as_ref() == class)
    }
}

/// Whether a language tag is `wanted` or one of its regions (`sv-SE` for `sv`).
fn language_matches(tag: &str, wanted: &str) -> bool {
    tag.eq_ignore_ascii_case(wanted)
        || tag
            .get(..wanted.len() + 1)
            .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{wanted}-")))
}
