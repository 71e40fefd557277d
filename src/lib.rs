//! katalog: an open-data catalogue and linked-data endpoint for Swedish public bodies.
//!
//! One module per concern: `store` (Oxigraph records), `rdf` (syntaxes and negotiation),
//! `shacl` (validation), `feeds` (harvestable catalogue feeds), `sparql` (public endpoint),
//! `publish` (writes), `accounts` (organisations, users, tokens, audit), `backup` (backups and
//! restores), `web` (router, pages, linked data), `cli` (the command line).
pub mod accounts;
pub mod api;
pub mod backup;
pub mod cli;
pub mod feeds;
pub mod generate;
pub mod harvest;
pub mod publish;
pub mod rdf;
pub mod shacl;
pub mod sparql;
pub mod store;
pub mod web;
