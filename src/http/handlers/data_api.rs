//! The open data API over hosted tables: `GET /data/{id}/{name}` answers rows of a CSV
//! distribution as JSON, CSV or an HTML table (filters, sort, keyset paging, facets,
//! search), and `/api/3/action/datastore_search` answers CKAN's clients the same rows.
use crate::data::query::{self, Page, Query};
use crate::data::{DataError, Files};
use crate::http::extract::{Caller, Path};
use crate::http::{AppError, SharedState};
use crate::rdf::negotiate;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};
use std::sync::Arc;
use std::time::Duration;

/// How long one query over a hosted table may run.
pub const QUERY_TIME_LIMIT: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Form {
    Json,
    Csv,
    GeoJson,
    Html,
}

/// Read rows of a hosted table
///
/// The rows of a CSV distribution's current file, which katalog loads into a table with
/// column types inferred from the whole file. Filter with `column=value` or
/// `column__op=value` (`gt`, `gte`, `lt`, `lte`, `not`, `contains`, `in` with a comma list
/// or a JSON array, `isnull` with 1 or 0); sort with `_sort` or `_sort_desc`; page with
/// `_size` (at most 1000) and the `next` link; count values with `_facet=column` (repeat it);
/// search the text columns with `_search`; choose columns with `_col` (repeat it). The form
/// comes from the suffix (`.json`, `.csv`, `.geojson` for rows with a place) or `Accept`
/// (JSON by default, HTML for a browser);
/// `_shape=arrays` answers rows as arrays. Each query stops after five seconds.
#[utoipa::path(get, path = "/data/{id}/{name}", tag = "data",
    params(("id" = String, Path, description = "The dataset's id"),
        ("name" = String, Path, description = "The distribution's name, with `.json`, `.csv` or `.geojson` to choose the form"),
        ("_sort" = Option<String>, Query, description = "A column to sort by, ascending"),
        ("_sort_desc" = Option<String>, Query, description = "A column to sort by, descending"),
        ("_size" = Option<String>, Query, description = "Rows per page, 1 to 1000 or `max` (default 100)"),
        ("_next" = Option<String>, Query, description = "Where the page starts: from the previous page's `next`"),
        ("_facet" = Option<String>, Query, description = "A column whose values to count"),
        ("_search" = Option<String>, Query, description = "Words the text columns hold"),
        ("_col" = Option<String>, Query, description = "A column to answer with"),
        ("_shape" = Option<String>, Query, description = "`arrays` for rows as arrays")),
    responses(
        (status = 200, description = "A page of rows: `{\"columns\", \"rows\", \"next\", \"total\", \"facets\"}`, or CSV, or HTML", content_type = "application/json"),
        (status = 400, description = "A column that is not there, or a bad parameter", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such distribution, or its file is not a table", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "None of the forms is acceptable", body = crate::http::openapi::ErrorBody),
        (status = 503, description = "The query took longer than its time limit", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn rows(
    State(state): State<SharedState>,
    Path((id, file)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let files = state.files()?;
    let (name, form) = form_of(&files, &id, &file, &headers)?;
    let pairs = pairs(raw.as_deref());
    let query = Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let page = run(files, &id, &name, query).await?;
    let next = page.next.as_ref().map(|token| {
        let base = state.config.base_uri.trim_end_matches('/');
        format!("{base}/data/{id}/{file}?{}", with_next(&pairs, token))
    });
    let arrays = pairs.iter().any(|(k, v)| k == "_shape" && v == "arrays");
    Ok(match form {
        Form::Json => axum::Json(page_json(&page, next.as_deref(), arrays)).into_response(),
        Form::Csv => page_csv(&page)?,
        Form::GeoJson => page_geojson(&page, next.as_deref())?,
        Form::Html => {
            let lang = match pairs.iter().find(|(k, _)| k == "_lang") {
                Some((_, lang)) if lang == "en" => "en",
                Some(_) => "sv",
                None => super::super::pages::record::page_language(None, &headers),
            };
            super::super::pages::table(&state, &id, &name, lang, &pairs, &page, next.as_deref())?
                .into_response()
        }
    })
}

/// Runs a query on the current version's table, on a blocking thread; the columns as the
/// data dictionary describes them.
async fn run(files: Arc<Files>, id: &str, name: &str, query: Query) -> Result<Page, AppError> {
    let version = files.current(id, name)?.ok_or(AppError::NotFound)?;
    let dictionary = files.dictionary(id, name)?;
    let page = tokio::task::spawn_blocking(move || {
        let table = files
            .table(&version, &dictionary)?
            .ok_or(DataError::NotFound)?;
        let mut page = query::run(&table, &query, QUERY_TIME_LIMIT)?;
        dictionary.describe(&mut page.columns);
        Ok::<_, DataError>(page)
    });
    Ok(page.await??)
}

/// A hosted table's columns
///
/// Their names and types, with the publisher's titles and descriptions (the data
/// dictionary).
#[utoipa::path(get, path = "/data/{id}/{name}/columns", tag = "data",
    params(("id" = String, Path, description = "The dataset's id"),
        ("name" = String, Path, description = "The distribution's name")),
    responses(
        (status = 200, description = "`{\"columns\": [{\"name\", \"type\", \"title\", \"description\"}]}`", content_type = "application/json"),
        (status = 400, description = "An invalid id or name", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such distribution, or its file is not a table", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn columns(
    State(state): State<SharedState>,
    Path((id, name)): Path<(String, String)>,
) -> Result<axum::Json<Json>, AppError> {
    let query = Query {
        size: 1,
        total: false,
        ..Query::default()
    };
    let page = run(state.files()?, &id, &name, query).await?;
    Ok(axum::Json(json!({ "columns": page.columns })))
}

/// Describe a hosted table's columns
///
/// The data dictionary: for each column named, a title, a description, and a type
/// (`text`, `integer`, `real`) where the inferred one is not what the data means (a
/// number-like code as text; text always fits, `real` fits integers). It holds for later
/// versions of the file too.
#[utoipa::path(put, path = "/data/{id}/{name}/columns", tag = "publishing",
    params(("id" = String, Path, description = "The dataset's id"),
        ("name" = String, Path, description = "The distribution's name")),
    request_body(content_type = "application/json", description = "`{\"columns\": [{\"name\", \"title\", \"description\", \"type\"}]}`"),
    responses(
        (status = 200, description = "The columns as now described", content_type = "application/json"),
        (status = 400, description = "Not a dictionary, a column the file does not have, or a type its values do not fit", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's dataset", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such distribution, or its file is not a table", body = crate::http::openapi::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn describe_columns(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path((id, name)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<axum::Json<Json>, AppError> {
    let dictionary: crate::data::Dictionary = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("not a data dictionary: {e}")))?;
    crate::data::check_name(&id)?;
    crate::data::check_name(&name)?;
    let dataset = super::publish::record_iri(&state, crate::store::RecordKind::Dataset, &id)?;
    let files = state.files()?;
    let columns = crate::publish::describe_columns(
        &state.publishing(),
        &principal,
        &files,
        &dataset,
        (&id, &name),
        dictionary,
    )
    .await
    .map_err(|e| AppError::from_publish(e, crate::http::ReportSyntax::Json))?;
    Ok(axum::Json(json!({ "columns": columns })))
}

/// The distribution's name and the form asked for: a `.json` or `.csv` suffix (unless the
/// distribution is named with it), else `Accept`.
fn form_of(
    files: &Files,
    id: &str,
    file: &str,
    headers: &HeaderMap,
) -> Result<(String, Form), AppError> {
    let suffixes = [
        (".geojson", Form::GeoJson),
        (".json", Form::Json),
        (".csv", Form::Csv),
    ];
    let suffixed = suffixes
        .into_iter()
        .find_map(|(suffix, form)| Some((file.strip_suffix(suffix)?, form)));
    if let Some((name, form)) = suffixed
        && files.current(id, file)?.is_none()
    {
        return Ok((name.to_owned(), form));
    }
    let offers = [
        ("application/json", Form::Json),
        ("text/html", Form::Html),
        ("text/csv", Form::Csv),
        ("application/geo+json", Form::GeoJson),
    ];
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let form = negotiate(accept, &offers)
        .ok_or_else(|| AppError::NotAcceptable(offers.iter().map(|(m, _)| *m).collect()))?;
    Ok((file.to_owned(), form))
}

fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The query string of the next page: the same parameters, `_next` replaced.
pub fn with_next(pairs: &[(String, String)], token: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs.iter().filter(|(k, _)| k != "_next") {
        query.append_pair(key, value);
    }
    query.append_pair("_next", token);
    query.finish()
}

fn page_json(page: &Page, next: Option<&str>, arrays: bool) -> Json {
    let rows: Vec<Json> = page
        .rows
        .iter()
        .map(|row| match arrays {
            true => Json::Array(row.values.clone()),
            false => Json::Object(record(page, &row.values)),
        })
        .collect();
    let facets: Map<String, Json> = page
        .facets
        .iter()
        .map(|f| (f.column.clone(), json!(f.values)))
        .collect();
    json!({
        "columns": page.columns,
        "rows": rows,
        "next": next,
        "total": page.total,
        "facets": facets,
    })
}

fn record(page: &Page, values: &[Json]) -> Map<String, Json> {
    page.columns
        .iter()
        .zip(values)
        .map(|(c, v)| (c.name.clone(), v.clone()))
        .collect()
}

/// The rows as GeoJSON features (WGS 84), placed by the table's geometry column or its
/// coordinate columns (latitude/longitude, or SWEREF 99 TM); a row without a place has a null
/// geometry.
fn page_geojson(page: &Page, next: Option<&str>) -> Result<Response, AppError> {
    use crate::data::place::{Place, geometry, place};
    let place = place(&page.columns).ok_or_else(|| {
        AppError::BadRequest(
            "this table has no geometry: no geometry column, no coordinate columns".into(),
        )
    })?;
    let features: Vec<Json> = page
        .rows
        .iter()
        .map(|row| {
            let mut properties = record(page, &row.values);
            if let Place::GeoJson(i) = place {
                properties.remove(&page.columns[i].name);
            }
            json!({
                "type": "Feature",
                "id": row.id,
                "geometry": geometry(place, &row.values),
                "properties": properties,
            })
        })
        .collect();
    let body = json!({
        "type": "FeatureCollection",
        "features": features,
        "next": next,
        "total": page.total,
    });
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        body.to_string(),
    )
        .into_response())
}

fn page_csv(page: &Page) -> Result<Response, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(e.to_string());
    out.write_record(page.columns.iter().map(|c| c.name.as_str()))
        .map_err(failed)?;
    for row in &page.rows {
        out.write_record(row.values.iter().map(query::text))
            .map_err(failed)?;
    }
    let body = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}

/// CKAN's `datastore_search` parameters (as a JSON body, or as query parameters with
/// `filters` as JSON).
#[derive(Deserialize)]
pub struct DatastoreSearch {
    resource_id: String,
    q: Option<Json>,
    filters: Option<Map<String, Json>>,
    fields: Option<Json>,
    sort: Option<String>,
    limit: Option<usize>,
    offset: Option<u64>,
    include_total: Option<bool>,
}

/// CKAN's `datastore_search`
///
/// For CKAN's clients (such as Python's `ckanapi`): `resource_id` is the distribution as
/// `{dataset id}/{name}` or its IRI; `q` searches the text columns, `filters` is an object
/// of column → value or list of values, `fields` the columns to answer with, `sort` one
/// column with `asc` or `desc`, `limit` (at most 1000) and `offset` page. Answered in CKAN's
/// envelope (`{"success": true, "result": {"fields", "records", "total", "_links"}}`), each
/// record with its row number as `_id`.
#[utoipa::path(get, path = "/api/3/action/datastore_search", tag = "data",
    params(("resource_id" = String, Query, description = "`{dataset id}/{name}` or the distribution's IRI"),
        ("q" = Option<String>, Query, description = "Words the text columns hold"),
        ("filters" = Option<String>, Query, description = "A JSON object: column → value or list of values"),
        ("fields" = Option<String>, Query, description = "Columns, separated by commas"),
        ("sort" = Option<String>, Query, description = "A column, then `asc` or `desc`"),
        ("limit" = Option<usize>, Query, description = "Rows, at most 1000 (default 100)"),
        ("offset" = Option<u64>, Query, description = "Rows to skip"),
        ("include_total" = Option<bool>, Query, description = "Whether to count the matching rows (default true)")),
    responses(
        (status = 200, description = "CKAN's envelope with the records", content_type = "application/json"),
        (status = 404, description = "No such resource, in CKAN's error envelope", content_type = "application/json"),
        (status = 409, description = "A bad parameter, in CKAN's error envelope", content_type = "application/json"),
    ))]
