//! JSON files: an array of objects (one row each), or a GeoJSON FeatureCollection (one row
//! per feature: its properties, and its geometry as GeoJSON text). The file is read twice,
//! one record at a time (column types, then rows), never whole. JSON's own types decide the
//! columns' types: a string of digits stays text.
use super::{Column, Dictionary, GEOMETRY, Kind, MAX_COLUMNS, Rows, column_names, write_table};
use crate::data::DataError;
use indexmap::IndexMap;
use rusqlite::types::Value;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

pub const MEDIA_TYPES: [&str; 3] = [
    "application/json",
    "application/geo+json",
    "application/vnd.geo+json",
];

/// Reads the JSON file at `source` into a new database at `target`; its columns, or None
/// when the file is JSON but no list of records.
pub fn load(
    source: &Path,
    target: &Path,
    dictionary: &Dictionary,
) -> Result<Option<Vec<Column>>, DataError> {
    let mut kinds: IndexMap<String, Option<Kind>> = IndexMap::new();
    let mut too_wide = false;
    let tabular = each_record(source, &mut |record| {
        for (name, value) in fields(record) {
            if !kinds.contains_key(&name) && kinds.len() == MAX_COLUMNS {
                too_wide = true;
                continue;
            }
            let kind = kinds.entry(name).or_insert(None);
            *kind = widen(*kind, &value);
        }
    })?;
    if too_wide {
        return Err(DataError::Malformed {
            line: None,
            message: format!("the records have more than {MAX_COLUMNS} fields"),
        });
    }
    if !tabular || kinds.is_empty() {
        return Ok(None);
    }
    let names = column_names(kinds.keys().cloned())?;
    let columns: Vec<Column> = names
        .into_iter()
        .zip(kinds.values())
        .map(|(name, kind)| Column::new(name, kind.unwrap_or(Kind::Text)))
        .collect();
    let columns = dictionary.settle(columns)?;
    write_table(target, &columns, |rows| {
        insert_rows(rows, source, kinds.keys().collect(), &columns)
    })?;
    Ok(Some(columns))
}

fn insert_rows(
    rows: &mut Rows<'_>,
    source: &Path,
    keys: Vec<&String>,
    columns: &[Column],
) -> Result<(), DataError> {
    let mut failed = None;
    each_record(source, &mut |record| {
        if failed.is_some() {
            return;
        }
        let mut fields: IndexMap<String, Json> = fields(record).collect();
        let values: Vec<Value> = keys
            .iter()
            .zip(columns)
            .map(|(key, column)| value(fields.swap_remove(*key), column.kind))
            .collect();
        failed = rows.add(&values).err();
    })?;
    failed.map_or(Ok(()), Err)
}

/// A record's fields: a feature's properties and geometry, or an object's members.
fn fields(mut record: Map<String, Json>) -> impl Iterator<Item = (String, Json)> {
    let feature = record.get("type").and_then(Json::as_str) == Some("Feature");
    let (properties, geometry) = match feature {
        true => {
            let properties = match record.remove("properties") {
                Some(Json::Object(properties)) => properties,
                _ => Map::new(),
            };
            let geometry = record.remove("geometry").unwrap_or(Json::Null);
            (properties, Some((GEOMETRY.to_owned(), geometry)))
        }
        false => (record, None),
    };
    properties.into_iter().chain(geometry)
}

/// The narrowest type that holds both what the column held and `value`.
fn widen(kind: Option<Kind>, value: &Json) -> Option<Kind> {
    let this = match value {
        Json::Null => return kind,
        Json::Number(n) if n.is_i64() => Kind::Integer,
        Json::Number(_) => Kind::Real,
        _ => Kind::Text,
    };
    Some(match (kind, this) {
        (None, this) => this,
        (Some(Kind::Integer), Kind::Integer) => Kind::Integer,
        (Some(Kind::Integer | Kind::Real), Kind::Integer | Kind::Real) => Kind::Real,
        _ => Kind::Text,
    })
}

fn value(json: Option<Json>, kind: Kind) -> Value {
    match (json, kind) {
        (None | Some(Json::Null), _) => Value::Null,
        (Some(Json::Number(n)), Kind::Integer) => n.as_i64().map_or(Value::Null, Value::Integer),
        (Some(Json::Number(n)), Kind::Real) => n.as_f64().map_or(Value::Null, Value::Real),
        (Some(Json::String(s)), _) => Value::Text(s),
        (Some(other), _) => Value::Text(other.to_string()),
    }
}

