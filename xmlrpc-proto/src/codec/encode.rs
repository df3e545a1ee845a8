//! Writing `methodCall` and `methodResponse` documents.

use crate::{Fault, MethodCall, Value};

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
