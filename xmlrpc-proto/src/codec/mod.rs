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
pub use encode::{
    APACHE_EXTENSIONS_NS, EncodeError, EncodeErrorKind, EncodeOptions, ExtensionStyle, StringStyle,
    encode_call, encode_fault, encode_response, encode_value,
};
