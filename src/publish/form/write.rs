//! Form values → the record's triples.

use super::{Field, FieldKind, FormSpec, FormValues, Group, LANGS, iri, is_subject};
use crate::rdf::ns::{dcat, dcterms, foaf};
use oxigraph::model::{NamedNode, Triple};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Literal, NamedNodeRef, Term};
use std::collections::HashSet;

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
