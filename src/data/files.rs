//! Uploaded files, content-addressed: each version is stored once under its SHA-256
//! (`blobs/ab/abcd…`), and each distribution lists its versions, newest last, in a small
//! JSON file replaced atomically (`distributions/{dataset}/{name}.json`), so a reader sees
//! the old version or the new one, never a mix.
use super::Dictionary;
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("{0:?} is not a name katalog takes (letters, digits, '-', '_' and '.')")]
    BadName(String),
    #[error("no file here")]
    NotFound,
    #[error("the file is not readable as CSV{}: {message}", line.map(|n| format!(" (line {n})")).unwrap_or_default())]
    Malformed { line: Option<u64>, message: String },
    #[error("{0}")]
    BadQuery(String),
    #[error("the query took longer than the time limit; narrow it with filters")]
    Timeout,
    #[error("hosted table: {0}")]
    Table(String),
    #[error("file storage: {0}")]
    Io(#[from] io::Error),
}

/// One stored version of a distribution's file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// The content's address, its ETag and its name on disk.
    pub sha256: String,
    /// The checksum the metadata states (`spdx:checksum`): DCAT-AP-SE 3.0.1 names SHA-1
    /// as the one algorithm.
    pub sha1: String,
    pub bytes: u64,
    pub media_type: String,
    /// When it was uploaded (`xsd:dateTime`).
    pub uploaded: String,
}

/// A distribution whose file katalog fetches from a URL on a schedule (connected data), and
/// how the last fetch went.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Connected {
    pub url: String,
    /// Cron: minute hour day month weekday (UTC).
    pub schedule: String,
    /// The validators of the last fetch, for a conditional GET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When it was connected, and when last fetched (Unix seconds).
    pub since: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<i64>,
    /// What the last fetch did: `changed`, `unchanged`, or what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_outcome: Option<String>,
}

/// The hosted files of a site.
#[derive(Clone)]
pub struct Files {
    root: PathBuf,
}

/// A file being uploaded: written to a temporary file and hashed as it comes.
pub struct Upload {
    file: File,
    path: PathBuf,
    hasher: Sha256,
    sha1: Sha1,
    bytes: u64,
    limit: u64,
}

impl Files {
    /// Opens (or creates) the folder of hosted files.
    pub fn open(root: &Path) -> io::Result<Self> {
        for dir in ["blobs", "distributions", "incoming", "tables"] {
            fs::create_dir_all(root.join(dir))?;
        }
        Ok(Self {
            root: root.to_owned(),
        })
    }

    /// Starts an upload of at most `limit` bytes.
    pub fn begin(&self, limit: u64) -> Result<Upload, DataError> {
        let name = format!("{}-{}", std::process::id(), random_suffix());
        let path = self.root.join("incoming").join(name);
        Ok(Upload {
            file: File::create(&path)?,
            path,
            hasher: Sha256::new(),
            sha1: Sha1::new(),
            bytes: 0,
            limit,
        })
    }

    /// Keeps a copy of the file at `path`, read in parts like an upload.
    pub fn keep_file(&self, path: &Path) -> Result<Stored, DataError> {
        let mut upload = self.begin(u64::MAX)?;
        let mut file = File::open(path)?;
        let mut part = vec![0; 64 * 1024];
        loop {
            match std::io::Read::read(&mut file, &mut part)? {
                0 => break,
                n => upload.write(&part[..n])?,
            }
        }
        self.keep(upload)
    }

    /// Where the version with this checksum is kept.
    pub fn blob(&self, sha256: &str) -> PathBuf {
        self.root.join("blobs").join(&sha256[..2]).join(sha256)
    }

    /// The SQL table made of a tabular version (CSV, JSON, GeoJSON), loaded now if it is
    /// not there yet (a file hosted before tables were, or a restored backup, which carries
    /// the files only); None for a file that holds no table.
    pub fn table(
        &self,
        version: &Version,
        dictionary: &Dictionary,
    ) -> Result<Option<PathBuf>, DataError> {
        if !super::table::is_tabular(&version.media_type) {
            return Ok(None);
        }
        let tables = self.root.join("tables");
        let table = self.table_path(version, dictionary);
        // JSON that holds no list of records is marked so, not read again at every request.
        let none = tables.join(format!("{}.none", version.sha256));
        if table.exists() {
            return Ok(Some(table));
        }
        if none.exists() {
            return Ok(None);
        }
        let blob = self.blob(&version.sha256);
        match super::table::load(&blob, &version.media_type, &table, dictionary)? {
            Some(_) => Ok(Some(table)),
            None => {
                fs::write(&none, b"")?;
                Ok(None)
            }
        }
    }

    /// The SQL table of a version, if it is loaded.
    pub fn loaded_table(&self, version: &Version, dictionary: &Dictionary) -> Option<PathBuf> {
        let table = self.table_path(version, dictionary);
        table.exists().then_some(table)
    }

