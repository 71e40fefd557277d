//! `katalog export`: the whole catalogue to standard output.
use super::{CliResult, DEFAULT_ADDR, StoreArgs};
use crate::rdf::GraphFormat;
use crate::store::Catalogue;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// turtle, rdfxml, jsonld or ntriples.
    #[arg(long, default_value = "turtle")]
    format: String,
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
