//! CSV files: comma, semicolon, tab or bar delimited; UTF-8 or Windows-1252; with or without
//! a byte-order mark. A number column holds only numbers (a semicolon file may write the
//! Swedish decimal comma); a value with a leading zero is a code (0180), so its column is text.
use super::{Column, Dictionary, Kind, Rows, column_names, write_table};
use crate::data::DataError;
use rusqlite::types::Value;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

pub const MEDIA_TYPES: [&str; 3] = ["text/csv", "application/csv", "text/tab-separated-values"];

/// Reads the CSV file at `source` into a new database at `target`; its columns.
pub fn load(
    source: &Path,
    target: &Path,
    dictionary: &Dictionary,
) -> Result<Vec<Column>, DataError> {
    let format = sniff(source)?;
    let columns = dictionary.settle(infer(source, &format)?)?;
    write_table(target, &columns, |rows| {
        insert_rows(rows, source, &format, &columns)
    })?;
    Ok(columns)
}

/// How a CSV file is written: its delimiter and its encoding.
struct Format {
    delimiter: u8,
    utf8: bool,
}

impl Format {
    /// A cell as text.
    fn text(&self, cell: &[u8]) -> String {
        match self.utf8 {
            true => String::from_utf8_lossy(cell).into_owned(),
            false => encoding_rs::WINDOWS_1252.decode(cell).0.into_owned(),
        }
    }

    /// A cell as a number, where a semicolon-delimited file may write `12,5` (the Swedish
    /// decimal comma).
    fn real(&self, cell: &str) -> Option<f64> {
        let cell = cell.trim();
        let parsed = cell.parse::<f64>().ok().or_else(|| {
            (self.delimiter != b',' && cell.matches(',').count() == 1)
                .then(|| cell.replace(',', ".").parse().ok())
                .flatten()
        });
        parsed.filter(|n: &f64| n.is_finite())
    }

    fn reader(&self, source: &Path) -> io::Result<csv::Reader<BufReader<File>>> {
        let file = BufReader::with_capacity(256 * 1024, File::open(source)?);
        Ok(csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(true)
            .flexible(false)
            .from_reader(file))
    }
}

/// The delimiter (the candidate seen most often outside quotes on the header line) and the
/// encoding (UTF-8 when the whole file decodes as UTF-8, else Windows-1252, which every
/// byte sequence is).
fn sniff(source: &Path) -> Result<Format, DataError> {
    let mut head = Vec::new();
    File::open(source)?.take(64 * 1024).read_to_end(&mut head)?;
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for &byte in head.iter().take_while(|&&b| b != b'\n') {
        match byte {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            _ => {
                if let Some(count) = counts.iter_mut().find(|(d, _)| *d == byte) {
                    count.1 += 1;
                }
            }
        }
    }
    let delimiter = counts
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map_or(b',', |(d, _)| *d);
    Ok(Format {
        delimiter,
        utf8: is_utf8(source)?,
    })
}

