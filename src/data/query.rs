//! Queries over a hosted table: filters on columns, a sort, keyset or offset paging, facet
//! counts and full-text search, each run under a time limit and a row cap. The parameters
//! follow Datasette's (`col__gt=`, `_sort=`, `_facet=`, `_next=`), which app developers know.
use super::DataError;
use super::table::{Column, Kind, SEARCH, TABLE, quote, sql};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, params_from_iter};
use serde_json::Value as Json;
use std::path::Path;
use std::time::{Duration, Instant};

/// Rows a page holds when the query does not say.
pub const DEFAULT_SIZE: usize = 100;
/// The most rows one page holds.
pub const MAX_SIZE: usize = 1000;
/// The most values a facet lists.
const FACET_VALUES: usize = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Exact,
    Not,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
    In,
    IsNull,
}

impl Op {
    const SUFFIXES: [(&'static str, Op); 8] = [
        ("not", Op::Not),
        ("gt", Op::Gt),
        ("gte", Op::Gte),
        ("lt", Op::Lt),
        ("lte", Op::Lte),
        ("contains", Op::Contains),
        ("in", Op::In),
        ("isnull", Op::IsNull),
    ];
}

/// One condition on a column.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub column: String,
    pub op: Op,
    pub value: String,
}

/// A query over one table.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub filters: Vec<Filter>,
    /// The column to sort by and whether descending; by row order when None.
    pub sort: Option<(String, bool)>,
    pub size: usize,
    /// Where the page starts: the `next` of the page before (keyset paging).
    pub after: Option<String>,
    /// Or rows skipped (offset paging, as CKAN's `datastore_search` pages).
    pub offset: u64,
    pub facets: Vec<String>,
    pub search: Option<String>,
    /// The columns to answer with; all when None.
    pub fields: Option<Vec<String>>,
    /// Whether to count the matching rows.
    pub total: bool,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            filters: Vec::new(),
            sort: None,
            size: DEFAULT_SIZE,
            after: None,
            offset: 0,
            facets: Vec::new(),
            search: None,
            fields: None,
            total: true,
        }
    }
}

impl Query {
    /// A query from the data API's parameters: `col=v` and `col__op=v` filter, parameters
    /// starting with `_` steer; others (`_shape`, `_format`) are left to the caller.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, DataError> {
        let mut query = Query::default();
        for (key, value) in pairs {
            match key {
                "_sort" => query.sort = Some((value.to_owned(), false)),
                "_sort_desc" => query.sort = Some((value.to_owned(), true)),
                "_size" => query.size = size(value)?,
                "_next" => query.after = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "_facet" => query.facets.push(value.to_owned()),
                "_search" => query.search = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "_col" => query.fields.get_or_insert_with(Vec::new).push(value.into()),
                _ if key.starts_with('_') => {}
                _ => query.filters.push(filter(key, value)),
            }
        }
        Ok(query)
    }
}

fn size(value: &str) -> Result<usize, DataError> {
    match value {
        "max" => Ok(MAX_SIZE),
        _ => value
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_SIZE).contains(n))
            .ok_or_else(|| {
                DataError::BadQuery(format!("_size is a number from 1 to {MAX_SIZE}, or max"))
            }),
    }
}

fn filter(key: &str, value: &str) -> Filter {
    let split = key.rsplit_once("__").and_then(|(column, suffix)| {
        let op = Op::SUFFIXES.iter().find(|(s, _)| *s == suffix)?.1;
        Some((column, op))
    });
    let (column, op) = split.unwrap_or((key, Op::Exact));
    Filter {
        column: column.to_owned(),
        op,
        value: value.to_owned(),
    }
}

/// One row: its number in the file (from 1) and its values, as JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub id: i64,
    pub values: Vec<Json>,
}

/// The counts of a column's values among the matching rows, the most frequent first.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Facet {
    pub column: String,
    pub values: Vec<FacetValue>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FacetValue {
    pub value: Json,
    pub count: u64,
}

/// One page of a query's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The columns answered, in order.
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub total: Option<u64>,
    /// The `_next` of the following page, if there is one (keyset paging).
    pub next: Option<String>,
    pub facets: Vec<Facet>,
}

/// The columns of the table in `db`, with their titles and descriptions.
pub fn columns(db: &Path) -> Result<Vec<Column>, DataError> {
    read_columns(&open(db)?)
}

fn open(db: &Path) -> Result<Connection, DataError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(db, flags).map_err(sql)
}

fn read_columns(db: &Connection) -> Result<Vec<Column>, DataError> {
    let mut statement = db
        .prepare("SELECT name, type, title, description FROM columns ORDER BY position")
        .map_err(sql)?;
    let columns = statement
        .query_map([], |row| {
            let kind: String = row.get(1)?;
            Ok(Column {
                name: row.get(0)?,
                kind: Kind::parse(&kind).unwrap_or(Kind::Text),
                title: row.get(2)?,
                description: row.get(3)?,
            })
        })
        .map_err(sql)?;
    columns.collect::<Result<_, _>>().map_err(sql)
}

