//! A hosted table as an HTML page: the data API's answer for a browser, readable without
//! JavaScript (a plain table, sort links in the headings, a search form, a next link).
use super::chart::{self, Mark};
use super::render;
use crate::data::query::{Page, text};
use crate::data::table::Kind;
use crate::http::{AppError, AppState};
use axum::response::Html;
use minijinja::context;
use serde::Serialize;

#[derive(Serialize)]
struct Heading {
    name: String,
    title: Option<String>,
    description: Option<String>,
    numeric: bool,
    /// The link that sorts by this column (descending when it is sorted ascending now).
    sort: String,
    sorted: Option<&'static str>,
}

pub fn table(
    state: &AppState,
    id: &str,
    name: &str,
    lang: &str,
    pairs: &[(String, String)],
    page: &Page,
    next: Option<&str>,
) -> Result<Html<String>, AppError> {
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let headings: Vec<Heading> = page
        .columns
        .iter()
        .map(|c| {
            let ascending = value("_sort") == Some(&c.name);
            let descending = value("_sort_desc") == Some(&c.name);
            let key = if ascending { "_sort_desc" } else { "_sort" };
            Heading {
                name: c.name.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                numeric: c.kind != Kind::Text,
                sort: link(pairs, key, &c.name),
                sorted: match (ascending, descending) {
                    (true, _) => Some("ascending"),
                    (_, true) => Some("descending"),
                    _ => None,
                },
            }
        })
        .collect();
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|row| row.values.iter().map(text).collect())
        .collect();
    let facets: Vec<_> = page
        .facets
        .iter()
        .map(|f| {
            let values: Vec<_> = f
                .values
                .iter()
                .map(|v| {
                    (
                        text(&v.value),
                        v.count,
                        link(pairs, &f.column, &text(&v.value)),
                    )
                })
                .collect();
            (f.column.clone(), values)
        })
        .collect();
    let chart = chart(page, &value);
    let same: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "_next")
        .cloned()
        .collect();
    let query = |suffix: &str| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&same)
            .finish();
        format!("/data/{id}/{name}.{suffix}?{query}")
    };
    // The dataset's title heads the page, the distribution's name beside it.
    let dataset =
        oxigraph::model::NamedNode::new(state.config.iri_for_path(&format!("datasets/{id}")));
    let title = dataset
        .ok()
        .and_then(|iri| super::record::record_title(state, &iri, lang));
    render(
        "table.html",
        context! {
            lang => lang,
            title => title,
            id => id,
            name => name,
            headings => headings,
            rows => rows,
            total => page.total,
            next => next,
            facets => facets,
            search => value("_search"),
            kept => same.iter().filter(|(k, _)| k != "_search").collect::<Vec<_>>(),
            chart_kept => same.iter().filter(|(k, _)| !k.starts_with("_chart")).collect::<Vec<_>>(),
            chart => chart,
            chart_x => value("_chart_x"),
            chart_y => value("_chart_y"),
            chart_line => value("_chart") == Some("line"),
            columns => page.columns.iter().map(|c| &c.name).collect::<Vec<_>>(),
            numbers => page.columns.iter().filter(|c| c.kind != Kind::Text).map(|c| &c.name).collect::<Vec<_>>(),
            json => query("json"),
            geojson => crate::data::place::place(&page.columns).map(|_| query("geojson")),
            csv => query("csv"),
        },
    )
}

/// This page's parameters with `key` set to `value` (a sort replaces the other sort), from
/// the first page.
fn link(pairs: &[(String, String)], key: &str, value: &str) -> String {
    let sorting = key.starts_with("_sort");
    let kept = pairs
        .iter()
        .filter(|(k, _)| k != "_next" && k != key && !(sorting && k.starts_with("_sort")));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .append_pair(key, value)
        .finish();
    format!("?{query}")
}

/// The page's rows as a chart, when `_chart_y` names a number column: bars (or a line, with
/// `_chart=line`) over `_chart_x`, or over the row numbers.
fn chart<'a>(page: &Page, value: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let position = |name: &str| page.columns.iter().position(|c| c.name == name);
    let y_name = value("_chart_y")?;
    let y = position(y_name).filter(|&i| page.columns[i].kind != Kind::Text)?;
    let x = value("_chart_x").and_then(position);
    let points: Vec<(String, f64)> = page
        .rows
        .iter()
        .filter_map(|row| {
            let label = x.map_or_else(|| row.id.to_string(), |i| text(&row.values[i]));
            Some((label, row.values[y].as_f64()?))
        })
        .collect();
    let mark = match value("_chart") {
        Some("line") => Mark::Line,
        _ => Mark::Bar,
    };
    let x_name = x.map_or("rad", |i| page.columns[i].name.as_str());
    Some(chart::svg(&format!("{y_name} per {x_name}"), &points, mark))
}
