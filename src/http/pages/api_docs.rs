//! `/api/docs`: the OpenAPI description as a page, rendered on the server (works offline).
use super::render;
use crate::http::AppError;
use crate::http::extract::Query;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
struct Operation {
    id: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    security: bool,
    parameters: Vec<serde_json::Value>,
    request: Vec<String>,
    responses: Vec<serde_json::Value>,
}

/// The description as a page, rendered on the server (works offline).
pub async fn docs(Query(params): Query<HashMap<String, String>>) -> Result<Response, AppError> {
    let lang = if params.get("lang").map(String::as_str) == Some("en") {
        "en"
    } else {
        "sv"
    };
    let doc = serde_json::to_value(crate::http::openapi())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let operations = operations(&doc);
    Ok(render(
        "api_docs.html",
        context! {
            lang,
            title => doc["info"]["title"],
            version => doc["info"]["version"],
            description => doc["info"]["description"],
            operations,
        },
    )?
    .into_response())
}

fn operations(doc: &serde_json::Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let keys = |v: &serde_json::Value| -> Vec<String> {
                v.as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let responses = op["responses"]
                .as_object()
                .map(|r| {
                    r.iter()
                        .map(|(status, resp)| {
                            serde_json::json!({
                                "status": status,
                                "description": resp["description"],
                                "types": keys(&resp["content"]),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(Operation {
                id: format!("{method}-{}", path.replace(['/', '{', '}', '.'], "-")),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: op["summary"].as_str().unwrap_or_default().to_owned(),
                description: op["description"].as_str().unwrap_or_default().to_owned(),
                security: op.get("security").is_some(),
                parameters: op["parameters"].as_array().cloned().unwrap_or_default(),
                request: keys(&op["requestBody"]["content"]),
                responses,
            });
        }
    }
    out
}
