//! Payloads and reference code for the codec benchmarks.
//!
//! - [`payloads`]: the four benchmark documents as [`xmlrpc_proto`] values,
//!   built from a fixed seed so every run measures the same bytes.
//! - [`reference_writer`]: a tight hand-written value-to-bytes writer. It is
//!   the write ceiling of the benchmark, and it also produces the documents
//!   that every parser reads.
#![forbid(unsafe_code)]

pub mod payloads;
pub mod reference_writer;

pub use payloads::Payload;
