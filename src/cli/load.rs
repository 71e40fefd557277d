//! `katalog load`: RDF files into the store, and the reading of RDF files that
//! `validate` shares.
use super::shipped::active_shapes;
use super::{CliResult, DEFAULT_ADDR, StoreArgs};
use crate::publish::{Accepts, Precondition, PublishError, Publishing, Submission, ingest};
use crate::rdf::{Document, Graph, GraphFormat, Limits, input_format_for_path, parse_graph_reader};
use crate::shacl::Shapes;
use crate::store::{Catalogue, Change};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::io::RdfFormat;
use oxigraph::model::{NamedNode, Triple};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Files to load (syntax from the extension unless --format is given).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Syntax of the files: turtle, rdfxml, jsonld, ntriples, nquads, trig.
    #[arg(long)]
    format: Option<String>,
    /// Load the triples as they are into this one named graph instead of splitting records.
    #[arg(long)]
    graph: Option<String>,
    /// Shapes to validate with (default: katalog's DCAT-AP-SE shapes).
    #[arg(long)]
    shapes: Vec<PathBuf>,
    /// Store records even when they violate the shapes.
    #[arg(long)]
    no_validation: bool,
}

fn file_format(path: &Path, name: Option<&str>) -> Result<RdfFormat, String> {
    match name {
        Some(n) => GraphFormat::from_name(n)
            .map(GraphFormat::rdf_format)
            .or_else(|| RdfFormat::from_extension(n))
            .ok_or_else(|| format!("unknown format {n:?}")),
        None => input_format_for_path(path)
            .ok_or_else(|| format!("{}: unknown RDF syntax; use --format", path.display())),
    }
}

pub(super) fn read_file<G: Graph + Default>(
    path: &Path,
    format: Option<&str>,
    base: &str,
) -> Result<G, String> {
    let syntax = file_format(path, format)?;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    // A progress bar only where loading takes a while.
    let bar = if size > 8 * 1024 * 1024 {
        ProgressBar::new(size)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({eta})",
        )
        .expect("valid template"),
    );
    bar.set_message(path.display().to_string());
    let triples = parse_graph_reader(
        bar.wrap_read(std::io::BufReader::new(file)),
        syntax,
        Some(base),
        &Limits::for_local_files(),
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    bar.finish_and_clear();
    Ok(triples)
}

/// Loads one file through the ingest service, as the publishing API writes (no principal,
/// any kind of record, no precondition): split into records, validated, written in one
/// transaction.
pub async fn load_file(
    catalogue: &Arc<Catalogue>,
    path: &Path,
    base: &str,
    format: Option<&str>,
    shapes: Option<Arc<Shapes>>,
) -> Result<String, Box<dyn std::error::Error>> {
    let triples: Document = read_file(path, format, base)?;
    let read = triples.len();
    let site = Publishing {
        catalogue,
        shapes,
        base_uri: base,
        accounts: None,
    };
    let submission = Submission {
        triples,
        only: None,
        accepts: Accepts::Any,
        precondition: Precondition::None,
    };
    match ingest(&site, None, submission).await {
        Ok(ingested) => Ok(summary(&ingested.changes, ingested.unattached)),
        // Ingest refuses a body without records; a file of them loads as nothing, as
        // `load` always did.
        Err(PublishError::NoRecords) => Ok(summary(&[], read)),
        Err(PublishError::Invalid(report)) => Err(format!(
            "{}: the records violate the shapes:\n{}",
            path.display(),
            report.to_text()
        )
        .into()),
        Err(e) => Err(e.into()),
    }
}

fn summary(changes: &[Change], unattached: usize) -> String {
    let count = |c: Change| changes.iter().filter(|x| **x == c).count();
    format!(
        "{} records ({} created, {} updated, {} unchanged), {} unattached triples ignored",
        changes.len(),
        count(Change::Created),
        count(Change::Updated),
        count(Change::Unchanged),
        unattached
    )
}

pub fn load(args: LoadArgs) -> CliResult {
    let catalogue = Arc::new(Catalogue::open(&args.store.data)?);
    let base = args.store.resolve_base(&catalogue, DEFAULT_ADDR.parse()?)?;
    let shapes = active_shapes(&args.shapes, args.no_validation || args.graph.is_some())?;
    // The ingest service is async (its writes run on blocking threads).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    for file in &args.files {
        if let Some(graph) = &args.graph {
            load_graph(&catalogue, file, args.format.as_deref(), &base, graph)?;
        } else {
            let format = args.format.as_deref();
            let loading = load_file(&catalogue, file, &base, format, shapes.clone());
            let summary = runtime.block_on(loading)?;
            eprintln!("{}: {summary}", file.display());
        }
    }
    catalogue.flush()?;
    Ok(())
}

/// Loads the triples of one file as they are into one named graph (`--graph`).
fn load_graph(
    catalogue: &Catalogue,
    file: &Path,
    format: Option<&str>,
    base: &str,
    graph: &str,
) -> CliResult {
    let triples: Vec<Triple> = read_file(file, format, base)?;
    catalogue.load_raw_graph(NamedNode::new(graph)?.as_ref(), &triples)?;
    eprintln!(
        "{}: {} triples into <{graph}>",
        file.display(),
        triples.len()
    );
    Ok(())
}
