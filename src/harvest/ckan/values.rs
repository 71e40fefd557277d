//! One CKAN JSON value → RDF terms, by the rule's value kind.
use super::mapping::{Kind, Rule};
use oxrdf::vocab::xsd;
use oxrdf::{Literal, NamedNode, NamedNodeRef, Term};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// DCAT-AP-SE's pattern for a literal media type (as `ks:Distribution-format-mediaType`).
static MEDIA_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[A-Za-z0-9_]+/[-.A-Za-z0-9_]+(\+[-.A-Za-z0-9_]+)?(\s*;\s*[A-Za-z0-9_]+=[-.A-Za-z0-9_]+)*$",
    )
    .expect("valid pattern")
});

/// What a value needs beyond the rule: the language of plain text, what counts as a file.
pub(super) struct Env<'a> {
    pub language: Option<&'a str>,
    pub file_extensions: &'a [String],
}

/// A field of a record, or else of its `extras` (key or `dcat_` + key, as ckanext-dcat reads
/// them). Null, blank text, `[]` and `{}` count as absent.
pub(super) fn lookup<'v>(record: &'v Value, key: &str) -> Option<&'v Value> {
    if let Some(value) = record.get(key).filter(|v| !is_empty(v)) {
        return Some(value);
    }
    let extras = record.get("extras")?.as_array()?;
    let is_key = |extra: &&Value| {
        let name = extra.get("key").and_then(Value::as_str).unwrap_or_default();
        name == key || name.strip_prefix("dcat_") == Some(key)
    };
    extras
        .iter()
        .find(is_key)
        .and_then(|extra| extra.get("value"))
        .filter(|v| !is_empty(v))
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// A scalar as text: trimmed non-empty strings and numbers.
pub(super) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The terms of one field value (scalar kinds and text; nodes and spatial values are made by
/// the mapper).
pub(super) fn terms(rule: &Rule, value: &Value, record: &Value, env: &Env<'_>) -> Vec<Term> {
    if rule.kind == Kind::Text {
        return text_literals(value, rule.item_key.as_deref(), env.language);
    }
    items(value, rule.split_list)
        .iter()
        .filter(|item| !rule.only_files || is_file(item, record, env.file_extensions))
        .filter_map(|item| scalar(rule, item))
        .collect()
}

fn scalar(rule: &Rule, item: &str) -> Option<Term> {
    match rule.kind {
        Kind::Literal => Some(Literal::new_simple_literal(item).into()),
        Kind::Iri => iri(rule, item),
        Kind::Mailto => mailto(item),
        Kind::Date => date(item),
        Kind::Typed => typed(item, rule.datatype.as_ref()?.as_ref()),
        Kind::MediaType => media_type(rule, item).map(|m| Literal::new_simple_literal(m).into()),
        Kind::MediaTypeIri => media_type_iri(rule, item),
        Kind::Text | Kind::Spatial | Kind::Node | Kind::Publisher => None,
    }
}

/// The items of a value: a list's scalars, a string read as a list (JSON array text or
/// comma-separated, as ckanext-dcat reads list extras) when the rule says so, or the scalar.
fn items(value: &Value, split: bool) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        Value::String(list) if split => split_list(list),
        other => text(other).into_iter().collect(),
    }
}

fn split_list(list: &str) -> Vec<String> {
    if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(list) {
        return items.iter().filter_map(text).collect();
    }
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Free text: `{"sv": "…", "en": ""}` gives one literal per non-empty language; a plain
/// string gets the default language (plain without one); lists item by item.
fn text_literals(value: &Value, item_key: Option<&str>, default: Option<&str>) -> Vec<Term> {
    match value {
        Value::String(text) => plain_text(text, default).into_iter().collect(),
        Value::Array(items) => items
            .iter()
            .flat_map(|item| text_literals(item, item_key, default))
            .collect(),
        Value::Object(map) => match item_key.and_then(|key| map.get(key)) {
            Some(item) => text_literals(item, None, default),
            None => map
                .iter()
                .flat_map(|(language, texts)| tagged(texts, language))
                .collect(),
        },
        _ => Vec::new(),
    }
}

fn plain_text(text: &str, language: Option<&str>) -> Option<Term> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let literal = match language {
        Some(language) => Literal::new_language_tagged_literal(text, language).ok()?,
        None => Literal::new_simple_literal(text),
    };
    Some(literal.into())
}

/// The texts of one language of a language object (a string or a list of strings); a key
/// that is not a language tag gives nothing.
fn tagged(texts: &Value, language: &str) -> Vec<Term> {
    let texts = match texts {
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        Value::String(text) => vec![text.as_str()],
        _ => Vec::new(),
    };
    texts
        .into_iter()
        .filter_map(|text| plain_text(text, Some(language)))
        .collect()
}

/// A mapped value, a bare code under the rule's prefix, or the value when it is an IRI.
fn iri(rule: &Rule, item: &str) -> Option<Term> {
    if let Some(term) = rule.values.get(&item.to_lowercase()) {
        return matches!(term, Term::NamedNode(_)).then(|| term.clone());
    }
    if let Some(prefix) = &rule.code_prefix
        && item.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return NamedNode::new(format!("{prefix}{}", item.to_uppercase()))
            .ok()
            .map(Into::into);
    }
    // Only absolute IRIs parse; codes such as "sv" or free text do not.
    NamedNode::new(item).ok().map(Into::into)
}

