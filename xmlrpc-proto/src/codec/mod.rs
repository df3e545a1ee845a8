//! The XML-RPC codec: documents to values and back, over byte slices.

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

/// Why a value could not be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct EncodeError {
    reason: String,
}

/// How values are written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncodeOptions {}

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
pub fn decode_response(
    input: &[u8],
    limits: &Limits,
) -> Result<Result<Value, Fault>, DecodeError> {
    let _ = (input, limits);
    todo!()
}

/// Appends a `methodCall` document to `out`.
///
/// # Errors
///
/// When a value cannot be written under `options`.
pub fn encode_call(
    call: &MethodCall,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let _ = (call, options, out);
    todo!()
}

/// Appends a `methodResponse` document (a value or a fault) to `out`.
///
/// # Errors
///
/// When a value cannot be written under `options`.
pub fn encode_response(
    response: &Result<Value, Fault>,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let _ = (response, options, out);
    todo!()
}
