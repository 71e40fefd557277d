//! Records stored by a katalog older than the published copies (see `store::source`) exist
//! only as Oxigraph's normalised graph. This migration, run once at start before the
//! re-check, gives each of them a published copy again:
//!
//! 1. **Exactly, from the change log**, where it can: the event of the write that produced
//!    the stored graph (its time is the record's time of writing) holds the record's triples
//!    as written.
//! 2. **By rule** otherwise: a literal whose property's shape demands a datatype
//!    (`sh:datatype xsd:nonNegativeInteger` on `dcat:byteSize`, …) and that Oxigraph stored
//!    under another (`xsd:integer`) is given the demanded datatype back, when its value is
//!    valid for it. Lexical forms Oxigraph changed (`"007"` → `"7"`, `+00:00` → `Z`) cannot
//!    be recovered this way; they stay as stored.
//!
//! Each restored literal is logged.
use crate::shacl::{Shapes, is_valid_lexical};
use crate::store::{Activity, Catalogue, StoreError, parse_time};
use oxigraph::model::{Literal, NamedNode, Term, Triple};
use std::collections::{BTreeMap, HashMap};

/// What the migration did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migration {
    /// Records whose published copy came from the change log.
    pub from_log: usize,
    /// Records rebuilt from the stored graph (by rule).
    pub by_rule: usize,
    /// Literals given back the datatype their shape demands.
    pub literals_restored: usize,
}

const BATCH: usize = 1000;

/// Gives every record without a published copy one.
pub fn restore_sources(
    catalogue: &Catalogue,
    shapes: Option<&Shapes>,
) -> Result<Migration, StoreError> {
    let mut outcome = Migration::default();
    if catalogue.sources_complete()? {
        return Ok(outcome);
    }
    let missing = catalogue.records_without_source()?;
    if missing.is_empty() {
        return catalogue.set_sources_complete().map(|()| outcome);
    }
    tracing::warn!(
        records = missing.len(),
        "records stored by an older katalog: restoring their published form"
    );
    let written = last_writes(catalogue)?;
    let datatypes = shapes
        .map(Shapes::datatypes_by_predicate)
        .unwrap_or_default();
    let index = catalogue.index()?;
    let mut batch = Vec::new();
    for iri in missing {
        let modified = index.get(&iri).map(|r| r.modified);
        let logged = written
            .get(iri.as_str())
            .filter(|(time, _)| Some(*time) == modified)
            .and_then(|(_, state)| crate::store::source::decode(state));
        let triples = match logged {
            Some(triples) => {
                outcome.from_log += 1;
                triples
            }
            None => {
                let stored = catalogue.stored_graph(iri.as_ref())?.unwrap_or_default();
                outcome.by_rule += 1;
                restore_datatypes(&iri, stored, &datatypes, &mut outcome.literals_restored)
            }
        };
        batch.push((iri, triples));
        if batch.len() == BATCH {
            catalogue.keep_sources(&batch)?;
            batch.clear();
        }
    }
    catalogue.keep_sources(&batch)?;
    catalogue.set_sources_complete()?;
    tracing::warn!(?outcome, "published form of older records restored");
    Ok(outcome)
}

/// For each record, the time and state of its last create or update in the change log.
fn last_writes(
    catalogue: &Catalogue,
) -> Result<HashMap<String, (time::OffsetDateTime, String)>, StoreError> {
    let mut last = HashMap::new();
    for event in catalogue.events()? {
        if event.activity == Activity::Delete {
            last.remove(event.object.as_str());
            continue;
        }
        if let Some(time) = parse_time(&event.published) {
            last.insert(event.object.as_str().to_owned(), (time, event.state));
        }
    }
    Ok(last)
}

/// The stored triples with each literal given the datatype its property's shape demands,
/// where Oxigraph stored it under another and the value is valid for the demanded one.
fn restore_datatypes(
    record: &NamedNode,
    triples: Vec<Triple>,
    datatypes: &BTreeMap<String, String>,
    restored: &mut usize,
) -> Vec<Triple> {
    triples
        .into_iter()
        .map(|mut t| {
            if let Term::Literal(l) = &t.object
                && let Some(demanded) = datatypes.get(t.predicate.as_str())
                && stored_as(demanded) == Some(l.datatype().as_str())
                && is_valid_lexical(demanded, l.value())
            {
                tracing::info!(
                    record = %record,
                    predicate = %t.predicate,
                    value = l.value(),
                    from = l.datatype().as_str(),
                    to = demanded.as_str(),
                    "datatype restored"
                );
                *restored += 1;
                let demanded = NamedNode::new_unchecked(demanded.clone());
                t.object = Literal::new_typed_literal(l.value(), demanded).into();
            }
            t
        })
        .collect()
}

