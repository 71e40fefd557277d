//! The site's own style sheet and scripts, compiled into the binary and served under
//! `/static/`: pages load nothing from elsewhere, and the Content-Security-Policy can forbid
//! inline scripts and styles.
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "katalog.css",
        "text/css; charset=utf-8",
        include_str!("assets/katalog.css"),
    ),
    (
        "katalog.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/katalog.js"),
    ),
    // Vendored from npm (package-lock.json; scripts/vendor.sh copies them).
    (
        "codemirror.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/vendor/codemirror.js"),
    ),
    (
        "codemirror-sparql.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/vendor/codemirror-sparql.js"),
    ),
    (
        "codemirror.css",
        "text/css; charset=utf-8",
        include_str!("assets/vendor/codemirror.css"),
    ),
    (
        "leaflet.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/vendor/leaflet.js"),
    ),
    (
        "leaflet.css",
        "text/css; charset=utf-8",
        include_str!("assets/vendor/leaflet.css"),
    ),
    (
        "katalog-map.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/katalog-map.js"),
    ),
    // Sweden's counties and municipalities for maps (assets/maps/SOURCE.md says whence).
    (
        "lan.geojson",
        "application/geo+json",
        include_str!("assets/maps/lan.geojson"),
    ),
    (
        "kommuner.geojson",
        "application/geo+json",
        include_str!("assets/maps/kommuner.geojson"),
    ),
];

pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, ..)| *n == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
