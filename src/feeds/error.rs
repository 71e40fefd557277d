//! What can go wrong when a feed is asked for; the HTTP layer turns these into statuses.
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A malformed parameter (page number, page size, date).
    #[error("{0}")]
    BadParameter(String),
    #[error("no such page")]
    NoSuchPage,
    /// No publisher with this key (organisation number or slug) has records here.
    #[error("no publisher with this key")]
    NoSuchOrganisation,
    #[error("the EU mapping (vocab/) is not loaded on this server")]
    NoEuMapping,
    /// Writing a document failed (the client went away, or the serializer did).
    #[error("writing the feed failed: {0}")]
    Write(#[from] std::io::Error),
    /// A stored change in the change log is not N-Triples any more.
    #[error("a stored change cannot be read: {0}")]
    Corrupt(String),
}
