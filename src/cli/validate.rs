//! `katalog validate`: RDF files against the shapes, without a store.
use super::load::read_file;
use super::shipped::active_shapes;
use crate::shacl::ValidationReport;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
            Ok(triples) => report.merge(shapes.validate(&triples as &Vec<_>)),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Err(e) = write_report(&report, &args.format) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if report.has_violations() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Written straight to standard output, result by result.
fn write_report(report: &ValidationReport, format: &str) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        "json" => report.write_json(&mut out).and_then(|()| writeln!(out)),
        "turtle" | "ttl" => report.write_turtle(&mut out),
        _ => writeln!(out, "{}", report.to_text()),
    }?;
    out.flush()
}
