//! Connected data: a hosted distribution whose file katalog fetches from a URL on a schedule,
//! through the safe fetcher (no private addresses unless configured, conditional GET, a size
//! cap), and hosts as a new version, with its table and metadata, only when the content
//! changed.
use super::{HarvestError, Harvester, Validators};
use crate::accounts::{Principal, now};
use crate::data::{Connected, DataError, Files};
use crate::publish::{Hosted, Publishing, authorize_stored, host_file};
use oxigraph::model::NamedNode;
use serde::Serialize;

/// What one fetch of a connected distribution did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FileRun {
    /// A new version is served.
    pub changed: bool,
    /// The source answered 304 Not Modified.
    pub not_modified: bool,
    /// The checksum of what was fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Harvester {
    /// Connects distribution `name` of dataset `id` (IRI `dataset`) to `url`, checked and
    /// fetched at once; the connection and the first fetch.
    pub async fn connect_file(
        &self,
        principal: &Principal,
        dataset: &NamedNode,
        (id, name): (&str, &str),
        url: &str,
        schedule: Option<&str>,
    ) -> Result<(Connected, FileRun), HarvestError> {
        let index = self.catalogue.index()?;
        authorize_stored(principal, &index, dataset)
            .map_err(|e| HarvestError::NotYours(e.to_string()))?;
        drop(index);
        if self.catalogue.record_hash(dataset.as_ref())?.is_none() {
            return Err(HarvestError::Invalid(format!("there is no dataset {id}")));
        }
        let parsed =
            url::Url::parse(url).map_err(|e| HarvestError::Invalid(format!("{url}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(HarvestError::Invalid(format!("{url}: not an http(s) URL")));
        }
        let schedule = match schedule {
            Some(s) => super::sources::check_schedule(s)?,
            None => super::sources::spread_schedule(url),
        };
        let files = self.files()?;
        let connected = Connected {
            url: url.to_owned(),
            schedule,
            since: now(),
            ..Connected::default()
        };
        files
            .set_connection(id, name, &connected)
            .map_err(hosting)?;
        let run = self.fetch_file(id, name).await?;
        let connected = files
            .connection(id, name)
            .map_err(hosting)?
            .unwrap_or(connected);
        Ok((connected, run))
    }

    /// Fetches a connected distribution's file now; keeps how it went beside the connection.
    pub async fn fetch_file(&self, id: &str, name: &str) -> Result<FileRun, HarvestError> {
        let files = self.files()?;
        let mut connected = files
            .connection(id, name)
            .map_err(hosting)?
            .ok_or_else(|| {
                HarvestError::Invalid(format!("{id}/{name} is not connected to a URL"))
            })?;
        let run = match self.fetch_and_host(files, id, name, &mut connected).await {
            Ok(run) => run,
            Err(e) => FileRun {
                error: Some(e.to_string()),
                ..FileRun::default()
            },
        };
        connected.last_run = Some(now());
        connected.last_outcome = Some(match (&run.error, run.changed) {
            (Some(error), _) => error.clone(),
            (None, true) => "changed".into(),
            (None, false) => "unchanged".into(),
        });
        files
            .set_connection(id, name, &connected)
            .map_err(hosting)?;
        tracing::info!(
            dataset = id,
            name,
            outcome = connected.last_outcome.as_deref(),
            "fetched"
        );
        Ok(run)
    }

    async fn fetch_and_host(
        &self,
        files: &Files,
        id: &str,
        name: &str,
        connected: &mut Connected,
    ) -> Result<FileRun, HarvestError> {
        let last = Validators {
            etag: connected.etag.clone(),
            last_modified: connected.last_modified.clone(),
        };
        let fetched = self
            .fetcher
            .get_if_changed(&connected.url, "*/*", &last)
            .await?;
        if fetched.status == 304 {
            return Ok(FileRun {
                not_modified: true,
                ..FileRun::default()
            });
        }
        if fetched.status != 200 {
            return Err(HarvestError::Source(format!(
                "{}: HTTP {}",
                connected.url, fetched.status
            )));
        }
        let media_type =
            crate::data::media_type_of(fetched.content_type.as_deref(), &connected.url);
        let kept = {
            let (files, body) = (files.clone(), fetched.body);
            tokio::task::spawn_blocking(move || {
                let mut upload = files.begin(u64::MAX)?;
                upload.write(&body)?;
                files.keep(upload)
            })
            .await
            .map_err(|e| HarvestError::Interrupted(e.to_string()))?
            .map_err(hosting)?
        };
        let mut run = FileRun {
            sha256: Some(kept.sha256.clone()),
            bytes: kept.bytes,
            ..FileRun::default()
        };
        let current = files.current(id, name).map_err(hosting)?;
        if current.is_some_and(|v| v.sha256 == kept.sha256) {
            connected.etag = fetched.validators.etag;
            connected.last_modified = fetched.validators.last_modified;
            return Ok(run);
        }
        let dataset = NamedNode::new(format!("{}datasets/{id}", self.base_uri))
            .map_err(|e| HarvestError::Invalid(e.to_string()))?;
        let site = Publishing {
            catalogue: &self.catalogue,
            shapes: self.shapes.clone(),
            base_uri: &self.base_uri,
            accounts: Some(&self.accounts),
        };
        let hosted = Hosted {
            dataset: &dataset,
            id,
            name,
            kept,
            media_type: &media_type,
        };
        host_file(&site, None, files, hosted)
            .await
            .map_err(|e| HarvestError::Source(e.to_string()))?;
        // Only a fetch that was hosted may make the next one a 304.
        connected.etag = fetched.validators.etag;
        connected.last_modified = fetched.validators.last_modified;
        run.changed = true;
        Ok(run)
    }

    fn files(&self) -> Result<&Files, HarvestError> {
        self.files
            .as_deref()
            .ok_or_else(|| HarvestError::Invalid("this server hosts no files".into()))
    }

    /// Fetches the connected distributions whose scheduled time has come, one at a time.
    pub async fn fetch_due_files(&self) -> Result<(), HarvestError> {
        let Some(files) = self.files.as_deref() else {
            return Ok(());
        };
        let now = now();
        for (id, name, connected) in files.connections().map_err(hosting)? {
            let since = connected.last_run.unwrap_or(connected.since);
            let due =
                super::sources::next_after(&connected.schedule, since).is_some_and(|t| t <= now);
            if due {
                self.fetch_file(&id, &name).await?;
            }
        }
        Ok(())
    }
}

fn hosting(error: DataError) -> HarvestError {
    HarvestError::Source(error.to_string())
}