pub async fn datastore_search(
    State(state): State<SharedState>,
    RawQuery(raw): RawQuery,
) -> Response {
    let parameters = ckan_parameters(&pairs(raw.as_deref()));
    ckan_answer(&state, parameters).await
}

/// CKAN's `datastore_search`, as `ckanapi` calls it: a JSON body.
#[utoipa::path(post, path = "/api/3/action/datastore_search", tag = "data",
    request_body(content_type = "application/json", description = "The parameters as a JSON object"),
    responses(
        (status = 200, description = "CKAN's envelope with the records", content_type = "application/json"),
        (status = 404, description = "No such resource, in CKAN's error envelope", content_type = "application/json"),
        (status = 409, description = "A bad parameter, in CKAN's error envelope", content_type = "application/json"),
    ))]
pub async fn datastore_search_post(
    State(state): State<SharedState>,
    body: axum::body::Bytes,
) -> Response {
    let parameters = match body.is_empty() {
        true => Ok(Json::Object(Map::new())),
        false => serde_json::from_slice(&body).map_err(|e| e.to_string()),
    };
    ckan_answer(&state, parameters).await
}

/// Query parameters as CKAN's JSON: `filters` and `q` parsed when they are JSON objects,
/// numbers and booleans as such.
fn ckan_parameters(pairs: &[(String, String)]) -> Result<Json, String> {
    let mut object = Map::new();
    for (key, value) in pairs {
        let parsed = match key.as_str() {
            "filters" => serde_json::from_str(value).map_err(|e| format!("filters: {e}"))?,
            "q" if value.starts_with('{') => {
                serde_json::from_str(value).map_err(|e| format!("q: {e}"))?
            }
            "limit" | "offset" | "include_total" => {
                serde_json::from_str(value).map_err(|e| format!("{key}: {e}"))?
            }
            _ => Json::String(value.clone()),
        };
        object.insert(key.clone(), parsed);
    }
    Ok(Json::Object(object))
}

