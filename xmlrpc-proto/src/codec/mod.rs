//! The XML-RPC codec: documents to values and back, over byte slices.
//!
//! Decoding and encoding need no connection: use them on their own to read
//! or write XML-RPC documents anywhere.

mod decode;
mod encode;
mod transcode;

pub use decode::{
    DecodeError, DecodeErrorKind, Document, decode_call, decode_document, decode_response,
};
pub use encode::{EncodeError, EncodeOptions, encode_call, encode_response};