fn mailto(item: &str) -> Option<Term> {
    let address = item.strip_prefix("mailto:").unwrap_or(item).trim();
    if !address.contains('@') || address.contains(char::is_whitespace) {
        return None;
    }
    NamedNode::new(format!("mailto:{address}"))
        .ok()
        .map(Into::into)
}

/// xsd:dateTime, xsd:date or xsd:gYear, whichever the text is (CKAN writes
/// `2019-04-02T08:15:27.512093`; some sites a space instead of the `T`).
fn date(item: &str) -> Option<Term> {
    let text = item.trim().replacen(' ', "T", 1);
    [xsd::DATE_TIME, xsd::DATE, xsd::G_YEAR]
        .into_iter()
        .find(|datatype| crate::shacl::is_valid_lexical(datatype.as_str(), &text))
        .map(|datatype| Literal::new_typed_literal(text, datatype).into())
}

/// A literal of the datatype when the text is valid for it; integers written as JSON
/// floats (`1048576.0`) are written as integers.
fn typed(item: &str, datatype: NamedNodeRef<'_>) -> Option<Term> {
    let text = match datatype.as_str().ends_with("nteger") {
        true => whole_number(item).unwrap_or_else(|| item.to_owned()),
        false => item.to_owned(),
    };
    crate::shacl::is_valid_lexical(datatype.as_str(), &text)
        .then(|| Literal::new_typed_literal(text, datatype).into())
}

fn whole_number(item: &str) -> Option<String> {
    let number = item.parse::<f64>().ok()?;
    let whole = number.fract() == 0.0 && (0.0..9.0e15).contains(&number);
    whole.then(|| format!("{}", number as u64))
}

/// A literal media type: a mapped format name, or the value itself when it is a media type
/// (or an IANA media-type IRI, as ckanext-dcat writes them).
fn media_type(rule: &Rule, item: &str) -> Option<String> {
    if let Some(Term::Literal(literal)) = rule.values.get(&item.to_lowercase()) {
        return Some(literal.value().to_owned());
    }
    let text = item
        .rsplit_once("/media-types/")
        .map_or(item, |(_, media_type)| media_type)
        .trim();
    MEDIA_TYPE.is_match(text).then(|| text.to_lowercase())
}

fn media_type_iri(rule: &Rule, item: &str) -> Option<Term> {
    let media_type = media_type(rule, item)?;
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let subtype = essence.split_once('/')?.1;
    if rule.unregistered.iter().any(|p| subtype.starts_with(p)) {
        return None;
    }
    let prefix = rule.iri_prefix.as_deref()?;
    NamedNode::new(format!("{prefix}{essence}"))
        .ok()
        .map(Into::into)
}

/// An uploaded resource (CKAN's FileStore marks it `url_type: upload`) or a URL whose last
/// path segment ends with a file extension of the mapping.
fn is_file(url: &str, record: &Value, extensions: &[String]) -> bool {
    if record.get("url_type").and_then(Value::as_str) == Some("upload") {
        return true;
    }
    let Some((_, after_scheme)) = url.split_once("://") else {
        return false;
    };
    let path = after_scheme.split(['?', '#']).next().unwrap_or_default();
    let Some((_, segment)) = path.rsplit_once('/') else {
        return false;
    };
    segment
        .rsplit_once('.')
        .is_some_and(|(_, ext)| extensions.contains(&ext.to_lowercase()))
}

/// GeoJSON (a geometry or a feature) as WKT, in the same lon/lat order (CRS84, WKT's default
/// in GeoSPARQL). None for other JSON.
pub(super) fn wkt(geojson: &Value) -> Option<String> {
    let kind = geojson.get("type")?.as_str()?;
    if kind == "Feature" {
        return wkt(geojson.get("geometry")?);
    }
    let depth = match kind {
        "Point" => 0,
        "LineString" | "MultiPoint" => 1,
        "Polygon" | "MultiLineString" => 2,
        "MultiPolygon" => 3,
        _ => return None,
    };
    let coordinates = positions(geojson.get("coordinates")?, depth)?;
    Some(format!("{}({coordinates})", kind.to_uppercase()))
}

/// Nested coordinate arrays: depth 0 is one position (`x y`), each level above is a
/// comma-separated list, parenthesised below the top.
fn positions(value: &Value, depth: usize) -> Option<String> {
    let items = value.as_array()?;
    if depth == 0 {
        let [x, y, ..] = items.as_slice() else {
            return None;
        };
        return Some(format!("{} {}", x.as_number()?, y.as_number()?));
    }
    let parts = items
        .iter()
        .map(|item| {
            let inner = positions(item, depth - 1)?;
            Some(if depth > 1 {
                format!("({inner})")
            } else {
                inner
            })
        })
        .collect::<Option<Vec<_>>>()?;
    (!parts.is_empty()).then(|| parts.join(", "))
}