/// Runs `query` on the table in `db`, stopping it after `limit`.
pub fn run(db: &Path, query: &Query, limit: Duration) -> Result<Page, DataError> {
    let db = open(db)?;
    let deadline = Instant::now() + limit;
    db.progress_handler(1000, Some(move || Instant::now() > deadline));
    let all = read_columns(&db)?;
    let plan = Plan::new(&all, query, &db)?;
    let rows = plan.rows(&db, query)?;
    let total = match query.total {
        true => Some(plan.count(&db)?),
        false => None,
    };
    let facets = query
        .facets
        .iter()
        .map(|column| plan.facet(&db, column))
        .collect::<Result<_, _>>()?;
    let (rows, next) = plan.page(rows, query);
    Ok(Page {
        columns: plan.fields,
        rows,
        total,
        next,
        facets,
    })
}

/// A query turned into SQL: the WHERE clause and its values, the sort.
struct Plan {
    fields: Vec<Column>,
    conditions: Vec<String>,
    values: Vec<Value>,
    sort: Option<(Column, bool)>,
}

impl Plan {
    fn new(all: &[Column], query: &Query, db: &Connection) -> Result<Self, DataError> {
        let find = |name: &str| {
            all.iter()
                .find(|c| c.name == name)
                .cloned()
                .ok_or_else(|| DataError::BadQuery(format!("there is no column {name:?}")))
        };
        let fields = match &query.fields {
            Some(names) => names.iter().map(|n| find(n)).collect::<Result<_, _>>()?,
            None => all.to_vec(),
        };
        for facet in &query.facets {
            find(facet)?;
        }
        let mut plan = Plan {
            fields,
            conditions: Vec::new(),
            values: Vec::new(),
            sort: match &query.sort {
                Some((name, desc)) => Some((find(name)?, *desc)),
                None => None,
            },
        };
        for filter in &query.filters {
            plan.filter(&find(&filter.column)?, filter)?;
        }
        if let Some(terms) = &query.search {
            plan.search(db, terms)?;
        }
        Ok(plan)
    }

    fn filter(&mut self, column: &Column, filter: &Filter) -> Result<(), DataError> {
        let name = quote(&column.name);
        let comparison = |op: &str| format!("{name} {op} ?");
        let condition = match filter.op {
            Op::Exact => comparison("="),
            Op::Not => format!("{name} IS NOT ?"),
            Op::Gt => comparison(">"),
            Op::Gte => comparison(">="),
            Op::Lt => comparison("<"),
            Op::Lte => comparison("<="),
            Op::Contains => {
                let pattern = filter.value.replace('\\', "\\\\").replace('%', "\\%");
                let pattern = pattern.replace('_', "\\_");
                self.values.push(Value::Text(format!("%{pattern}%")));
                self.conditions.push(format!("{name} LIKE ? ESCAPE '\\'"));
                return Ok(());
            }
            Op::In => {
                let items = list(&filter.value)?;
                let marks = vec!["?"; items.len()].join(", ");
                self.values
                    .extend(items.iter().map(|item| typed(column.kind, item)));
                self.conditions.push(format!("{name} IN ({marks})"));
                return Ok(());
            }
            Op::IsNull => {
                let null = !matches!(filter.value.as_str(), "0" | "false" | "no");
                let not = if null { "" } else { "NOT " };
                self.conditions.push(format!("{name} IS {not}NULL"));
                return Ok(());
            }
        };
        self.values.push(typed(column.kind, &filter.value));
        self.conditions.push(condition);
        Ok(())
    }

