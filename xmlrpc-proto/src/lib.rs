//! Sans-IO XML-RPC.
//!
//! # Design overview
//!
//! This crate does no I/O: no sockets, no threads, no clock reads and no
//! async runtime. It turns bytes into calls and results into bytes, and
//! leaves moving those bytes to the caller (the `xmlrpc-tokio`,
//! `xmlrpc-smol` and `xmlrpc-blocking` crates, or your own event loop).
//!
//! - [`Value`], [`Fault`], [`MethodCall`]: the value model.
//! - [`codec`]: XML-RPC documents to values and back, over byte slices.
//! - [`json`]: a one-line JSON view of values and documents, and back.
//! - [`Limits`]: every bound enforced against a peer.
#![forbid(unsafe_code)]

#[cfg(feature = "arbitrary")]
mod arbitrary;
pub mod codec;
mod convert;
mod datetime;
pub mod json;
mod limits;
mod request;
#[cfg(feature = "serde")]
pub mod serde;
mod value;

pub use codec::{DecodeError, Document, EncodeError, EncodeOptions};
pub use convert::{ANY_TYPE, ConversionError, FromValue, IntoValue};
pub use datetime::{DateTime, DateTimeError};
pub use limits::Limits;
pub use request::{Headers, RequestHead, Version};
#[cfg(feature = "serde")]
pub use self::serde::{Serde, from_value, to_value};
pub use value::{Fault, MethodCall, Response, Struct, Value};
