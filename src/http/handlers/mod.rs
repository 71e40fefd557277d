//! The handlers: each reads the request, calls the domain, and shapes the answer.
pub mod admin;
pub mod data;
pub mod data_api;
pub mod feeds;
pub mod health;
pub mod publish;
pub mod resource;
pub mod search;
pub mod sources;
pub mod sparql;
pub mod validate;
