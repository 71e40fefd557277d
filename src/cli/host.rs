//! `serve --host DATASET/NAME=FILE`: a file hosted as the server starts, through the same
//! publishing code as an upload (the demo hosts its example files so).
use super::CliResult;
use crate::http::AppState;
use crate::publish::{Hosted, host_file};
use oxigraph::model::NamedNode;
use std::path::PathBuf;

pub async fn host(state: &AppState, spec: &str) -> CliResult {
    let bad = || format!("--host takes DATASET/NAME=FILE, not {spec:?}");
    let (target, path) = spec.split_once('=').ok_or_else(bad)?;
    let (id, name) = target.split_once('/').ok_or_else(bad)?;
    crate::data::check_name(id)?;
    crate::data::check_name(name)?;
    let files = state.files()?;
    let dataset = NamedNode::new(state.config.iri_for_path(&format!("datasets/{id}")))?;
    let path = PathBuf::from(path);
    let media_type = crate::data::media_type_of(None, &path.to_string_lossy());
    let kept = {
        let (files, path) = (files.clone(), path.clone());
        tokio::task::spawn_blocking(move || files.keep_file(&path)).await??
    };
    let hosted = Hosted {
        dataset: &dataset,
        id,
        name,
        kept,
        media_type: &media_type,
    };
    host_file(&state.publishing(), None, &files, hosted)
        .await
        .map_err(|e| format!("hosting {}: {e}", path.display()))?;
    tracing::info!(file = %path.display(), dataset = id, name, "hosted");
    Ok(())
}
