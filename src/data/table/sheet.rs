//! Excel workbooks (xlsx): the first sheet, its first row the header, read cell by cell with
//! calamine's streaming reader, twice (types, then rows), never whole. Excel's own cell types
//! decide the columns' types: a number stored as text stays text; dates become ISO 8601.
use super::{Column, Dictionary, Kind, MAX_COLUMNS, Rows, column_names, write_table};
use crate::data::DataError;
use calamine::{DataRef, Reader, Xlsx, open_workbook};
use rusqlite::types::Value;
use std::path::Path;

pub const MEDIA_TYPES: [&str; 1] =
    ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"];

/// A cell as katalog keeps it.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Empty,
    Integer(i64),
    Real(f64),
    Text(String),
}

/// Reads the first sheet of the workbook at `source` into a new database at `target`.
pub fn load(
    source: &Path,
    target: &Path,
    dictionary: &Dictionary,
) -> Result<Vec<Column>, DataError> {
    let mut header: Option<Vec<Cell>> = None;
    let mut kinds: Vec<Option<Kind>> = Vec::new();
    each_row(source, &mut |cells| {
        if header.is_none() {
            header = Some(cells);
            return Ok(());
        }
        kinds.resize(kinds.len().max(cells.len()), None);
        for (kind, cell) in kinds.iter_mut().zip(&cells) {
            *kind = widen(*kind, cell);
        }
        Ok(())
    })?;
    let header = header.unwrap_or_default();
    let width = header.len().max(kinds.len());
    let names = (0..width).map(|i| match header.get(i) {
        Some(Cell::Text(name)) => name.clone(),
        Some(Cell::Integer(n)) => n.to_string(),
        Some(Cell::Real(x)) => x.to_string(),
        _ => String::new(),
    });
    let columns: Vec<Column> = column_names(names)?
        .into_iter()
        .enumerate()
        .map(|(i, name)| Column::new(name, kinds.get(i).copied().flatten().unwrap_or(Kind::Text)))
        .collect();
    let columns = dictionary.settle(columns)?;
    write_table(target, &columns, |rows| insert_rows(rows, source, &columns))?;
    Ok(columns)
}

fn insert_rows(rows: &mut Rows<'_>, source: &Path, columns: &[Column]) -> Result<(), DataError> {
    let mut first = true;
    each_row(source, &mut |cells| {
        if std::mem::take(&mut first) {
            return Ok(());
        }
        let values: Vec<Value> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| value(cells.get(i).cloned().unwrap_or(Cell::Empty), column.kind))
            .collect();
        rows.add(&values)
    })
}

/// The narrowest type that holds both what the column held and `cell`.
fn widen(kind: Option<Kind>, cell: &Cell) -> Option<Kind> {
    let this = match cell {
        Cell::Empty => return kind,
        Cell::Integer(_) => Kind::Integer,
        Cell::Real(_) => Kind::Real,
        Cell::Text(_) => Kind::Text,
    };
    Some(match (kind, this) {
        (None, this) => this,
        (Some(Kind::Integer), Kind::Integer) => Kind::Integer,
        (Some(Kind::Integer | Kind::Real), Kind::Integer | Kind::Real) => Kind::Real,
        _ => Kind::Text,
    })
}

fn value(cell: Cell, kind: Kind) -> Value {
    match (cell, kind) {
        (Cell::Empty, _) => Value::Null,
        (Cell::Integer(n), Kind::Real) => Value::Real(n as f64),
        (Cell::Integer(n), Kind::Integer) => Value::Integer(n),
        (Cell::Integer(n), Kind::Text) => Value::Text(n.to_string()),
        (Cell::Real(x), Kind::Text) => Value::Text(x.to_string()),
        (Cell::Real(x), _) => Value::Real(x),
        (Cell::Text(text), _) => Value::Text(text),
    }
}

/// Calls `each` with the cells of every row of the first sheet that has any, in order.
fn each_row(
    source: &Path,
    each: &mut dyn FnMut(Vec<Cell>) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let broken = |e: calamine::XlsxError| DataError::Malformed {
        line: None,
        message: format!("not a readable Excel workbook: {e}"),
    };
    let mut workbook: Xlsx<_> = open_workbook(source).map_err(broken)?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Ok(());
    };
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(broken)?;
    let mut row: Option<(u32, Vec<Cell>)> = None;
    while let Some(cell) = cells.next_cell().map_err(broken)? {
        let (number, column) = cell.get_position();
        let column = column as usize;
        if column >= MAX_COLUMNS {
            return Err(DataError::Malformed {
                line: Some(u64::from(number) + 1),
                message: format!("more than {MAX_COLUMNS} columns"),
            });
        }
        if row.as_ref().is_some_and(|(n, _)| *n != number) {
            each(row.take().expect("a row").1)?;
        }
        let (_, values) = row.get_or_insert_with(|| (number, Vec::new()));
        if values.len() <= column {
            values.resize(column + 1, Cell::Empty);
        }
        values[column] = cell_of(cell.get_value());
    }
    match row {
        Some((_, values)) => each(values),
        None => Ok(()),
    }
}

fn cell_of(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::Int(n) => Cell::Integer(*n),
        // Excel keeps every number as a float: a whole one is an integer.
        DataRef::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Cell::Integer(*x as i64),
        DataRef::Float(x) => Cell::Real(*x),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.clone())
        }
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Bool(b) => Cell::Text(b.to_string()),
        DataRef::DateTime(when) => match when.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => {
                Cell::Text(at.date().format("%Y-%m-%d").to_string())
            }
            Some(at) => Cell::Text(at.format("%Y-%m-%dT%H:%M:%S").to_string()),
            None => Cell::Real(when.as_f64()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// tests/fixtures/data/kommuner.xlsx, made by tests/fixtures/data/make_xlsx.py (openpyxl).
    #[test]
    fn the_first_sheet_becomes_a_typed_table() {
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data/kommuner.xlsx");
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.sqlite");
        let columns = load(&fixture, &target, &Dictionary::default()).unwrap();
        let described: Vec<(&str, Kind)> =
            columns.iter().map(|c| (c.name.as_str(), c.kind)).collect();
        assert_eq!(
            described,
            [
                ("kommunkod", Kind::Text),
                ("kommun", Kind::Text),
                ("invånare", Kind::Integer),
                ("andel", Kind::Real),
                ("beslutad", Kind::Text),
            ]
        );
        let db = Connection::open(&target).unwrap();
        let row: (String, Option<i64>, String) = db
            .query_row(
                "SELECT kommun, invånare, beslutad FROM data WHERE kommunkod = '0180'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(row, ("Stockholm".into(), Some(984748), "2024-01-31".into()));
        let empty: Option<i64> = db
            .query_row(
                "SELECT invånare FROM data WHERE kommun = 'Okänd'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(empty, None);
    }
}
