//! katalog: an open-data catalogue and linked-data endpoint for Swedish public bodies.
//!
//! One module per concern, and only `http` knows HTTP:
//! - `store`: the records in Oxigraph, as published, with the ledger beside them
//! - `rdf`: syntaxes, parse limits, negotiation, comparing graphs
//! - `shacl`: katalog's own SHACL engine and its reports
//! - `publish`: the ingest service every write goes through, the dataset form
//! - `feeds`: the harvestable feeds (paged, unpaged, EU profile, LDES, VoID)
//! - `sparql`: the public, read-only query service
//! - `accounts`: organisations, users, roles, tokens, audit (SQLite)
//! - `harvest`: fetching and checking other catalogues' feeds
//! - `search`: the full-text and faceted search index, kept in step with the store
//! - `data`: hosted files of distributions, kept under their checksums with their versions
//! - `backup`: backups and restores of a data directory
//! - `generate`: generated catalogues for tests and benchmarks
//! - `vocab`: the labels of the controlled vocabularies shipped in `vocab/`
//! - `http`: the server: state, router, guards, handlers and pages
//! - `cli`: the command line, a thin layer over the rest
pub mod accounts;
pub mod backup;
pub mod cli;
pub mod data;
pub mod feeds;
pub mod generate;
pub mod harvest;
pub mod http;
pub mod publish;
pub mod rdf;
pub mod search;
pub mod shacl;
pub mod sparql;
pub mod store;
pub mod vocab;
