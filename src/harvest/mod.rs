//! Fetching other catalogues: a guarded HTTP client (no private or loopback addresses unless
//! allowed), `check-feed`, which reports what dataportal.se would stumble on, and the
//! reading and applying of LDES DCAT-AP feeds.
pub mod check;
mod fetch;
pub mod ldes;

pub use fetch::{FetchError, Fetched, Fetcher, install_tls_provider};
