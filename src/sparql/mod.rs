//! The public, read-only SPARQL 1.1 query service behind `/sparql`: reading a protocol
//! request, running a query over the union of the record graphs under a row cap and a
//! cancellation token, writing the whole answer, and the service description.
mod description;
pub mod examples;
mod protocol;
mod run;

pub use description::service_description;
pub use protocol::{ProtocolDataset, ProtocolError, ProtocolRequest};
pub use run::{Limits, Prepared, QueryError, QueryOutput, prepare, run};