async fn ckan_answer(state: &SharedState, parameters: Result<Json, String>) -> Response {
    let answer = async {
        let parameters: DatastoreSearch = serde_json::from_value(parameters.map_err(invalid)?)
            .map_err(|e| invalid(e.to_string()))?;
        let files = state
            .files()
            .map_err(|e| ckan_error(StatusCode::NOT_FOUND, e.to_string()))?;
        let (id, name) = resource(&state.config.base_uri, &parameters.resource_id)
            .ok_or_else(|| not_found(&parameters.resource_id))?;
        let query = ckan_query(&parameters).map_err(invalid)?;
        let (limit, offset) = (query.size, query.offset);
        let page = run(files, &id, &name, query).await.map_err(|e| match e {
            AppError::NotFound => not_found(&parameters.resource_id),
            AppError::BadRequest(message) => invalid(message),
            other => ckan_error(other.status(), other.to_string()),
        })?;
        Ok::<_, Response>(ckan_result(&parameters, &page, limit, offset))
    };
    match answer.await {
        Ok(result) => axum::Json(json!({
            "help": "datastore_search",
            "success": true,
            "result": result,
        }))
        .into_response(),
        Err(response) => response,
    }
}

/// A `resource_id`: `{id}/{name}`, or the distribution's IRI under this site.
fn resource(base: &str, resource_id: &str) -> Option<(String, String)> {
    crate::data::distribution_of(base, resource_id).or_else(|| {
        let (id, name) = resource_id.split_once('/')?;
        (crate::data::check_name(id).is_ok() && crate::data::check_name(name).is_ok())
            .then(|| (id.to_owned(), name.to_owned()))
    })
}

