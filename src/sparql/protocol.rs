//! Reading a SPARQL Protocol request: query text, protocol dataset and wanted format.

/// A request that is not a query this endpoint answers.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("{0}")]
    Malformed(String),
    /// An update, or update parameters: the endpoint is read-only.
    #[error("this SPARQL endpoint is read-only: publish through the publishing API instead")]
    ReadOnly,
    #[error("{0}")]
    UnsupportedMediaType(String),
}

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
    /// The request from its query string and, for a POST, its body and `Content-Type`.
    pub fn parse(
        query_string: Option<&str>,
        post: Option<(Option<&str>, &[u8])>,
    ) -> Result<Self, ProtocolError> {
        let mut request = Self::default();
        let url_params = pairs(query_string.unwrap_or("").as_bytes());
        request.read(&url_params)?;
        if let Some((content_type, body)) = post {
            request.read_body(content_type, body)?;
        }
        Ok(request)
    }

    fn read(&mut self, params: &[(String, String)]) -> Result<(), ProtocolError> {
        for (name, value) in params {
            match name.as_str() {
                "query" => {
                    if self.query.is_some() {
                        return Err(ProtocolError::Malformed(
                            "more than one query was given".into(),
                        ));
                    }
                    self.query = Some(value.clone());
                }
                "update" | "using-graph-uri" | "using-named-graph-uri" => {
                    return Err(ProtocolError::ReadOnly);
                }
                "default-graph-uri" => self.dataset.default_graphs.push(value.clone()),
                "named-graph-uri" => self.dataset.named_graphs.push(value.clone()),
                "format" | "output" => self.format = Some(value.clone()),
                _ => {}
            }
        }
        Ok(())
    }

    fn read_body(&mut self, raw_type: Option<&str>, body: &[u8]) -> Result<(), ProtocolError> {
        if let Some(charset) = raw_type.and_then(charset_of)
            && !charset.eq_ignore_ascii_case("utf-8")
        {
            return Err(ProtocolError::UnsupportedMediaType(format!(
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
                .map_err(|_| ProtocolError::Malformed("the request body is not UTF-8".into()))
        };
        match content_type.as_deref() {
            Some("application/x-www-form-urlencoded") => {
                text()?;
                self.read(&pairs(body))
            }
            Some("application/sparql-query") => {
                if self.query.is_some() {
                    return Err(ProtocolError::Malformed("more than one query was given".into()));
                }
                self.query = Some(text()?.to_owned());
                Ok(())
            }
            Some("application/sparql-update") => Err(ProtocolError::ReadOnly),
            Some(other) => Err(ProtocolError::UnsupportedMediaType(format!(
                "{other}: send application/sparql-query or application/x-www-form-urlencoded"
            ))),
            None => Err(ProtocolError::UnsupportedMediaType(
                "no Content-Type: send application/sparql-query or application/x-www-form-urlencoded".into(),
            )),
        }
    }
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
