//! Backups of a data directory while the server runs, and restoring one: the store and its
//! ledger as of one moment, the accounts database, the feed cache and the hosted files. A backup directory is
//! itself a data directory; restoring copies it into a new one.
use crate::accounts::{ACCOUNTS_FILE, Accounts};
use crate::data::{Files, HOSTED_DIR};
use crate::feeds::cache::{CACHE_FILE, FeedCache};
use crate::store::{Catalogue, LEDGER_FILE, StoreError};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists already: a backup goes into a new directory")]
    Exists(PathBuf),
    #[error("{0:?} is not a plain directory name (letters, digits, '.', '-', '_')")]
    BadName(String),
    #[error("{0} is not a katalog backup (it has no ledger.redb)")]
    NotABackup(PathBuf),
    #[error("{0} is not empty: restore into a new data directory")]
    NotEmpty(PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("accounts: {0}")]
    Accounts(#[from] crate::accounts::AccountsError),
    #[error("feed cache: {0}")]
    FeedCache(#[from] redb::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes a backup into `dir`, a new directory. Writes to the store wait while its part is
/// copied (seconds for a large catalogue); reads go on.
pub async fn backup(
    catalogue: &Catalogue,
    accounts: Option<&Accounts>,
    feed_cache: Option<&FeedCache>,
    files: Option<&Files>,
    dir: &Path,
) -> Result<(), BackupError> {
    if dir.exists() {
        return Err(BackupError::Exists(dir.to_owned()));
    }
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    tokio::task::block_in_place(|| -> Result<(), BackupError> {
        catalogue.backup(dir)?;
        if let Some(cache) = feed_cache {
            cache.copy_to(&dir.join(CACHE_FILE))?;
        }
        if let Some(files) = files {
            let hosted = dir.join(HOSTED_DIR);
            files.copy_to(&hosted).map_err(io(&hosted))?;
        }
        Ok(())
    })?;
    if let Some(accounts) = accounts {
        accounts.backup_to(&dir.join(ACCOUNTS_FILE)).await?;
    }
    Ok(())
}

/// The directory of the backup `name` under `backups`: a plain name, so that a request
/// cannot write anywhere else.
pub fn named(backups: &Path, name: &str) -> Result<PathBuf, BackupError> {
    let plain = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    match plain {
        true => Ok(backups.join(name)),
        false => Err(BackupError::BadName(name.to_owned())),
    }
}

/// A backup name from the time, e.g. `2026-12-03T06-40-00Z`.
pub fn name_for_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}-{:02}-{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// Copies a backup into `data`, which must be new or empty, and checks that the store opens.
pub fn restore(backup: &Path, data: &Path) -> Result<(), BackupError> {
    if !backup.join(LEDGER_FILE).is_file() {
        return Err(BackupError::NotABackup(backup.to_owned()));
    }
    if data.exists() && data.read_dir().map_err(io(data))?.next().is_some() {
        return Err(BackupError::NotEmpty(data.to_owned()));
    }
    copy_dir(backup, data)?;
    Catalogue::open(data)?;
    Ok(())
}

/// An I/O error on `path`, for `map_err`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let path = path.to_owned();
    move |source| BackupError::Io { path, source }
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), BackupError> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(io(&entry.path()))?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(io(&target))?;
        }
    }
    Ok(())
}
