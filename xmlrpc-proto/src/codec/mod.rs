//! The XML-RPC codec: documents to values and back, over byte slices.
//!
//! Decoding and encoding need no connection: use them on their own to read
//! or write XML-RPC documents anywhere.
//!
//! Documents decode to owned values ([`decode_call`], [`decode_response`],
//! [`decode_document`]) or, faster, to values that borrow their text from
//! the input ([`decode_call_ref`], [`decode_response_ref`]); both read the
//! same documents with the same errors. Both read the plain form that most
//! peers write (Python's `xmlrpc.client` among them) straight from the
//! bytes, and anything else with quick-xml.

mod borrowed;
mod decode;
mod encode;
mod fast;
pub(crate) mod transcode;

pub use borrowed::{DateTimeRef, MethodCallRef, ValueRef, decode_call_ref, decode_response_ref};
pub use decode::{
    DecodeError, DecodeErrorKind, Document, decode_call, decode_document, decode_response,
};
pub use encode::{
    APACHE_EXTENSIONS_NS, EncodeError, EncodeErrorKind, EncodeOptions, ExtensionStyle, StringStyle,
    encode_call, encode_fault, encode_response, encode_value,
};
