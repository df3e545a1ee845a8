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
//! - [`service`] and [`call`]: what the runtime crates share on top of the
//!   connections: serving a [`dispatch::Site`], and client call errors.
//! - [`driver`]: the bookkeeping of the runtimes' connection loops
//!   (server sessions, client settings, idle pools).
#![forbid(unsafe_code)]

#[cfg(feature = "arbitrary")]
mod arbitrary;
pub mod call;
mod client;
pub mod codec;
mod convert;
mod datetime;
pub mod dispatch;
pub mod driver;
mod error;
mod http;
pub mod json;
mod limits;
mod request;
#[cfg(feature = "serde")]
pub mod serde;
mod server;
pub mod service;
#[cfg(test)]
mod tests;
#[cfg(feature = "rustls")]
pub mod tls;
mod url;
mod value;

#[cfg(feature = "serde")]
pub use self::serde::{Serde, from_value, to_value};
pub use client::{ClientConfig, ClientConnection, ClientEvent, ResponseHead};
pub use codec::{DecodeError, Document, EncodeError, EncodeOptions};
pub use convert::{ANY_TYPE, ConversionError, FromValue, IntoValue};
pub use datetime::{DateTime, DateTimeError};
pub use error::{HeadError, ProtocolError, RespondError, SendError, StateError};
pub use limits::Limits;
pub use request::{Headers, RequestHead, Version};
pub use server::{BadCall, IncomingCall, ServerConfig, ServerConnection, ServerEvent};
pub use url::{Scheme, Url, UrlError};
pub use value::{Fault, MethodCall, Response, Struct, Value};
pub use xmlrpc_macros::xmlrpc;
