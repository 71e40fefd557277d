//! The HTTP layer, and the only module that knows axum, tower, tower-sessions, utoipa and the
//! template engine: the application state, the router, the request guards, turning domain
//! errors into answers, who the caller is, the thin handlers of the API and the HTML pages.
//! Everything a request asks for is done by the domain modules (`feeds`, `sparql`,
//! `publish`, `store`, `accounts`, `backup`), which a scheduled job or the CLI call the same
//! way.
mod error;
mod extract;
mod guard;
mod handlers;
mod openapi;
mod pages;
mod respond;
mod router;
mod serve;
mod sessions;
mod state;
mod stream;

pub use error::{AppError, ReportSyntax};
pub use guard::{RateLimitConfig, is_rate_limited, takes_write_slot};
pub use openapi::openapi;
pub use router::router;
pub use serve::serve;
pub use state::{AppState, Config, Services, SharedState};