fn ckan_query(parameters: &DatastoreSearch) -> Result<Query, String> {
    let mut query = Query {
        size: parameters.limit.unwrap_or(query::DEFAULT_SIZE),
        offset: parameters.offset.unwrap_or(0),
        total: parameters.include_total.unwrap_or(true),
        ..Query::default()
    };
    if !(1..=query::MAX_SIZE).contains(&query.size) {
        return Err(format!("limit is a number from 1 to {}", query::MAX_SIZE));
    }
    if i64::try_from(query.offset).is_err() {
        return Err("offset is too large".into());
    }
    for (column, value) in parameters.filters.iter().flatten() {
        let (op, value) = match value {
            Json::Array(items) => (query::Op::In, Json::Array(items.clone()).to_string()),
            Json::String(s) => (query::Op::Exact, s.clone()),
            other => (query::Op::Exact, other.to_string()),
        };
        query.filters.push(query::Filter {
            column: column.clone(),
            op,
            value,
        });
    }
    match &parameters.q {
        Some(Json::String(words)) => query.search = Some(words.clone()),
        // Per column: each column holds its words.
        Some(Json::Object(columns)) => {
            for (column, words) in columns {
                query.filters.push(query::Filter {
                    column: column.clone(),
                    op: query::Op::Contains,
                    value: words.as_str().unwrap_or_default().to_owned(),
                });
            }
        }
        _ => {}
    }
    let fields: Option<Vec<String>> = match &parameters.fields {
        Some(Json::String(list)) => Some(list.split(',').map(|f| f.trim().to_owned()).collect()),
        Some(Json::Array(list)) => Some(
            list.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    };
    query.fields = fields.map(|fields| fields.into_iter().filter(|f| f != "_id").collect());
    query.sort = parameters.sort.as_deref().and_then(ckan_sort);
    Ok(query)
}

/// `"column desc"` → (column, descending); `_id` is the row order, the default.
fn ckan_sort(sort: &str) -> Option<(String, bool)> {
    let first = sort.split(',').next()?.trim();
    let (column, desc) = match first.rsplit_once(' ') {
        Some((column, direction)) => (column.trim(), direction.eq_ignore_ascii_case("desc")),
        None => (first, false),
    };
    let column = column.trim_matches('"');
    (column != "_id").then(|| (column.to_owned(), desc))
}

fn ckan_result(parameters: &DatastoreSearch, page: &Page, limit: usize, offset: u64) -> Json {
    let mut fields = vec![json!({"id": "_id", "type": "int"})];
    fields.extend(page.columns.iter().map(|c| {
        let kind = match c.kind {
            crate::data::table::Kind::Integer => "int",
            crate::data::table::Kind::Real => "numeric",
            crate::data::table::Kind::Text => "text",
        };
        let mut field = json!({"id": c.name, "type": kind});
        if c.title.is_some() || c.description.is_some() {
            field["info"] = json!({"label": c.title, "notes": c.description});
        }
        field
    }));
    let records: Vec<Json> = page
        .rows
        .iter()
        .map(|row| {
            let mut record = Map::new();
            record.insert("_id".into(), row.id.into());
            record.extend(self::record(page, &row.values));
            Json::Object(record)
        })
        .collect();
    let link = |offset: u64| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("resource_id", &parameters.resource_id);
        query.append_pair("limit", &limit.to_string());
        query.append_pair("offset", &offset.to_string());
        format!("/api/3/action/datastore_search?{}", query.finish())
    };
    json!({
        "resource_id": parameters.resource_id,
        "fields": fields,
        "records": records,
        "records_format": "objects",
        "limit": limit,
        "offset": offset,
        "total": page.total,
        "include_total": page.total.is_some(),
        "_links": {"start": link(0), "next": link(offset + limit as u64)},
    })
}

fn ckan_error(status: StatusCode, message: String) -> Response {
    let kind = match status {
        StatusCode::NOT_FOUND => "Not Found Error",
        StatusCode::CONFLICT => "Validation Error",
        _ => "Internal Server Error",
    };
    let body = json!({
        "help": "datastore_search",
        "success": false,
        "error": {"__type": kind, "message": message},
    });
    (status, axum::Json(body)).into_response()
}

fn invalid(message: String) -> Response {
    ckan_error(StatusCode::CONFLICT, message)
}

fn not_found(resource_id: &str) -> Response {
    ckan_error(
        StatusCode::NOT_FOUND,
        format!("Resource \"{resource_id}\" was not found."),
    )
}
