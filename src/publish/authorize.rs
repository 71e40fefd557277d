//! Who may write which record: a publisher writes only its own organisation's records.
use super::PublishError;
use crate::accounts::Principal;
use crate::store::{RecordIndex, RecordKind};
use oxigraph::model::NamedNode;

/// Refuses any record the caller may not write: one naming another organisation as
/// publisher, or replacing a stored record of another organisation.
pub fn authorize_records<'a>(
    principal: &Principal,
    records: impl IntoIterator<Item = (&'a NamedNode, RecordKind, Option<&'a NamedNode>)>,
    stored: &RecordIndex,
    base: &str,
) -> Result<(), PublishError> {
    if principal.site_admin {
        return Ok(());
    }
    for (iri, kind, publisher) in records {
        let own_catalogue = principal.memberships.iter().any(|(org, _)| {
            let publisher = NamedNode::new_unchecked(org.publisher_iri.clone());
            crate::feeds::organisations::org_catalog_iri(base, &publisher) == *iri
        });
        if kind == RecordKind::Catalog && !own_catalogue {
            return Err(PublishError::NotYours(format!(
                "<{iri}> is a dcat:Catalog; an organisation's catalogue is described at PUT /organisations/{{orgnr}}/catalog, and the site catalogue only by the site administrator"
            )));
        }
        if let Some(publisher) = publisher
            && !principal.may_publish_for(publisher.as_str())
        {
            return Err(PublishError::NotYours(format!(
                "<{iri}> names <{publisher}> as publisher; you publish for {}",
                own_publishers(principal)
            )));
        }
        authorize_stored(principal, stored, iri)?;
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
