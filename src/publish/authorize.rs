//! Who may write which record: a publisher writes only its own organisation's records.
use super::PublishError;
use crate::accounts::Principal;
use crate::store::{Record, RecordIndex, RecordKind};

/// Refuses any record the caller may not write: one naming another organisation as
/// publisher, or replacing a stored record of another organisation.
pub fn authorize_records(
    principal: &Principal,
    records: &[Record],
    stored: &RecordIndex,
    base: &str,
) -> Result<(), PublishError> {
    if principal.site_admin {
        return Ok(());
    }
    for record in records {
        let own_catalogue = principal.memberships.iter().any(|(org, _)| {
            let publisher = oxigraph::model::NamedNode::new_unchecked(org.publisher_iri.clone());
            crate::feeds::organisations::org_catalog_iri(base, &publisher) == record.iri
        });
        if record.kind == RecordKind::Catalog && !own_catalogue {
            return Err(PublishError::NotYours(format!(
                "<{}> is a dcat:Catalog; an organisation's catalogue is described at PUT /organisations/{{orgnr}}/catalog, and the site catalogue only by the site administrator",
                record.iri
            )));
        }
        if let Some(publisher) = record.publisher()
            && !principal.may_publish_for(publisher.as_str())
        {
            return Err(PublishError::NotYours(format!(
                "<{}> names <{publisher}> as publisher; you publish for {}",
                record.iri,
                own_publishers(principal)
            )));
        }
        authorize_stored(principal, stored, &record.iri)?;
    }
    Ok(())
}

/// Refuses changing or deleting a stored record of another organisation.
pub fn authorize_stored(
    principal: &Principal,
    stored: &RecordIndex,
    iri: &oxigraph::model::NamedNode,
) -> Result<(), PublishError> {
    if principal.site_admin {
        return Ok(());
    }
    let Some(info) = stored.get(iri) else {
        return Ok(());
    };
    let allowed = info
        .publisher
        .as_ref()
        .is_some_and(|p| principal.may_publish_for(p.as_str()));
    if allowed {
        Ok(())
    } else {
        Err(PublishError::NotYours(format!(
            "<{iri}> belongs to another organisation"
        )))
    }
}

fn own_publishers(principal: &Principal) -> String {
    let names: Vec<String> = principal
        .memberships
        .iter()
        .map(|(org, _)| format!("{} <{}>", org.name, org.publisher_iri))
        .collect();
    if names.is_empty() {
        "no organisation".into()
    } else {
        names.join(", ")
    }
}