    /// A version's table, one per set of types a dictionary sets.
    fn table_path(&self, version: &Version, dictionary: &Dictionary) -> PathBuf {
        let key = match dictionary.types_key() {
            key if key.is_empty() => key,
            key => format!("-{key}"),
        };
        self.root
            .join("tables")
            .join(format!("{}{key}.sqlite", version.sha256))
    }

    /// The data dictionary of a distribution (empty if none was given).
    pub fn dictionary(&self, dataset: &str, name: &str) -> Result<Dictionary, DataError> {
        Ok(read_json(&self.dictionary_path(dataset, name)?)?.unwrap_or_default())
    }

    /// Keeps a distribution's data dictionary (replaced atomically).
    pub fn set_dictionary(
        &self,
        dataset: &str,
        name: &str,
        dictionary: &Dictionary,
    ) -> Result<(), DataError> {
        Ok(write_json(
            &self.dictionary_path(dataset, name)?,
            dictionary,
        )?)
    }

    /// Where a distribution's file is fetched from, if it is connected.
    pub fn connection(&self, dataset: &str, name: &str) -> Result<Option<Connected>, DataError> {
        Ok(read_json(&self.source_path(dataset, name)?)?)
    }

    /// Keeps where a distribution's file is fetched from (replaced atomically).
    pub fn set_connection(
        &self,
        dataset: &str,
        name: &str,
        connected: &Connected,
    ) -> Result<(), DataError> {
        Ok(write_json(&self.source_path(dataset, name)?, connected)?)
    }

    /// Every connected distribution: (dataset, name, connection).
    pub fn connections(&self) -> Result<Vec<(String, String, Connected)>, DataError> {
        let mut all = Vec::new();
        for dataset in fs::read_dir(self.root.join("distributions"))? {
            let dataset = dataset?;
            let Ok(id) = dataset.file_name().into_string() else {
                continue;
            };
            for entry in fs::read_dir(dataset.path())? {
                let file = entry?.file_name().into_string().unwrap_or_default();
                if let Some(name) = file.strip_suffix(".source")
                    && let Some(connected) = self.connection(&id, name)?
                {
                    all.push((id.clone(), name.to_owned(), connected));
                }
            }
        }
        Ok(all)
    }

    /// `distributions/{dataset}/{name}.columns`: not `.json`, which names version lists.
    fn dictionary_path(&self, dataset: &str, name: &str) -> Result<PathBuf, DataError> {
        Ok(self.list(dataset, name)?.with_extension("columns"))
    }

    /// `distributions/{dataset}/{name}.source`.
    fn source_path(&self, dataset: &str, name: &str) -> Result<PathBuf, DataError> {
        Ok(self.list(dataset, name)?.with_extension("source"))
    }

    /// The versions of a distribution's file, oldest first.
    pub fn versions(&self, dataset: &str, name: &str) -> Result<Vec<Version>, DataError> {
        Ok(read_json(&self.list(dataset, name)?)?.unwrap_or_default())
    }

    /// The distributions of a dataset that have files here, by name, each with its versions.
    pub fn distributions(&self, dataset: &str) -> Result<Vec<(String, Vec<Version>)>, DataError> {
        check_name(dataset)?;
        let folder = self.root.join("distributions").join(dataset);
        let entries = match fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut names: Vec<String> = entries
            .filter_map(|entry| {
                let name = entry.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".json").map(str::to_owned)
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| Ok((name.clone(), self.versions(dataset, &name)?)))
            .collect()
    }

    /// The version served now: the last one added.
    pub fn current(&self, dataset: &str, name: &str) -> Result<Option<Version>, DataError> {
        Ok(self.versions(dataset, name)?.pop())
    }

    /// Moves a finished upload into place and makes it the distribution's current version;
    /// the versions, this one last. Uploading the same content again adds no version.
    pub fn add_version(
        &self,
        dataset: &str,
        name: &str,
        stored: Stored,
        media_type: &str,
        now: &str,
    ) -> Result<Vec<Version>, DataError> {
        let list = self.list(dataset, name)?;
        let mut versions = self.versions(dataset, name)?;
        if versions.last().is_some_and(|v| v.sha256 == stored.sha256) {
            return Ok(versions);
        }
        versions.push(Version {
            sha256: stored.sha256,
            sha1: stored.sha1,
            bytes: stored.bytes,
            media_type: media_type.to_owned(),
            uploaded: now.to_owned(),
        });
        write_json(&list, &versions)?;
        Ok(versions)
    }

    /// Keeps a finished upload under its checksum (once, however often it is uploaded).
    pub fn keep(&self, upload: Upload) -> Result<Stored, DataError> {
        let (path, stored) = upload.finish()?;
        let blob = self.blob(&stored.sha256);
        fs::create_dir_all(blob.parent().expect("a folder per prefix"))?;
        fs::rename(&path, &blob)?;
        Ok(stored)
    }

