//! Hosting a distribution's file: once the file is kept, the dataset's distribution is
//! described from it and the dataset written through the ingest service, so the metadata
//! is validated, audited and in the change feed like any write; the file is served from
//! then on.
use super::{Accepts, Precondition, PublishError, Publishing, Submission, ingest};
use crate::accounts::Principal;
use crate::data::table::Column;
use crate::data::{DataError, Dictionary, Files, Stored, Version, with_distribution};
use oxigraph::model::NamedNode;

/// A kept file to serve as distribution `name` of dataset `id` (whose IRI is `dataset`).
pub struct Hosted<'a> {
    pub dataset: &'a NamedNode,
    pub id: &'a str,
    pub name: &'a str,
    pub kept: Stored,
    pub media_type: &'a str,
}

/// Describes the distribution from the file, writes the dataset, then serves the file; the
/// versions kept, this one last, and whether the distribution is new.
pub async fn host_file(
    site: &Publishing<'_>,
    principal: Option<&Principal>,
    files: &Files,
    file: Hosted<'_>,
) -> Result<(Vec<Version>, bool), PublishError> {
    // No principal: the operator, hosting files as the server starts (`serve --host`).
    if let Some(principal) = principal {
        let index = site.catalogue.index()?;
        super::authorize_stored(principal, &index, file.dataset)?;
    }
    let stored = site
        .catalogue
        .record(file.dataset.as_ref())?
        .ok_or(PublishError::NoSuchRecord)?;
    let earlier = files.versions(file.id, file.name)?;
    let now = crate::store::now_literal().value().to_owned();
    let current = Version {
        sha256: file.kept.sha256.clone(),
        sha1: file.kept.sha1.clone(),
        bytes: file.kept.bytes,
        media_type: file.media_type.to_owned(),
        uploaded: now.clone(),
    };
    let issued = earlier
        .first()
        .map_or(now.as_str(), |v| v.uploaded.as_str());
    // A tabular file's table is made before the file is served, so the data API answers
    // for a version as soon as it is current; a CSV file that cannot be read is refused.
    let dictionary = files.dictionary(file.id, file.name)?;
    let table = {
        let (files, version) = (files.clone(), current.clone());
        tokio::task::spawn_blocking(move || files.table(&version, &dictionary))
    };
    table
        .await
        .map_err(|e| PublishError::Interrupted(e.to_string()))??;
    let triples = with_distribution(stored, file.dataset, file.name, &current, issued);
    let submission = Submission {
        triples: triples.into_iter().collect(),
        only: Some(file.dataset.clone()),
        accepts: Accepts::Datasets,
        precondition: Precondition::None,
    };
    ingest(site, principal, submission).await?;
    let versions = files.add_version(file.id, file.name, file.kept, file.media_type, &now)?;
    Ok((versions, earlier.is_empty()))
}

/// Sets the data dictionary of a hosted table (distribution `name` of dataset `id`, whose
/// IRI is `dataset`): the current version's table is made with the types it sets, and every
/// column it names must be there, before it is kept; the columns as described.
pub async fn describe_columns(
    site: &Publishing<'_>,
    principal: &Principal,
    files: &Files,
    dataset: &NamedNode,
    (id, name): (&str, &str),
    dictionary: Dictionary,
) -> Result<Vec<Column>, PublishError> {
    let index = site.catalogue.index()?;
    super::authorize_stored(principal, &index, dataset)?;
    drop(index);
    let version = files.current(id, name)?.ok_or(DataError::NotFound)?;
    let (files, id, name) = (files.clone(), id.to_owned(), name.to_owned());
    let described = tokio::task::spawn_blocking(move || {
        let table = files
            .table(&version, &dictionary)?
            .ok_or(DataError::NotFound)?;
        let mut columns = crate::data::query::columns(&table)?;
        if let Some(missing) = dictionary
            .columns
            .iter()
            .find(|e| !columns.iter().any(|c| c.name == e.name))
        {
            return Err(DataError::BadQuery(format!(
                "the dictionary names a column the file does not have: {:?}",
                missing.name
            )));
        }
        dictionary.describe(&mut columns);
        files.set_dictionary(&id, &name, &dictionary)?;
        Ok(columns)
    });
    Ok(described
        .await
        .map_err(|e| PublishError::Interrupted(e.to_string()))??)
}
