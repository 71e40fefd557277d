//! The feed cache: each record's rendered part of the harvest documents, kept on disk
//! (redb, `feed-cache.redb` beside the store) under the record's stored state. A nightly
//! harvest then renders only the records that changed since the last one, instead of
//! decoding every term of the catalogue from the store again.
//!
//! The pages of the `/ldes` stream that more pages follow are kept here too, each in the
//! forms clients asked for (a syntax, gzipped or not), under a stamp of what it was
//! rendered from (see `ldes::LdesPage::stamp`): a replay then reads them instead of
//! rendering and compressing every page again.
//!
//! A cache, never the data: it may be deleted at any time, a fragment is used only while
//! its record's state (content hash and time of writing) is the one it was rendered from,
//! a page only under the stamp of the events it shows now, and failing to read or write it
//! only costs speed.
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;

/// Key: `{variant}\t{record IRI}` (an IRI has no tab); value: (record state, fragment).
/// Named with the rendering's version: fragments rendered before records were read as
/// published (katalog 0.1 before the lossless copies) are never used.
const FRAGMENTS: TableDefinition<&str, (&str, &[u8])> = TableDefinition::new("fragments-v2");

/// Key: `{syntax}\t{page number}`, or `{syntax}.gz\t{page number}` for the page gzipped;
/// value: (the page's stamp, the page). Only pages of the LDES stream that more pages
/// follow are kept: those never change.
const LDES_PAGES: TableDefinition<&str, (&str, &[u8])> = TableDefinition::new("ldes-pages-v1");

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
        tx.open_table(LDES_PAGES)?;
        tx.commit()?;
        Ok(Self { db })
    }

    /// Writes a copy of the cache into a new file (backups). The LDES pages are left out:
    /// they are rendered again when first asked for.
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

    /// The LDES page kept under `key`, with the stamp of the state it was rendered from.
    pub fn page(&self, key: &str) -> Result<Option<(String, Vec<u8>)>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(LDES_PAGES)?;
        let value = table.get(key)?;
        Ok(value.map(|v| {
            let (stamp, page) = v.value();
            (stamp.to_owned(), page.to_vec())
        }))
    }

    /// Keeps an LDES page under `key` with the `stamp` of what it was rendered from,
    /// durably: a page is rendered once and then served for good, and a durable commit per
    /// page costs little beside its rendering.
    pub fn put_page(&self, key: &str, stamp: &str, page: &[u8]) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(LDES_PAGES)?.insert(key, (stamp, page))?;
        tx.commit()?;
        Ok(())
    }

    /// Removes the LDES pages `keep` (key) refuses. Returns how many were removed.
    pub fn prune_pages(&self, keep: impl Fn(&str) -> bool) -> Result<usize> {
        let dead = dead_keys(&self.db, LDES_PAGES, |k| !keep(k))?;
        remove_keys(&self.db, LDES_PAGES, &dead)?;
        Ok(dead.len())
    }

    /// Removes every fragment `keep` (variant, IRI) refuses: records deleted since, and
    /// variants no longer made. Returns how many were removed.
    pub fn prune(&self, keep: impl Fn(&str, &str) -> bool) -> Result<usize> {
        let dead = dead_keys(&self.db, FRAGMENTS, |k| {
            !k.split_once('\t').is_some_and(|(v, iri)| keep(v, iri))
        })?;
        remove_keys(&self.db, FRAGMENTS, &dead)?;
        Ok(dead.len())
    }
}

type Entries = TableDefinition<'static, &'static str, (&'static str, &'static [u8])>;

/// The keys of `table` that `dead` picks.
fn dead_keys(db: &Database, table: Entries, dead: impl Fn(&str) -> bool) -> Result<Vec<String>> {
    let tx = db.begin_read()?;
    let table = tx.open_table(table)?;
    let mut out = Vec::new();
    for entry in table.iter()? {
        let (k, _) = entry?;
        if dead(k.value()) {
            out.push(k.value().to_owned());
        }
    }
    Ok(out)
}

fn remove_keys(db: &Database, table: Entries, keys: &[String]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let tx = db.begin_write()?;
    {
        let mut table = tx.open_table(table)?;
        for k in keys {
            table.remove(k.as_str())?;
        }
    }
    tx.commit()?;
    Ok(())
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

    #[test]
    fn a_page_is_kept_with_its_stamp_and_pruned_apart_from_the_fragments() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FeedCache::open(&dir.path().join("c.redb")).unwrap();
        cache
            .put("x", &[("http://a".into(), "s1".into(), b"<a/>".to_vec())])
            .unwrap();
        cache.put_page("nq\t1", "stamp1", b"page 1").unwrap();
        cache.put_page("nq.gz\t1", "stamp1", b"packed").unwrap();
        cache.put_page("nq\t2", "stamp2", b"page 2").unwrap();
        cache.put_page("nq\t1", "stamp1b", b"page 1 again").unwrap();
        let page = cache.page("nq\t1").unwrap();
        assert_eq!(page, Some(("stamp1b".into(), b"page 1 again".to_vec())));
        let packed = cache.page("nq.gz\t1").unwrap();
        assert_eq!(packed, Some(("stamp1".into(), b"packed".to_vec())));
        assert_eq!(cache.page("trig\t1").unwrap(), None);
        assert_eq!(cache.prune_pages(|key| key.ends_with("\t1")).unwrap(), 1);
        assert_eq!(cache.page("nq\t2").unwrap(), None);
        assert!(cache.page("nq\t1").unwrap().is_some());
        assert_eq!(
            cache.prune(|_, _| true).unwrap(),
            0,
            "pages are not fragments"
        );
        assert_eq!(cache.get("x", &[("http://a", "s1")]).unwrap().len(), 1);
    }
}
