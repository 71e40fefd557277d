//! The single integration-test binary (each test binary links RocksDB, so there is one).
mod cli;
mod common;
mod errors;
mod eu_profile;
mod feeds;
mod harvest;
mod hostile;
mod linked_data;
mod lossless;
mod publishers;
mod python_clients;
mod restart;
mod shacl_eu;
mod shacl_w3c;
mod sparql;
mod sparql_protocol;
