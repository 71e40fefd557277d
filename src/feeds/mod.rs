//! Harvestable catalogue feeds: the paged `/catalog` (Hydra), the unpaged documents
//! harvesters read (`/datasets/dcat`, one per organisation), in DCAT-AP-SE or the EU
//! DCAT-AP profile, the LDES change stream and the VoID description that tells harvesters
//! where everything is. Plain inputs in, triples or bytes out: the HTTP layer negotiates.
pub mod cache;
mod documents;
mod error;
pub mod eu;
mod gzip;
pub mod ldes;
pub mod organisations;
mod page;
mod render;
pub mod schema_org;
mod void;

pub use documents::{DCAT_AP_PROFILE, Document, Profile};
pub use error::FeedError;
pub use page::{CatalogPage, PageRequest};

use crate::rdf::GraphFormat;
use crate::store::Catalogue;
use oxigraph::model::NamedNode;
use std::sync::Arc;

/// What the feeds read: the store, the site's base URI, the EU mapping for the EU profile,
/// and the cache of rendered records. Cheap to clone, so a streamed document can take one
/// to the thread that writes it.
#[derive(Clone)]
pub struct Feeds {
    pub catalogue: Arc<Catalogue>,
    /// Base of every IRI the site mints, ending with `/`.
    pub base_uri: String,
    pub eu: Option<Arc<eu::EuMapping>>,
    pub cache: Option<Arc<cache::FeedCache>>,
}

impl Feeds {
    /// Feeds of a store with neither the EU mapping nor a cache (`katalog export`).
    pub fn bare(catalogue: Arc<Catalogue>, base_uri: &str) -> Self {
        Self {
            catalogue,
            base_uri: crate::store::base_with_slash(base_uri),
            eu: None,
            cache: None,
        }
    }

    /// `{base}catalog`: the site catalogue.
    pub fn catalog_iri(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}catalog", self.base_uri))
    }

    /// Drops cached renderings of records that are gone and of variants no longer made,
    /// and LDES pages the stream no longer has, then renders what the nightly harvest
    /// reads (the site document in RDF/XML), so the first harvest after a start is served
    /// from the cache too. Runs in the background at start.
    pub fn warm_cache(&self) {
        let Some(cache) = &self.cache else {
            return;
        };
        let started = std::time::Instant::now();
        let warmed = (|| -> Result<usize, Box<dyn std::error::Error>> {
            let index = self.catalogue.index()?;
            let variants = self.current_variants();
            let pruned = cache.prune(|variant, iri| {
                variants.iter().any(|v| v == variant)
                    && index.get(&NamedNode::new_unchecked(iri)).is_some()
            })?;
            let events = self.catalogue.event_count()?;
            let pruned = pruned + cache.prune_pages(|key| ldes::page_is_live(key, events))?;
            let document = self.site_document(index)?;
            self.write_document(
                document,
                GraphFormat::RdfXml,
                Profile::Swedish,
                &mut std::io::sink(),
            )?;
            Ok(pruned)
        })();
        match warmed {
            Ok(pruned) => tracing::info!(pruned, elapsed = ?started.elapsed(), "feed cache ready"),
            Err(e) => tracing::warn!(error = %e, "warming the feed cache failed"),
        }
    }
}
