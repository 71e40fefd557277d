use super::{CliResult, DEFAULT_ADDR, StoreArgs};
use crate::rdf::{GraphFormat, Limits, input_format_for_path, parse_graph_reader};
use crate::shacl::{Shapes, ValidationReport};
use crate::store::{Catalogue, Change, split_records};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::io::RdfFormat;
use oxigraph::model::{NamedNode, Triple};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
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

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// turtle, rdfxml, jsonld or ntriples.
    #[arg(long, default_value = "turtle")]
    format: String,
}

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Shapes files or folders (default: katalog's DCAT-AP-SE shapes).
    #[arg(long)]
    shapes: Vec<PathBuf>,
    /// Report as text, turtle or json.
    #[arg(long, default_value = "text")]
    format: String,
    /// Base IRI for relative IRIs in the files.
    #[arg(long, default_value = "http://127.0.0.1:8080/")]
    base_uri: String,
}

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
    let paths = if shape_paths.is_empty() {
        vec![shipped_dir("shapes")]
    } else {
        shape_paths.to_vec()
    };
    let shapes = crate::shacl::read_graph(&paths)?;
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
    let paths = if paths.is_empty() {
        vec![shipped_dir("shapes")]
    } else {
        paths.to_vec()
    };
    Ok(Some(Arc::new(Shapes::load(&paths)?)))
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

fn read_file(path: &Path, format: Option<&str>, base: &str) -> Result<Vec<Triple>, String> {
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

/// Writes the whole catalogue as `/datasets/dcat` serves it.
pub fn export(args: ExportArgs) -> CliResult {
    let format = GraphFormat::from_name(&args.format)
        .ok_or_else(|| format!("unknown format {:?}", args.format))?;
    let catalogue = Catalogue::open(&args.store.data)?;
    let base = args.store.resolve_base(&catalogue, DEFAULT_ADDR.parse()?)?;
    let feeds = crate::feeds::Feeds::bare(std::sync::Arc::new(catalogue), &base);
    let document = feeds.site_document(feeds.catalogue.index()?)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    feeds.write_document(document, format, crate::feeds::Profile::Swedish, &mut out)?;
    out.flush()?;
    Ok(())
}

pub fn validate(args: ValidateArgs) -> ExitCode {
    let shapes = match active_shapes(&args.shapes, false) {
        Ok(Some(s)) => s,
        Ok(None) => unreachable!("validation is on"),
        Err(e) => {
            eprintln!("error: shapes: {e}");
            return ExitCode::from(2);
        }
    };
    let mut report = ValidationReport {
        results: Vec::new(),
    };
    for file in &args.files {
        match read_file(file, None, &args.base_uri) {
            // Validated from the parsed triples: building a graph would take longer than
            // the validation.
            Ok(triples) => report.merge(shapes.validate(&triples)),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    // Written straight to standard output, result by result.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format.as_str() {
        "json" => report.write_json(&mut out).and_then(|()| writeln!(out)),
        "turtle" | "ttl" => report.write_turtle(&mut out),
        _ => writeln!(out, "{}", report.to_text()),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    drop(out);
    if report.has_violations() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