/// The datatype Oxigraph stores a literal of `datatype` under, when that is another one.
fn stored_as(datatype: &str) -> Option<&'static str> {
    let local = datatype.strip_prefix("http://www.w3.org/2001/XMLSchema#")?;
    match local {
        "byte" | "short" | "int" | "long" | "unsignedByte" | "unsignedShort" | "unsignedInt"
        | "unsignedLong" | "positiveInteger" | "negativeInteger" | "nonPositiveInteger"
        | "nonNegativeInteger" => Some("http://www.w3.org/2001/XMLSchema#integer"),
        "dateTimeStamp" => Some("http://www.w3.org/2001/XMLSchema#dateTime"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf::ns::xsd;
    use oxigraph::model::GraphNameRef;

    const BASE: &str = "https://data.example.se/";

    /// A store as an older katalog left it: records whose graphs hold Oxigraph's values,
    /// bookkeeping in the default graph and no published copy; with `keep_log` false, their
    /// change log is gone too.
    fn older_store(dir: &std::path::Path, keep_log: bool) -> Catalogue {
        let mut turtle = crate::generate::catalogue_turtle(1);
        turtle.push_str(
            "<datasets/d0/distributions/csv> dcat:byteSize \"1037\"^^xsd:nonNegativeInteger .\n",
        );
        let triples = crate::rdf::parse_graph(
            turtle.as_bytes(),
            oxigraph::io::RdfFormat::Turtle,
            Some(BASE),
        )
        .unwrap();
        let records = crate::store::split_records(triples, BASE).records;
        {
            let store = oxigraph::store::Store::open(dir).unwrap();
            crate::store::legacy::write_older_store(
                &store,
                &records,
                "2026-01-01T10:00:00.000Z",
                keep_log,
            )
            .unwrap();
        }
        let catalogue = Catalogue::open(dir).unwrap();
        assert!(
            catalogue
                .oxigraph()
                .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
                .next()
                .is_none(),
            "the bookkeeping moved out of the store"
        );
        assert_eq!(catalogue.index().unwrap().records.len(), records.len());
        assert!(
            !catalogue.sources_complete().unwrap(),
            "a store with records is searched for missing copies"
        );
        catalogue
    }

    fn byte_size(catalogue: &Catalogue) -> String {
        let iri = NamedNode::new_unchecked(format!("{BASE}datasets/d0"));
        catalogue
            .record(iri.as_ref())
            .unwrap()
            .unwrap()
            .iter()
            .find(|t| t.predicate.as_str().ends_with("#byteSize"))
            .unwrap()
            .object
            .to_string()
    }

    #[test]
    fn older_records_get_their_published_form_back_once() {
        let shapes =
            Shapes::load(&[std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shapes")])
                .unwrap();
        let published = "\"1037\"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>";
        for keep_log in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let catalogue = older_store(dir.path(), keep_log);
            assert_ne!(
                byte_size(&catalogue),
                published,
                "the graph holds Oxigraph's value"
            );
            let done = restore_sources(&catalogue, Some(&shapes)).unwrap();
            let records = 2;
            if keep_log {
                assert_eq!((done.from_log, done.by_rule), (records, 0));
            } else {
                assert_eq!(
                    (done.from_log, done.by_rule, done.literals_restored),
                    (0, records, 1)
                );
            }
            assert_eq!(byte_size(&catalogue), published);
            // Once: a second start finds nothing to migrate.
            assert_eq!(
                restore_sources(&catalogue, Some(&shapes)).unwrap(),
                Migration::default()
            );
        }
    }

    #[test]
    fn a_normalised_byte_size_gets_its_demanded_datatype_back() {
        let record = NamedNode::new_unchecked("http://x.se/d");
        let byte_size = NamedNode::new_unchecked("http://www.w3.org/ns/dcat#byteSize");
        let title = NamedNode::new_unchecked("http://purl.org/dc/terms/title");
        let datatypes = BTreeMap::from([(
            byte_size.as_str().to_owned(),
            "http://www.w3.org/2001/XMLSchema#nonNegativeInteger".to_owned(),
        )]);
        let stored = vec![
            Triple::new(
                record.clone(),
                byte_size.clone(),
                Literal::new_typed_literal("1037", xsd::INTEGER),
            ),
            // A negative size is not a nonNegativeInteger: it stays as it is.
            Triple::new(
                record.clone(),
                byte_size,
                Literal::new_typed_literal("-1", xsd::INTEGER),
            ),
            Triple::new(record.clone(), title, Literal::new_simple_literal("12")),
        ];
        let mut restored = 0;
        let out = restore_datatypes(&record, stored, &datatypes, &mut restored);
        assert_eq!(restored, 1);
        assert_eq!(
            out[0].object.to_string(),
            "\"1037\"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>"
        );
        assert_eq!(
            out[1].object.to_string(),
            "\"-1\"^^<http://www.w3.org/2001/XMLSchema#integer>"
        );
        assert_eq!(out[2].object.to_string(), "\"12\"");
    }
}
