//! Conversions between Rust types and [`Value`]: [`FromValue`] and
//! [`IntoValue`].

use crate::Value;

/// A value of the wrong type or out of range for the Rust type asked for.
///
/// Its message says what was expected and what arrived, for example
/// `expected int, found string`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConversionError {
    message: String,
}

impl ConversionError {
    /// `expected EXPECTED, found FOUND`.
    #[must_use]
    pub fn mismatch(expected: &str, found: &Value) -> Self {
        Self {
            message: format!("expected {expected}, found {}", found.type_name()),
        }
    }

    /// An error with this message.
    pub fn custom(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A Rust type that can be built from an XML-RPC [`Value`]: what handler
/// parameters and client results are converted with.
pub trait FromValue: Sized {
    /// Converts `value`, consuming it (strings and arrays are moved, not
    /// copied).
    ///
    /// # Errors
    ///
    /// When the value has another type or is out of range.
    fn from_value(value: Value) -> Result<Self, ConversionError>;

    /// The XML-RPC type name used in introspection signatures (`"int"`,
    /// `"string"`, `"array"`, ...).
    fn xmlrpc_type() -> &'static str;
}

/// A Rust type that can be turned into an XML-RPC [`Value`]: what handler
/// results and client parameters are converted with.
pub trait IntoValue {
    /// Converts `self`.
    ///
    /// # Errors
    ///
    /// When the value cannot be represented in XML-RPC (an integer beyond
    /// `i8`, for example).
    fn into_value(self) -> Result<Value, ConversionError>;

    /// The XML-RPC type name used in introspection signatures.
    fn xmlrpc_type() -> &'static str
    where
        Self: Sized;
}