    /// Rows whose text columns hold every word of `terms` (as whole words, any order).
    fn search(&mut self, db: &Connection, terms: &str) -> Result<(), DataError> {
        let indexed: bool = db
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE name = ?1",
                [SEARCH],
                |row| row.get(0),
            )
            .map_err(sql)?;
        if !indexed {
            // A table without text columns matches no words.
            self.conditions.push("0".into());
            return Ok(());
        }
        // The words as the index splits them (on all but letters and digits), each quoted,
        // so FTS5's query syntax is never read from the user's text.
        let phrase: Vec<String> = terms
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(|word| format!("\"{word}\""))
            .collect();
        if phrase.is_empty() {
            return Ok(());
        }
        self.values.push(Value::Text(phrase.join(" ")));
        self.conditions.push(format!(
            "rowid IN (SELECT rowid FROM {SEARCH} WHERE {SEARCH} MATCH ?)"
        ));
        Ok(())
    }

    fn where_clause(&self, extra: Option<&str>) -> String {
        let mut all: Vec<&str> = self.conditions.iter().map(String::as_str).collect();
        all.extend(extra);
        match all.is_empty() {
            true => String::new(),
            false => format!(" WHERE {}", all.join(" AND ")),
        }
    }

    /// The page's rows and one more, which tells whether a next page exists.
    fn rows(&self, db: &Connection, query: &Query) -> Result<Vec<Row>, DataError> {
        let mut values = self.values.clone();
        let after = match &query.after {
            Some(token) => Some(self.after(token, &mut values)?),
            None => None,
        };
        let order = match &self.sort {
            Some((column, desc)) => {
                let name = quote(&column.name);
                let direction = if *desc { " DESC" } else { "" };
                format!("{name} IS NULL, {name}{direction}, rowid")
            }
            None => "rowid".into(),
        };
        let names: Vec<String> = self.fields.iter().map(|c| quote(&c.name)).collect();
        let mut select = vec!["rowid".to_owned()];
        select.extend(names);
        if let Some((column, _)) = &self.sort {
            select.push(quote(&column.name));
        }
        let sql_text = format!(
            "SELECT {} FROM {TABLE}{} ORDER BY {order} LIMIT {} OFFSET {}",
            select.join(", "),
            self.where_clause(after.as_deref()),
            query.size + 1,
            query.offset
        );
        let mut statement = db.prepare(&sql_text).map_err(sql)?;
        let width = self.fields.len();
        let rows = statement
            .query_map(params_from_iter(&values), |row| {
                let mut values = Vec::with_capacity(width + 1);
                for i in 1..=width + usize::from(self.sort.is_some()) {
                    values.push(json(row.get_ref(i)?));
                }
                Ok(Row {
                    id: row.get(0)?,
                    values,
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    /// The condition for rows after the cursor `token`: `[rowid]`, or `[value, rowid]`
    /// when sorted (nulls sort last).
    fn after(&self, token: &str, values: &mut Vec<Value>) -> Result<String, DataError> {
        let bad = || DataError::BadQuery("_next is not one this table gave".into());
        let cursor: Vec<Json> = serde_json::from_str(token).map_err(|_| bad())?;
        let rowid = cursor.last().and_then(Json::as_i64).ok_or_else(bad)?;
        let Some((column, desc)) = &self.sort else {
            values.push(Value::Integer(rowid));
            return Ok("rowid > ?".into());
        };
        let name = quote(&column.name);
        let value = match cursor.as_slice() {
            [value, _] => value,
            _ => return Err(bad()),
        };
        if value.is_null() {
            values.push(Value::Integer(rowid));
            return Ok(format!("({name} IS NULL AND rowid > ?)"));
        }
        let value = from_json(value).ok_or_else(bad)?;
        values.extend([value.clone(), value, Value::Integer(rowid)]);
        let beyond = if *desc { "<" } else { ">" };
        Ok(format!(
            "({name} IS NULL OR {name} {beyond} ? OR ({name} = ? AND rowid > ?))"
        ))
    }

    /// Drops the extra row and the sort value, and makes the next page's cursor.
    fn page(&self, mut rows: Vec<Row>, query: &Query) -> (Vec<Row>, Option<String>) {
        let more = rows.len() > query.size;
        rows.truncate(query.size);
        let sorted = self.sort.is_some();
        let next = rows.last().filter(|_| more).map(|last| {
            let mut cursor = Vec::new();
            if sorted {
                cursor.push(last.values.last().cloned().unwrap_or(Json::Null));
            }
            cursor.push(Json::from(last.id));
            Json::Array(cursor).to_string()
        });
        if sorted {
            for row in &mut rows {
                row.values.pop();
            }
        }
        // Offset paging has no keyset cursor: its caller counts.
        let next = next.filter(|_| query.offset == 0);
        (rows, next)
    }

    fn count(&self, db: &Connection) -> Result<u64, DataError> {
        let text = format!("SELECT count(*) FROM {TABLE}{}", self.where_clause(None));
        db.query_row(&text, params_from_iter(&self.values), |row| row.get(0))
            .map_err(sql)
    }

    fn facet(&self, db: &Connection, column: &str) -> Result<Facet, DataError> {
        let name = quote(column);
        let text = format!(
            "SELECT {name}, count(*) AS n FROM {TABLE}{} GROUP BY {name}
             ORDER BY n DESC, {name} LIMIT {FACET_VALUES}",
            self.where_clause(None)
        );
        let mut statement = db.prepare(&text).map_err(sql)?;
        let values = statement
            .query_map(params_from_iter(&self.values), |row| {
                Ok(FacetValue {
                    value: json(row.get_ref(0)?),
                    count: row.get(1)?,
                })
            })
            .map_err(sql)?;
        Ok(Facet {
            column: column.to_owned(),
            values: values.collect::<Result<_, _>>().map_err(sql)?,
        })
    }
}

/// A filter's value as the column's type, so that `5` matches the number 5; text that
/// is not a number stays text (and matches nothing in a number column).
fn typed(kind: Kind, value: &str) -> Value {
    let number = match kind {
        Kind::Integer => value.trim().parse().ok().map(Value::Integer),
        Kind::Real => value.trim().parse().ok().map(Value::Real),
        Kind::Text => None,
    };
    number.unwrap_or_else(|| Value::Text(value.to_owned()))
}

/// `__in`'s values: a JSON array, or values separated by commas.
fn list(value: &str) -> Result<Vec<String>, DataError> {
    if value.trim_start().starts_with('[') {
        let items: Vec<Json> = serde_json::from_str(value)
            .map_err(|e| DataError::BadQuery(format!("__in is not a JSON list: {e}")))?;
        return Ok(items
            .into_iter()
            .map(|item| match item {
                Json::String(s) => s,
                other => other.to_string(),
            })
            .collect());
    }
    Ok(value.split(',').map(str::to_owned).collect())
}

/// A value as text, as a CSV file or a page shows it: null is empty, a string is itself.
pub fn text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json(value: ValueRef<'_>) -> Json {
    match value {
        ValueRef::Null | ValueRef::Blob(_) => Json::Null,
        ValueRef::Integer(n) => n.into(),
        ValueRef::Real(x) => serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number),
        ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned().into(),
    }
}

fn from_json(value: &Json) -> Option<Value> {
    match value {
        Json::Number(n) => n
            .as_i64()
            .map(Value::Integer)
            .or_else(|| n.as_f64().map(Value::Real)),
        Json::String(s) => Some(Value::Text(s.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("f.csv");
        std::fs::write(&source, csv).unwrap();
        let db = dir.path().join("t.sqlite");
        let none = super::super::Dictionary::default();
        super::super::table::load(&source, "text/csv", &db, &none).unwrap();
        (dir, db)
    }

    fn ask(db: &Path, pairs: &[(&str, &str)]) -> Page {
        let query = Query::from_pairs(pairs.iter().copied()).unwrap();
        run(db, &query, Duration::from_secs(5)).unwrap()
    }

    fn ids(page: &Page) -> Vec<i64> {
        page.rows.iter().map(|r| r.id).collect()
    }

    const KOMMUNER: &str = "kommun,lan,invanare\nGävle,Gävleborg,103000\nSandviken,Gävleborg,39000\n\
        Uppsala,Uppsala,240000\nEnköping,Uppsala,46000\nVaxholm,Stockholm,12000\nOkänd,,\n";

    #[test]
    fn filters_by_comparison_containment_list_and_null() {
        let (_dir, db) = table(KOMMUNER);
        assert_eq!(ids(&ask(&db, &[("invanare__gt", "45000")])), [1, 3, 4]);
        assert_eq!(ids(&ask(&db, &[("lan", "Uppsala")])), [3, 4]);
        assert_eq!(ids(&ask(&db, &[("kommun__contains", "än")])), [6]);
        assert_eq!(
            ids(&ask(&db, &[("lan__in", "Stockholm,Uppsala")])),
            [3, 4, 5]
        );
        assert_eq!(ids(&ask(&db, &[("invanare__isnull", "1")])), [6]);
        let page = ask(&db, &[("invanare__lte", "39000"), ("_col", "kommun")]);
        assert_eq!(page.rows[0].values, [Json::from("Sandviken")]);
        assert_eq!(page.total, Some(2));
    }

    #[test]
    fn keyset_pages_through_a_sort_with_nulls_last() {
        let (_dir, db) = table(KOMMUNER);
        let mut seen = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let mut pairs = vec![("_sort_desc", "invanare"), ("_size", "2")];
            if let Some(token) = &next {
                pairs.push(("_next", token.as_str()));
            }
            let page = ask(&db, &pairs);
            seen.extend(ids(&page));
            next = page.next.clone();
            if next.is_none() {
                break;
            }
        }
        assert_eq!(seen, [3, 1, 4, 2, 5, 6]);
    }

    #[test]
    fn facets_and_search() {
        let (_dir, db) = table(KOMMUNER);
        let page = ask(&db, &[("_facet", "lan"), ("_search", "uppsala")]);
        assert_eq!(ids(&page), [3, 4]);
        let counts = &page.facets[0].values;
        assert_eq!(counts[0].value, Json::from("Uppsala"));
        assert_eq!(counts[0].count, 2);
        let error = Query::from_pairs([("nope", "1")])
            .and_then(|q| run(&db, &q, Duration::from_secs(1)))
            .unwrap_err();
        assert!(error.to_string().contains("nope"), "{error}");
    }
}
