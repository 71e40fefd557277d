//! Fetching other catalogues: a guarded HTTP client (no private or loopback addresses unless
//! allowed), `check-feed`, which reports what dataportal.se would stumble on, and the mapping
//! of CKAN packages to DCAT-AP-SE.
pub mod check;
pub mod ckan;
mod fetch;

pub use fetch::{FetchError, Fetched, Fetcher, install_tls_provider};
