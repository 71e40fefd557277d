//! Tabular files as SQL tables: a CSV file, a JSON array of objects or a GeoJSON feature
//! collection is read into an SQLite database of its own, one per stored version, so the
//! data API reads one version while the next is loaded. Column types come from the whole
//! file: a column is INTEGER or REAL only when every non-empty value is one.
mod delimited;
mod json;
mod sheet;

use super::DataError;
use super::dictionary::Dictionary;
use rusqlite::types::Value;
use rusqlite::{Connection, Statement, params_from_iter};
use std::path::Path;

/// The table's name in each database.
pub const TABLE: &str = "data";
/// Its full-text index over the text columns.
pub const SEARCH: &str = "data_search";
/// The column a GeoJSON feature's geometry is kept in (as GeoJSON text).
pub const GEOMETRY: &str = "geometry";
/// The most columns a table takes.
pub const MAX_COLUMNS: usize = 1000;

/// A column's type, as inferred from its cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Integer,
    Real,
    Text,
}

impl Kind {
    fn sql(self) -> &'static str {
        match self {
            Kind::Integer => "INTEGER",
            Kind::Real => "REAL",
            Kind::Text => "TEXT",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Real => "real",
            Kind::Text => "text",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Kind::Integer, Kind::Real, Kind::Text]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// One column of a hosted table.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    /// The publisher's title and description of the column (its data dictionary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Column {
    fn new(name: String, kind: Kind) -> Self {
        Self {
            name,
            kind,
            title: None,
            description: None,
        }
    }
}

/// Whether katalog makes a table of a file with this media type.
pub fn is_tabular(media_type: &str) -> bool {
    delimited::MEDIA_TYPES.contains(&media_type)
        || json::MEDIA_TYPES.contains(&media_type)
        || sheet::MEDIA_TYPES.contains(&media_type)
}

/// Reads the file at `source` into a new SQLite database at `target` (written beside it and
/// renamed into place, so a reader never sees half a table), with the types `dictionary`
/// sets; its columns, or None when the file holds no table (JSON that is not a list of
/// records).
pub fn load(
    source: &Path,
    media_type: &str,
    target: &Path,
    dictionary: &Dictionary,
) -> Result<Option<Vec<Column>>, DataError> {
    // Two readers may load the same missing table at once: each into a file of its own.
    static LOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let load = LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = target.with_extension(format!("partial-{}-{load}", std::process::id()));
    let loaded = if json::MEDIA_TYPES.contains(&media_type) {
        json::load(source, &partial, dictionary)
    } else if sheet::MEDIA_TYPES.contains(&media_type) {
        sheet::load(source, &partial, dictionary).map(Some)
    } else {
        delimited::load(source, &partial, dictionary).map(Some)
    };
    let placed = loaded.and_then(|columns| {
        if columns.is_some() {
            std::fs::rename(&partial, target)?;
        }
        Ok(columns)
    });
    if placed.is_err() || placed.as_ref().is_ok_and(Option::is_none) {
        let _ = std::fs::remove_file(&partial);
    }
    placed
}

/// Blank header names are named by position and repeated ones numbered.
fn column_names(header: impl Iterator<Item = String>) -> Result<Vec<String>, DataError> {
    let mut names: Vec<String> = Vec::new();
    for (i, name) in header.enumerate() {
        if i == MAX_COLUMNS {
            return Err(DataError::Malformed {
                line: Some(1),
                message: format!("more than {MAX_COLUMNS} columns"),
            });
        }
        let base = match name.trim() {
            "" => format!("column_{}", i + 1),
            name => name.to_owned(),
        };
        let mut name = base.clone();
        let mut n = 2;
        // SQLite's identifiers are case-insensitive.
        while names.iter().any(|seen| seen.eq_ignore_ascii_case(&name)) {
            name = format!("{base}_{n}");
            n += 1;
        }
        names.push(name);
    }
    Ok(names)
}

/// Adds rows to a table being written.
struct Rows<'a> {
    insert: Statement<'a>,
}

impl Rows<'_> {
    fn add(&mut self, values: &[Value]) -> Result<(), DataError> {
        self.insert.execute(params_from_iter(values)).map_err(sql)?;
        Ok(())
    }
}

/// Writes a new database: the table, its rows (from `fill`), its full-text index and its
/// column list.
fn write_table(
    target: &Path,
    columns: &[Column],
    fill: impl FnOnce(&mut Rows<'_>) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let mut db = Connection::open(target).map_err(sql)?;
    // A fresh file renamed into place only when whole: no journal needed while loading.
    db.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(sql)?;
    let definitions: Vec<String> = columns
        .iter()
        .map(|c| format!("{} {}", quote(&c.name), c.kind.sql()))
        .collect();
    let tx = db.transaction().map_err(sql)?;
    tx.execute_batch(&format!(
        "CREATE TABLE {TABLE} ({});
         CREATE TABLE columns (position INTEGER PRIMARY KEY, name TEXT NOT NULL,
             type TEXT NOT NULL, title TEXT, description TEXT);",
        definitions.join(", ")
    ))
    .map_err(sql)?;
    for (i, column) in columns.iter().enumerate() {
        tx.execute(
            "INSERT INTO columns (position, name, type) VALUES (?1, ?2, ?3)",
            (i as i64, &column.name, column.kind.name()),
        )
        .map_err(sql)?;
    }
    {
        let marks = vec!["?"; columns.len()].join(", ");
        let insert = tx
            .prepare(&format!("INSERT INTO {TABLE} VALUES ({marks})"))
            .map_err(sql)?;
        fill(&mut Rows { insert })?;
    }
    index_text(&tx, columns)?;
    tx.commit().map_err(sql)
}

/// A full-text index (SQLite's FTS5) over the text columns, for `_search`.
fn index_text(tx: &rusqlite::Transaction<'_>, columns: &[Column]) -> Result<(), DataError> {
    let text: Vec<String> = columns
        .iter()
        .filter(|c| c.kind == Kind::Text && c.name != GEOMETRY)
        .map(|c| quote(&c.name))
        .collect();
    if text.is_empty() {
        return Ok(());
    }
    tx.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {SEARCH} USING fts5({}, content='{TABLE}', content_rowid='rowid');
         INSERT INTO {SEARCH}({SEARCH}) VALUES ('rebuild');",
        text.join(", ")
    ))
    .map_err(sql)
}

/// A name as an SQL identifier.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) fn sql(error: rusqlite::Error) -> DataError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => DataError::Timeout,
        _ => DataError::Table(error.to_string()),
    }
}
