//! `katalog load`: RDF files into the store, and the reading of RDF files that
//! `validate` shares.
use super::shipped::active_shapes;
use super::{CliResult, DEFAULT_ADDR, StoreArgs};
use crate::rdf::{GraphFormat, Limits, input_format_for_path, parse_graph_reader};
use crate::shacl::Shapes;
use crate::store::{Catalogue, Change, split_records};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::io::RdfFormat;
use oxigraph::model::{NamedNode, Triple};
use std::path::{Path, PathBuf};

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

pub(super) fn read_file(
    path: &Path,
    format: Option<&str>,
    base: &str,
) -> Result<Vec<Triple>, String> {
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

/// Loads one file into the store: split into records, validated, written in one transaction.
pub fn load_file(
    catalogue: &Catalogue,
    path: &Path,
    base: &str,
    format: Option<&str>,
    shapes: Option<&Shapes>,
) -> Result<String, Box<dyn std::error::Error>> {
    let triples = read_file(path, format, base)?;
    let mut split = split_records(triples, base);
    if let Some(shapes) = shapes {
        let members = crate::publish::Members::of(&split.records, &*catalogue.index()?);
        let report = crate::publish::validate_and_note(shapes, &mut split.records, &members);
        if report.has_violations() {
            return Err(format!(
                "{}: the records violate the shapes:\n{}",
                path.display(),
                report.to_text()
            )
            .into());
        }
    }
    let changes = catalogue.write(&split.records)?;
    let count = |c: Change| changes.iter().filter(|x| **x == c).count();
    Ok(format!(
        "{} records ({} created, {} updated, {} unchanged), {} unattached triples ignored",
        changes.len(),
        count(Change::Created),
        count(Change::Updated),
        count(Change::Unchanged),
        split.unattached
    ))
}

pub fn load(args: LoadArgs) -> CliResult {
    let catalogue = Catalogue::open(&args.store.data)?;
    let base = args.store.resolve_base(&catalogue, DEFAULT_ADDR.parse()?)?;
    let shapes = active_shapes(&args.shapes, args.no_validation || args.graph.is_some())?;
    for file in &args.files {
        if let Some(graph) = &args.graph {
            let triples = read_file(file, args.format.as_deref(), &base)?;
            catalogue.load_raw_graph(NamedNode::new(graph.clone())?.as_ref(), &triples)?;
            eprintln!(
                "{}: {} triples into <{graph}>",
                file.display(),
                triples.len()
            );
        } else {
            let summary = load_file(
                &catalogue,
                file,
                &base,
                args.format.as_deref(),
                shapes.as_deref(),
            )?;
            eprintln!("{}: {summary}", file.display());
        }
    }
    catalogue.flush()?;
    Ok(())
}
