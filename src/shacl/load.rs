//! Reading RDF files and folders into one graph.

use super::ShaclError;
use oxigraph::io::{RdfFormat, RdfParser};
use oxrdf::Graph;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// Extensions read from folders.
const FOLDER_EXTENSIONS: [&str; 4] = ["ttl", "rdf", "nt", "jsonld"];

/// The files to read: `paths` themselves, or the RDF files of folders (sorted).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ShaclError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let io_error = |source| ShaclError::Io {
                path: path.clone(),
                source,
            };
            let mut found = Vec::new();
            for entry in fs::read_dir(path).map_err(io_error)? {
                let file = entry.map_err(io_error)?.path();
                let known = file
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| FOLDER_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
                if known && file.is_file() {
                    found.push(file);
                }
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Parses RDF files (format from the extension) into one graph. Blank nodes
/// are renamed so that files never share them; named graphs are merged.
pub fn read_graph(paths: &[PathBuf]) -> Result<Graph, ShaclError> {
    Ok(read_graph_and_digest(paths)?.0)
}

/// Like [`read_graph`], with a digest of the files' contents (in reading order) and of the
/// engine's version, so that a changed shape or a changed engine gives another digest.
pub fn read_graph_and_digest(paths: &[PathBuf]) -> Result<(Graph, String), ShaclError> {
    let mut graph = Graph::new();
    let mut digest = Sha256::new();
    digest.update(env!("CARGO_PKG_VERSION").as_bytes());
    for file in expand(paths)? {
        let content = read_file_into(&file, &mut graph)?;
        digest.update((content.len() as u64).to_le_bytes());
        digest.update(&content);
    }
    Ok((graph, hex::encode(&digest.finalize()[..16])))
}

/// Parses `file` into `graph`, returning the file's bytes.
fn read_file_into(file: &Path, graph: &mut Graph) -> Result<Vec<u8>, ShaclError> {
    let format = file
        .extension()
        .and_then(|e| e.to_str())
        .and_then(|e| RdfFormat::from_extension(&e.to_ascii_lowercase()))
        .ok_or_else(|| ShaclError::UnknownFormat(file.to_owned()))?;
    let content = fs::read(file).map_err(|source| ShaclError::Io {
        path: file.to_owned(),
        source,
    })?;
    let mut parser = RdfParser::from_format(format);
    // Relative IRIs resolve against the file's URL.
    if let Some(base) = fs::canonicalize(file)
        .ok()
        .and_then(|p| url::Url::from_file_path(p).ok())
    {
        parser = parser
            .with_base_iri(base.as_str())
            .unwrap_or_else(|_| RdfParser::from_format(format));
    }
    for quad in parser.rename_blank_nodes().for_slice(&content) {
        let quad = quad.map_err(|source| ShaclError::Parse {
            path: file.to_owned(),
            source: source.into(),
        })?;
        graph.insert(quad.as_ref());
    }
    Ok(content)
}
