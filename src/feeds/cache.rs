//! The feed cache: each record's rendered part of the harvest documents, kept on disk
//! (redb, `feed-cache.redb` beside the store) under the record's stored state. A nightly
//! harvest then renders only the records that changed since the last one, instead of
//! decoding every term of the catalogue from the store again.
//!
//! A cache, never the data: it may be deleted at any time, a fragment is used only while
//! its record's state (content hash and time of writing) is the one it was rendered from,
//! and failing to read or write it only costs speed.
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;

/// Key: `{variant}\t{record IRI}` (an IRI has no tab); value: (record state, fragment).
/// Named with the rendering's version: fragments rendered before records were read as
/// published (katalog 0.1 before the lossless copies) are never used.
const FRAGMENTS: TableDefinition<&str, (&str, &[u8])> = TableDefinition::new("fragments-v2");

/// Pages redb keeps in memory; the operating system's page cache does the rest, so the
/// server's own memory does not grow with the catalogue.
const MEMORY_BYTES: usize = 16 * 1024 * 1024;

type Result<T> = std::result::Result<T, redb::Error>;

/// The cache's file in the data directory.
pub const CACHE_FILE: &str = "feed-cache.redb";

fn key(variant: &str, iri: &str) -> String {
    format!("{variant}\t{iri}")
}

pub struct FeedCache {
    db: Database,
}

impl FeedCache {
    /// Opens (or creates) the cache file. redb locks it: one process at a time.
    pub fn open(path: &Path) -> Result<Self> {
        let db = Database::builder()
            .set_cache_size(MEMORY_BYTES)
            .create(path)?;
        let tx = db.begin_write()?;
        tx.open_table(FRAGMENTS)?;
        tx.commit()?;
        Ok(Self { db })
    }

    /// Writes a copy of the cache into a new file (backups).
    pub fn copy_to(&self, path: &Path) -> Result<()> {
        let target = Database::create(path)?;
        let from = self.db.begin_read()?;
        let to = target.begin_write()?;
        crate::store::copy_redb_table(&from, &to, FRAGMENTS)?;
        to.commit()?;
        Ok(())
    }

    /// The fragments of `variant` for records in the given states (IRI, state), in order;
    /// None where there is none for that state.
    pub fn get(&self, variant: &str, wanted: &[(&str, &str)]) -> Result<Vec<Option<Vec<u8>>>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(FRAGMENTS)?;
        let mut found = Vec::with_capacity(wanted.len());
        for (iri, state) in wanted {
            let value = table.get(key(variant, iri).as_str())?;
            found.push(value.and_then(|v| {
                let (stored_state, fragment) = v.value();
                (stored_state == *state).then(|| fragment.to_vec())
            }));
        }
        Ok(found)
    }

    /// Keeps fragments (IRI, state, fragment) of `variant`. Not synced to disk at once: a
    /// crash loses at most the fragments written since the last [`FeedCache::sync`].
    pub fn put(&self, variant: &str, fragments: &[(String, String, Vec<u8>)]) -> Result<()> {
        if fragments.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin_write()?;
        tx.set_durability(Durability::None)?;
        {
            let mut table = tx.open_table(FRAGMENTS)?;
            for (iri, state, fragment) in fragments {
                table.insert(
                    key(variant, iri).as_str(),
                    (state.as_str(), fragment.as_slice()),
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Makes what was put so far durable.
    pub fn sync(&self) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.commit()?;
        Ok(())
    }

    /// Removes every fragment `keep` (variant, IRI) refuses: records deleted since, and
    /// variants no longer made. Returns how many were removed.
    pub fn prune(&self, keep: impl Fn(&str, &str) -> bool) -> Result<usize> {
        let dead: Vec<String> = {
            let tx = self.db.begin_read()?;
            let table = tx.open_table(FRAGMENTS)?;
            let mut dead = Vec::new();
            for entry in table.iter()? {
                let (k, _) = entry?;
                let k = k.value();
                let live = k.split_once('\t').is_some_and(|(v, iri)| keep(v, iri));
                if !live {
                    dead.push(k.to_owned());
                }
            }
            dead
        };
        if !dead.is_empty() {
            let tx = self.db.begin_write()?;
            {
                let mut table = tx.open_table(FRAGMENTS)?;
                for k in &dead {
                    table.remove(k.as_str())?;
                }
            }
            tx.commit()?;
        }
        Ok(dead.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_is_found_only_for_its_state() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FeedCache::open(&dir.path().join("c.redb")).unwrap();
        cache
            .put("x", &[("http://a".into(), "s1".into(), b"<a/>".to_vec())])
            .unwrap();
        let found = cache
            .get(
                "x",
                &[("http://a", "s1"), ("http://a", "s2"), ("http://b", "s1")],
            )
            .unwrap();
        assert_eq!(found, vec![Some(b"<a/>".to_vec()), None, None]);
        assert_eq!(cache.get("y", &[("http://a", "s1")]).unwrap(), vec![None]);
        assert_eq!(cache.prune(|_, iri| iri != "http://a").unwrap(), 1);
        assert_eq!(cache.get("x", &[("http://a", "s1")]).unwrap(), vec![None]);
    }
}
