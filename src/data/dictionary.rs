//! A hosted table's data dictionary: the publisher's title and description of each column,
//! and the type a column is to have where the inferred one is not what the data means (a
//! number-like code such as a postnummer kept as text). It belongs to the distribution, so it
//! holds for every version of its file.
use super::DataError;
use super::table::{Column, Kind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dictionary {
    pub columns: Vec<Entry>,
}

/// What the publisher says of one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The column, as the file names it.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `text`, `integer` or `real`: text always fits; `real` fits a column of integers.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
}

impl Dictionary {
    /// A short name for the types it sets (the table made with them is kept under it), or ""
    /// when it sets none.
    pub fn types_key(&self) -> String {
        let types: Vec<String> = self
            .columns
            .iter()
            .filter_map(|e| Some(format!("{}={:?}", e.name, e.kind?)))
            .collect();
        if types.is_empty() {
            return String::new();
        }
        hex::encode(&Sha256::digest(types.join("\n").as_bytes())[..6])
    }

    /// The inferred columns with the types it sets; an error names a column it sets that the
    /// file does not have, or a type the column's values do not fit.
    pub fn settle(&self, mut columns: Vec<Column>) -> Result<Vec<Column>, DataError> {
        for entry in &self.columns {
            let Some(column) = columns.iter_mut().find(|c| c.name == entry.name) else {
                return Err(DataError::BadQuery(format!(
                    "the dictionary names a column the file does not have: {:?}",
                    entry.name
                )));
            };
            let Some(kind) = entry.kind else { continue };
            let fits = matches!(
                (column.kind, kind),
                (_, Kind::Text)
                    | (Kind::Integer, Kind::Real | Kind::Integer)
                    | (Kind::Real, Kind::Real)
            );
            if !fits {
                return Err(DataError::BadQuery(format!(
                    "column {:?} holds values that are not {}",
                    entry.name,
                    kind.name()
                )));
            }
            column.kind = kind;
        }
        Ok(columns)
    }

    /// Gives the columns the titles and descriptions it has for them.
    pub fn describe(&self, columns: &mut [Column]) {
        for column in columns {
            if let Some(entry) = self.columns.iter().find(|e| e.name == column.name) {
                column.title.clone_from(&entry.title);
                column.description.clone_from(&entry.description);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, kind: Kind) -> Column {
        Column {
            name: name.into(),
            kind,
            title: None,
            description: None,
        }
    }

    #[test]
    fn types_widen_and_never_narrow() {
        let entry = |name: &str, kind| Entry {
            name: name.into(),
            title: Some("Titel".into()),
            description: None,
            kind: Some(kind),
        };
        let columns = vec![
            column("postnummer", Kind::Integer),
            column("namn", Kind::Text),
        ];
        let dictionary = Dictionary {
            columns: vec![entry("postnummer", Kind::Text)],
        };
        let settled = dictionary.settle(columns.clone()).unwrap();
        assert_eq!(settled[0].kind, Kind::Text);
        assert_ne!(dictionary.types_key(), "");
        let narrowing = Dictionary {
            columns: vec![entry("namn", Kind::Integer)],
        };
        assert!(narrowing.settle(columns.clone()).is_err());
        let unknown = Dictionary {
            columns: vec![entry("saknas", Kind::Text)],
        };
        assert!(unknown.settle(columns).is_err());
        assert_eq!(Dictionary::default().types_key(), "");
    }
}
