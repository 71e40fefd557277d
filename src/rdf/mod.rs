//! RDF syntaxes: parsing request bodies with precise errors, serialising graphs, and
//! choosing a syntax from an `Accept` header or a file extension.
mod compare;
mod describe;
mod document;
mod format;
mod limits;
mod negotiate;
pub mod ns;
mod parse;
mod write;

pub use compare::{canonical_hash, entity_tag, isomorphic, record_tags, to_sophia};
pub use describe::Descriptions;
pub use document::{Document, TermId};
pub use format::{
    GraphFormat, INPUT_MEDIA_TYPES, RDF_OFFERS, input_format_for_media_type, input_format_for_path,
    sniff_format,
};
pub use limits::{LimitExceeded, Limits, check_blank_links};
pub use negotiate::{MediaRange, negotiate, parse_accept};
pub use parse::{
    Graph, ParseError, parse_document_within, parse_graph, parse_graph_lenient, parse_graph_reader,
    parse_graph_within, parse_lenient_into, parse_quads_within,
};
pub use write::{PREFIXES, serialize_graph, sort_triples, to_ntriples};
