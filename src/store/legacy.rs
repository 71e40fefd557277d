//! Stores written by katalog before the ledger kept their bookkeeping, the change log and
//! the published copies in the Oxigraph store's default graph. At open, that is moved to the
//! ledger and the default graph emptied, once: the ledger is written (durably) before the
//! default graph is cleared, so a crash in between only means the move runs again.
use super::StoreError;
use super::ledger::{Entry, Ledger, Note, Site, StoredEvent};
use crate::rdf::ns::kat;
use oxigraph::model::{GraphNameRef, NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;
use redb::Durability;
use std::collections::BTreeMap;

const EVENT_PREFIX: &str = "urn:katalog:event:";

/// What the default graph said about one subject: predicate IRI → value.
type Values = BTreeMap<String, String>;

pub fn move_bookkeeping(store: &Store, ledger: &Ledger) -> Result<(), StoreError> {
    let default = GraphNameRef::DefaultGraph;
    if store
        .quads_for_pattern(None, None, None, Some(default))
        .next()
        .is_none()
    {
        return Ok(());
    }
    let mut subjects: BTreeMap<String, Values> = BTreeMap::new();
    for quad in store.quads_for_pattern(None, None, None, Some(default)) {
        let Quad {
            subject,
            predicate,
            object,
            ..
        } = quad?;
        let NamedOrBlankNode::NamedNode(subject) = subject else {
            continue;
        };
        let value = match object {
            Term::Literal(l) => l.value().to_owned(),
            Term::NamedNode(n) => n.into_string(),
            Term::BlankNode(_) => continue,
        };
        subjects
            .entry(subject.into_string())
            .or_default()
            .insert(predicate.into_string(), value);
    }
    tracing::warn!(
        subjects = subjects.len(),
        "moving bookkeeping from the store's default graph to the ledger"
    );
    ledger.update(Durability::Immediate, |batch| {
        for (subject, values) in &subjects {
            let get = |p: oxigraph::model::NamedNodeRef<'_>| values.get(p.as_str()).cloned();
            if subject == kat::SITE.as_str() {
                batch.set_site(Site::LastChange, get(kat::LAST_CHANGE).as_deref())?;
                batch.set_site(Site::EventSeq, get(kat::EVENT_SEQ).as_deref())?;
                batch.set_site(Site::BaseUri, get(kat::BASE_URI).as_deref())?;
                batch.set_site(Site::SourcesComplete, get(kat::SOURCES_COMPLETE).as_deref())?;
            } else if let Some(seq) = subject.strip_prefix(EVENT_PREFIX) {
                let (Ok(seq), Some(activity), Some(object)) =
                    (seq.parse(), get(kat::ACTIVITY), get(kat::OBJECT))
                else {
                    continue;
                };
                batch.push_event(
                    seq,
                    &StoredEvent {
                        activity,
                        object,
                        published: get(kat::PUBLISHED).unwrap_or_default(),
                        state: get(kat::STATE).unwrap_or_default(),
                    },
                )?;
            } else {
                if let Some(when) = get(kat::DELETED) {
                    batch.set_deleted(subject, Some(&when))?;
                }
                let (Some(kind), Some(modified), Some(hash)) =
                    (get(kat::KIND), get(kat::MODIFIED), get(kat::HASH))
                else {
                    continue;
                };
                let entry = Entry {
                    kind,
                    modified,
                    hash,
                    publisher: get(kat::PUBLISHER),
                    checked_with: get(kat::CHECKED_WITH),
                    invalid: values.contains_key(kat::INVALID.as_str()),
                    fails_active: values.contains_key(kat::FAILS_ACTIVE.as_str()),
                    origin: None,
                };
                batch.put_entry(subject, &entry)?;
                if let Some(source) = get(kat::SOURCE) {
                    batch.put_source(subject, &source)?;
                }
                batch.set_note(subject, Note::Warnings, get(kat::WARNINGS).as_deref())?;
                batch.set_note(subject, Note::Invalid, get(kat::INVALID).as_deref())?;
                batch.set_note(
                    subject,
                    Note::FailsActive,
                    get(kat::FAILS_ACTIVE).as_deref(),
                )?;
            }
        }
        Ok(())
    })?;
    store.clear_graph(default)?;
    Ok(())
}

/// Writes records as katalog before the ledger did (graph plus default-graph bookkeeping,
/// no published copy), with their change log when `with_log`: older stores for the
/// migration tests.
#[cfg(test)]
pub fn write_older_store(
    store: &Store,
    records: &[super::Record],
    modified: &str,
    with_log: bool,
) -> Result<(), StoreError> {
    use crate::rdf::ns::xsd;
    use oxigraph::model::{Literal, NamedNode, QuadRef};
    let default = GraphNameRef::DefaultGraph;
    let time = Literal::new_typed_literal(modified, xsd::DATE_TIME);
    for (seq, record) in records.iter().enumerate() {
        let iri = record.iri.as_ref();
        let mut triples = record.triples.clone();
        for t in &triples {
            store.insert(t.as_ref().in_graph(iri))?;
        }
        let hash = Literal::new_simple_literal(crate::rdf::canonical_hash(&record.triples));
        store.insert(QuadRef::new(iri, kat::KIND, record.kind.class(), default))?;
        store.insert(QuadRef::new(iri, kat::MODIFIED, &time, default))?;
        store.insert(QuadRef::new(iri, kat::HASH, &hash, default))?;
        if let Some(publisher) = record.publisher() {
            store.insert(QuadRef::new(iri, kat::PUBLISHER, publisher, default))?;
        }
        if with_log {
            let event = NamedNode::new_unchecked(format!("{EVENT_PREFIX}{seq:012}"));
            let state = super::source::encode(&mut triples);
            let create = super::Activity::Create.iri();
            store.insert(QuadRef::new(&event, kat::ACTIVITY, create, default))?;
            store.insert(QuadRef::new(&event, kat::OBJECT, iri, default))?;
            store.insert(QuadRef::new(&event, kat::PUBLISHED, &time, default))?;
            store.insert(QuadRef::new(&event, kat::STATE, &state, default))?;
        }
    }
    let site = NamedNode::new_unchecked(kat::SITE.as_str());
    let seq = Literal::from(records.len() as i64);
    store.insert(QuadRef::new(&site, kat::EVENT_SEQ, &seq, default))?;
    store.insert(QuadRef::new(&site, kat::LAST_CHANGE, &time, default))?;
    Ok(())
}
