//! Decoding `methodCall` and `methodResponse` documents.

use crate::{Fault, Limits, MethodCall, Value};

/// Why a document could not be decoded, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at byte {offset}")]
pub struct DecodeError {
    reason: String,
    offset: usize,
}

impl DecodeError {
    /// The byte offset in the input where the problem was found.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// Any XML-RPC document: a call or a response.
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    /// A `methodCall`.
    Call(MethodCall),
    /// A `methodResponse`: a value or a fault.
    Response(Result<Value, Fault>),
}

/// Decodes a `methodCall` document.
///
/// # Errors
///
/// When the document is not a well-formed call within `limits`.
pub fn decode_call(input: &[u8], limits: &Limits) -> Result<MethodCall, DecodeError> {
    let _ = (input, limits);
    todo!()
}

/// Decodes a `methodResponse` document: `Ok(Ok(value))`, `Ok(Err(fault))`.
///
/// # Errors
///
/// When the document is not a well-formed response within `limits`.
pub fn decode_response(input: &[u8], limits: &Limits) -> Result<Result<Value, Fault>, DecodeError> {
    let _ = (input, limits);
    todo!()
}

/// Decodes a document that may be a call or a response.
///
/// # Errors
///
/// When the document is neither, or not well-formed within `limits`.
pub fn decode_document(input: &[u8], limits: &Limits) -> Result<Document, DecodeError> {
    let _ = (input, limits);
    todo!()
}
