//! Reading a SPARQL Protocol request: query text, protocol dataset and wanted format.
use crate::web::AppError;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, header};

/// `default-graph-uri` and `named-graph-uri` parameters; when any is given they replace
/// the query's own FROM and FROM NAMED.
#[derive(Debug, Default, Clone)]
pub struct ProtocolDataset {
    pub default_graphs: Vec<String>,
    pub named_graphs: Vec<String>,
}

#[derive(Debug, Default)]
pub struct ProtocolRequest {
    pub query: Option<String>,
    pub dataset: ProtocolDataset,
    /// A `format` parameter (json, xml, csv, tsv, turtle, …) overriding `Accept`.
    pub format: Option<String>,
}

impl ProtocolRequest {
    pub fn parse(
        method: &Method,
        query_string: Option<&str>,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Self, AppError> {
        let mut request = Self::default();
        let url_params = pairs(query_string.unwrap_or("").as_bytes());
        request.read(&url_params)?;
        if *method == Method::POST {
            request.read_body(headers, body)?;
        }
        Ok(request)
    }

    fn read(&mut self, params: &[(String, String)]) -> Result<(), AppError> {
        for (name, value) in params {
            match name.as_str() {
                "query" => {
                    if self.query.is_some() {
                        return Err(AppError::BadRequest("more than one query was given".into()));
                    }
                    self.query = Some(value.clone());
                }
                "update" | "using-graph-uri" | "using-named-graph-uri" => {
                    return Err(read_only());
                }
                "default-graph-uri" => self.dataset.default_graphs.push(value.clone()),
                "named-graph-uri" => self.dataset.named_graphs.push(value.clone()),
                "format" | "output" => self.format = Some(value.clone()),
                _ => {}
            }
        }
        Ok(())
    }

    fn read_body(&mut self, headers: &HeaderMap, body: &Bytes) -> Result<(), AppError> {
        let raw_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if let Some(charset) = raw_type.and_then(charset_of)
            && !charset.eq_ignore_ascii_case("utf-8")
        {
            return Err(AppError::UnsupportedMediaType(format!(
                "charset {charset}: SPARQL requests must be UTF-8"
            )));
        }
        let content_type = raw_type.map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        let text = || {
            std::str::from_utf8(body)
                .map_err(|_| AppError::BadRequest("the request body is not UTF-8".into()))
        };
        match content_type.as_deref() {
            Some("application/x-www-form-urlencoded") => {
                text()?;
                self.read(&pairs(body))
            }
            Some("application/sparql-query") => {
                if self.query.is_some() {
                    return Err(AppError::BadRequest("more than one query was given".into()));
                }
                self.query = Some(text()?.to_owned());
                Ok(())
            }
            Some("application/sparql-update") => Err(read_only()),
            Some(other) => Err(AppError::UnsupportedMediaType(format!(
                "{other}: send application/sparql-query or application/x-www-form-urlencoded"
            ))),
            None => Err(AppError::UnsupportedMediaType(
                "no Content-Type: send application/sparql-query or application/x-www-form-urlencoded".into(),
            )),
        }
    }
}

fn read_only() -> AppError {
    AppError::Forbidden(
        "this SPARQL endpoint is read-only: publish through the publishing API instead".into(),
    )
}

fn charset_of(content_type: &str) -> Option<&str> {
    content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"'))
}

fn pairs(data: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(data).into_owned().collect()
}
