//! What katalog ships beside its binary (the `shapes` and `vocab` folders), and what the
//! commands build from it: the active shapes, the dataset form and the EU mapping.
use crate::shacl::Shapes;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A folder shipped with katalog (`shapes`, `vocab`): beside the binary, in the current
/// directory, or in the source tree it was built from.
pub fn shipped_dir(name: &str) -> PathBuf {
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join(name)));
    let candidates = [
        beside_binary,
        Some(PathBuf::from(name)),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The DCAT-AP-SE → DCAT-AP mapping from `vocab/`.
pub fn eu_mapping() -> Result<crate::feeds::eu::EuMapping, Box<dyn std::error::Error>> {
    Ok(crate::feeds::eu::EuMapping::load(&shipped_dir("vocab"))?)
}

/// The dataset form of the publisher pages, generated from the active shapes and the
/// controlled vocabularies.
pub fn dataset_form(
    shape_paths: &[PathBuf],
) -> Result<Option<Arc<crate::publish::form::FormSpec>>, Box<dyn std::error::Error>> {
    let shapes = crate::shacl::read_graph(&shape_paths_or_shipped(shape_paths))?;
    let vocab = crate::shacl::read_graph(&[shipped_dir("vocab")])?;
    Ok(Some(Arc::new(crate::publish::form::FormSpec::from_graphs(
        &shapes, &vocab,
    ))))
}

/// The shapes every write is validated with, or None when validation is switched off.
pub fn active_shapes(
    paths: &[PathBuf],
    disabled: bool,
) -> Result<Option<Arc<Shapes>>, Box<dyn std::error::Error>> {
    if disabled {
        return Ok(None);
    }
    Ok(Some(Arc::new(Shapes::load(&shape_paths_or_shipped(
        paths,
    ))?)))
}

/// The shapes given on the command line, else katalog's own.
fn shape_paths_or_shipped(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![shipped_dir("shapes")]
    } else {
        paths.to_vec()
    }
}