/// Calls `each` with every record of the file, one at a time; whether the file is a list of
/// records (an array of objects, or a FeatureCollection).
fn each_record(source: &Path, each: &mut dyn FnMut(Map<String, Json>)) -> Result<bool, DataError> {
    let reader = BufReader::with_capacity(256 * 1024, File::open(source)?);
    let mut parser = serde_json::Deserializer::from_reader(reader);
    let tabular = Records { each }
        .deserialize(&mut parser)
        .and_then(|tabular| parser.end().map(|()| tabular))
        .map_err(|e| DataError::Malformed {
            line: Some(e.line() as u64),
            message: format!("not JSON: {e}"),
        })?;
    Ok(tabular)
}

/// The records of a JSON document, visited as they are read.
struct Records<'f> {
    each: &'f mut dyn FnMut(Map<String, Json>),
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, parser: D) -> Result<bool, D::Error> {
        parser.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON document")
    }

    /// An array: a table when every element is an object.
    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<bool, A::Error> {
        let mut tabular = true;
        while let Some(item) = items.next_element::<Json>()? {
            match item {
                Json::Object(record) if tabular => (self.each)(record),
                _ => tabular = false,
            }
        }
        Ok(tabular)
    }

    /// An object: a table when it has `features` (a GeoJSON FeatureCollection).
    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<bool, A::Error> {
        let each = self.each;
        let mut tabular = false;
        while let Some(key) = members.next_key::<String>()? {
            match key.as_str() {
                "features" => {
                    tabular = members.next_value_seed(Records { each: &mut *each })?;
                }
                _ => {
                    members.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(tabular)
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn load_json(text: &str) -> Option<(Vec<Column>, Connection, tempfile::TempDir)> {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("f.json");
        std::fs::write(&source, text).unwrap();
        let target = dir.path().join("t.sqlite");
        let none = Dictionary::default();
        let columns =
            crate::data::table::load(&source, "application/json", &target, &none).unwrap()?;
        let db = Connection::open(&target).unwrap();
        Some((columns, db, dir))
    }

    #[test]
    fn a_feature_collection_becomes_properties_and_geometry() {
        let text = r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.01, 59.19]},
             "properties": {"namn": "Sandviken", "djup": 2, "kod": "0180"}},
            {"type": "Feature", "geometry": null, "properties": {"namn": "Hällen", "djup": 3.5}}
        ]}"#;
        let (columns, db, _dir) = load_json(text).unwrap();
        let kinds: Vec<(&str, Kind)> = columns.iter().map(|c| (c.name.as_str(), c.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("namn", Kind::Text),
                ("djup", Kind::Real),
                ("kod", Kind::Text),
                ("geometry", Kind::Text)
            ]
        );
        let geometry: String = db
            .query_row("SELECT geometry FROM data WHERE rowid = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        let geometry: Json = serde_json::from_str(&geometry).unwrap();
        assert_eq!(
            geometry,
            serde_json::json!({"type": "Point", "coordinates": [15.01, 59.19]})
        );
    }

    #[test]
    fn an_array_of_objects_is_a_table_and_other_json_is_not() {
        let (columns, db, _dir) =
            load_json(r#"[{"a": 1, "b": "x"}, {"a": 2, "c": true}]"#).unwrap();
        assert_eq!(columns.len(), 3);
        let c: Option<String> = db
            .query_row("SELECT c FROM data WHERE a = 2", [], |r| r.get(0))
            .unwrap();
        assert_eq!(c.as_deref(), Some("true"));
        assert!(load_json(r#"{"$schema": "x", "fields": []}"#).is_none());
        assert!(load_json("[1, 2]").is_none());
    }

    #[test]
    fn broken_json_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("f.json");
        std::fs::write(&source, "[{\"a\": 1},\n{\"a\": }]").unwrap();
        let none = Dictionary::default();
        let target = dir.path().join("t");
        let error =
            crate::data::table::load(&source, "application/json", &target, &none).unwrap_err();
        assert!(
            matches!(error, DataError::Malformed { line: Some(2), .. }),
            "{error}"
        );
    }
}