/// Whether the whole file is UTF-8, read in blocks (a character may span two).
fn is_utf8(source: &Path) -> io::Result<bool> {
    let mut file = BufReader::new(File::open(source)?);
    let mut block = vec![0; 256 * 1024];
    let mut carried = 0;
    loop {
        let read = file.read(&mut block[carried..])?;
        let filled = carried + read;
        if read == 0 {
            return Ok(std::str::from_utf8(&block[..filled]).is_ok());
        }
        match std::str::from_utf8(&block[..filled]) {
            Ok(_) => carried = 0,
            // An incomplete character at the end is carried into the next block.
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                block.copy_within(valid..filled, 0);
                carried = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// The columns: their names from the header (blank ones named by position, repeated ones
/// numbered) and their types from every cell below it.
fn infer(source: &Path, format: &Format) -> Result<Vec<Column>, DataError> {
    let mut reader = format.reader(source)?;
    let header = reader.byte_headers().map_err(malformed)?.clone();
    let cells = header.iter().enumerate().map(|(i, cell)| match i {
        0 => cell.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(cell),
        _ => cell,
    });
    let names = column_names(cells.map(|cell| format.text(cell)))?;
    let mut integer = vec![true; names.len()];
    let mut real = vec![true; names.len()];
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(malformed)? {
        for (i, cell) in record.iter().enumerate() {
            if cell.iter().all(u8::is_ascii_whitespace) || !(integer[i] || real[i]) {
                continue;
            }
            let text = format.text(cell);
            let text = text.trim();
            // A leading zero marks a code (kommunkod 0180, postnummer 01234), not a number.
            let code = text.trim_start_matches('-').len() > 1
                && text.trim_start_matches('-').starts_with('0')
                && text.trim_start_matches('-').as_bytes()[1].is_ascii_digit();
            integer[i] &= !code && text.parse::<i64>().is_ok();
            real[i] &= !code && format.real(text).is_some();
        }
    }
    let kind = |i: usize| match (integer[i], real[i]) {
        (true, _) => Kind::Integer,
        (false, true) => Kind::Real,
        _ => Kind::Text,
    };
    Ok(names
        .into_iter()
        .enumerate()
        .map(|(i, name)| Column::new(name, kind(i)))
        .collect())
}

fn malformed(error: csv::Error) -> DataError {
    let line = error.position().map(|p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} cells, the header {expected_len}"),
        _ => error.to_string(),
    };
    DataError::Malformed { line, message }
}

fn insert_rows(
    rows: &mut Rows<'_>,
    source: &Path,
    format: &Format,
    columns: &[Column],
) -> Result<(), DataError> {
    let mut reader = format.reader(source)?;
    let mut record = csv::ByteRecord::new();
    let mut values = Vec::with_capacity(columns.len());
    while reader.read_byte_record(&mut record).map_err(malformed)? {
        values.clear();
        values.extend(
            record
                .iter()
                .zip(columns)
                .map(|(cell, column)| value(format, cell, column.kind)),
        );
        rows.add(&values)?;
    }
    Ok(())
}

fn value(format: &Format, cell: &[u8], kind: Kind) -> Value {
    let text = format.text(cell);
    if text.trim().is_empty() {
        return Value::Null;
    }
    match kind {
        Kind::Integer => text
            .trim()
            .parse()
            .map_or(Value::Text(text), Value::Integer),
        Kind::Real => format.real(&text).map_or(Value::Text(text), Value::Real),
        Kind::Text => Value::Text(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use rusqlite::Connection;

    fn load(bytes: &[u8]) -> (Vec<Column>, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("file.csv");
        std::fs::write(&source, bytes).unwrap();
        let target = dir.path().join("table.sqlite");
        let columns = super::load(&source, &target, &Dictionary::default()).unwrap();
        let db = Connection::open(&target).unwrap();
        std::mem::forget(dir);
        (columns, db)
    }

    fn kinds(columns: &[Column]) -> Vec<Kind> {
        columns.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn a_column_with_one_unparsable_cell_stays_text() {
        let (columns, db) = load(b"id,value,name\n1,2.5,a\n2,x,b\n3,,c\n");
        assert_eq!(kinds(&columns), [Kind::Integer, Kind::Text, Kind::Text]);
        let empty: Option<String> = db
            .query_row("SELECT value FROM data WHERE id = 3", [], |r| r.get(0))
            .unwrap();
        assert_eq!(empty, None);
    }

    #[test]
    fn semicolons_windows_1252_and_decimal_commas() {
        let (columns, db) = load(b"kommun;andel\nG\xe4vle;12,5\nVaxholm;3\n");
        assert_eq!(columns[0].name, "kommun");
        assert_eq!(kinds(&columns), [Kind::Text, Kind::Real]);
        let (name, share): (String, f64) = db
            .query_row("SELECT kommun, andel FROM data LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((name.as_str(), share), ("Gävle", 12.5));
    }

    #[test]
    fn codes_with_a_leading_zero_stay_text() {
        let (columns, _) = load(b"kommunkod,tal,decimal\n0180,-5,0.5\n2480,10,-0.25\n");
        assert_eq!(kinds(&columns), [Kind::Text, Kind::Integer, Kind::Real]);
    }

    #[test]
    fn a_bom_and_blank_or_repeated_headers() {
        let (columns, _) = load("\u{feff}år\tår\t\n2024\t1\t2\n".as_bytes());
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["år", "år_2", "column_3"]);
    }

    #[test]
    fn a_row_of_another_length_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("file.csv");
        std::fs::write(&source, "a,b\n1,2\n3,4,5\n").unwrap();
        let target = dir.path().join("t.sqlite");
        let error = crate::data::table::load(&source, "text/csv", &target, &Dictionary::default())
            .unwrap_err();
        let DataError::Malformed { line, message } = error else {
            panic!("{error}")
        };
        assert_eq!(line, Some(3));
        assert!(message.contains("3 cells"), "{message}");
        assert!(!dir.path().join("t.sqlite").exists());
    }
}
