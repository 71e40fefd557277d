//! Fetching other catalogues: a guarded HTTP client (no private or loopback addresses unless
//! allowed) and `check-feed`, which reports what dataportal.se would stumble on.
pub mod check;
mod fetch;

pub use fetch::{FetchError, Fetched, Fetcher, install_tls_provider};