    /// Copies every version and list into `dir` (a backup). The lists go first: each names
    /// only files kept before it was written, so the files copied after are all there.
    pub fn copy_to(&self, dir: &Path) -> io::Result<()> {
        for part in ["distributions", "blobs"] {
            copy_tree(&self.root.join(part), &dir.join(part))?;
        }
        Ok(())
    }

    fn list(&self, dataset: &str, name: &str) -> Result<PathBuf, DataError> {
        check_name(dataset)?;
        check_name(name)?;
        Ok(self
            .root
            .join("distributions")
            .join(dataset)
            .join(format!("{name}.json")))
    }
}

/// A file kept under its checksum.
#[derive(Clone, Debug)]
pub struct Stored {
    pub sha256: String,
    pub sha1: String,
    pub bytes: u64,
}

impl Upload {
    /// Adds the next part of the file; refused once it passes the limit.
    pub fn write(&mut self, part: &[u8]) -> Result<(), DataError> {
        self.bytes += part.len() as u64;
        if self.bytes > self.limit {
            return Err(DataError::TooLarge(self.limit));
        }
        self.hasher.update(part);
        self.sha1.update(part);
        Ok(self.file.write_all(part)?)
    }

    fn finish(mut self) -> io::Result<(PathBuf, Stored)> {
        self.file.flush()?;
        self.file.sync_all()?;
        let path = std::mem::take(&mut self.path);
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let sha1 = hex::encode(std::mem::take(&mut self.sha1).finalize());
        Ok((
            path,
            Stored {
                sha256,
                sha1,
                bytes: self.bytes,
            },
        ))
    }
}

impl Drop for Upload {
    /// An upload given up (too large, the client gone) leaves nothing behind.
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// A small JSON file beside the hosted files, or None when there is none.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> io::Result<Option<T>> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(io::Error::other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes a small JSON file whole: to `{path}.new`, then renamed over `path`, so a reader
/// sees the old content or the new, never a mix.
fn write_json(path: &Path, value: &impl Serialize) -> io::Result<()> {
    fs::create_dir_all(path.parent().expect("a folder per dataset"))?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    fs::write(
        &temporary,
        serde_json::to_vec_pretty(value).map_err(io::Error::other)?,
    )?;
    fs::rename(&temporary, path)
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        match entry.file_type()?.is_dir() {
            true => copy_tree(&entry.path(), &target)?,
            false => {
                fs::copy(entry.path(), &target)?;
            }
        }
    }
    Ok(())
}

/// Dataset ids and distribution names become folder and file names: plain ones only.
pub fn check_name(name: &str) -> Result<(), DataError> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    match !name.is_empty() && !name.starts_with('.') && name.len() <= 200 && name.chars().all(plain)
    {
        true => Ok(()),
        false => Err(DataError::BadName(name.to_owned())),
    }
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the system's random source");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(files: &Files, content: &[u8]) -> Stored {
        let mut upload = files.begin(1 << 20).unwrap();
        for part in content.chunks(3) {
            upload.write(part).unwrap();
        }
        files.keep(upload).unwrap()
    }

    #[test]
    fn versions_are_kept_under_their_checksum_newest_last() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::open(dir.path()).unwrap();
        let first = upload(&files, b"a,b\n1,2\n");
        assert_eq!(
            first.sha256,
            hex::encode(Sha256::digest(b"a,b\n1,2\n")),
            "the checksum of the content"
        );
        files
            .add_version("d1", "csv", first.clone(), "text/csv", "t1")
            .unwrap();
        let second = upload(&files, b"a,b\n3,4\n");
        let versions = files
            .add_version("d1", "csv", second, "text/csv", "t2")
            .unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(
            fs::read(files.blob(&versions[1].sha256)).unwrap(),
            b"a,b\n3,4\n"
        );
        assert_eq!(fs::read(files.blob(&first.sha256)).unwrap(), b"a,b\n1,2\n");
        let again = upload(&files, b"a,b\n3,4\n");
        let versions = files
            .add_version("d1", "csv", again, "text/csv", "t3")
            .unwrap();
        assert_eq!(
            versions.len(),
            2,
            "the same content again is no new version"
        );
        assert_eq!(files.current("d1", "csv").unwrap().unwrap().uploaded, "t2");
        assert!(
            fs::read_dir(dir.path().join("incoming"))
                .unwrap()
                .next()
                .is_none()
        );
    }

    #[test]
    fn an_upload_past_the_limit_is_refused_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::open(dir.path()).unwrap();
        let mut upload = files.begin(4).unwrap();
        upload.write(b"1234").unwrap();
        assert!(matches!(upload.write(b"5"), Err(DataError::TooLarge(4))));
        drop(upload);
        assert!(
            fs::read_dir(dir.path().join("incoming"))
                .unwrap()
                .next()
                .is_none()
        );
        assert!(matches!(
            files.versions("../x", "csv"),
            Err(DataError::BadName(_))
        ));
    }
}
