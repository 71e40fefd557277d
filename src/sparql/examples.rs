//! Example queries offered on the SPARQL page (`queries/examples/`); the SPARQL benchmark
//! times the same ones.
macro_rules! examples {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../queries/examples/", $file, ".rq")))),*]
    };
}

/// (name, query text); each text starts with a `#` line saying what it asks.
pub const EXAMPLES: &[(&str, &str)] = examples!(
    "1-count-datasets",
    "2-datasets-per-publisher",
    "3-datasets-per-theme",
    "4-swedish-titles-with-a-word",
    "5-csv-downloads",
    "6-recently-modified",
    "7-high-value-datasets",
    "8-datasets-without-licence",
    "9-distributions-per-format",
);

/// What an example asks: its first comment line.
pub fn title(query: &str) -> &str {
    query
        .lines()
        .next()
        .and_then(|l| l.strip_prefix('#'))
        .map_or("", str::trim)
}
