//! Sans-IO XML-RPC.
//!
//! # Design overview
//!
//! This crate does no I/O: no sockets, no threads, no clock reads (save
//! the opt-in `metrics` feature, which times each call) and no async
//! runtime. It turns bytes into calls and results into bytes, and
//! leaves moving those bytes to the caller (the `xmlrpc-tokio`,
//! `xmlrpc-smol` and `xmlrpc-blocking` crates, or your own event loop).
//!
//! - [`Value`], [`Fault`], [`MethodCall`]: the value model.
//! - [`codec`]: XML-RPC documents to values and back, over byte slices.
//! - [`json`]: a one-line JSON view of values and documents, and back.
//! - [`Limits`]: every bound enforced against a peer.
//! - [`dispatch`]: procedures by name, from plain Rust functions, and the
//!   [`xmlrpc`] macro that publishes an `impl` block; a
//!   [`dispatch::Site`] mounts resources on paths: XML-RPC, SOAP, or any
//!   [`HttpResponse`] from a handler.
//! - [`soap`]: the same dispatcher over SOAP 1.1 and 1.2, with its WSDL.
//! - [`serve`]: a [`dispatch::Site`] served over a [`ServerConnection`]
//!   (jobs and answers): the server half every runtime shares.
//!   Builders, settings, client pools and call errors are in the
//!   `xmlrpc-driver` crate.
//! - [`ServerConnection`] and [`ClientConnection`]: HTTP/1.1 as state
//!   machines (bytes in, events out, bytes to write, deadlines for the
//!   caller to enforce), with [`Url`] for the client's target.
//!
//! # The drive loop
//!
//! A runtime only moves bytes and arms one timer. A blocking server
//! connection, one thread per connection:
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use std::time::Instant;
//! use xmlrpc_proto::{Fault, ServerConfig, ServerConnection, ServerEvent, Value};
//!
//! fn serve(mut io: TcpStream) -> std::io::Result<()> {
//!     let mut conn = ServerConnection::new(ServerConfig::default());
//!     conn.handle_open(Instant::now());
//!     let mut buf = vec![0; 64 * 1024];
//!     loop {
//!         // Err: the error answer is queued and is_closed() turns true.
//!         while let Ok(Some(ev)) = conn.poll_event() {
//!             match ev {
//!                 ServerEvent::Call(c) => {
//!                     let reply = match c.call.name.as_str() {
//!                         "echo" => Ok(c.call.params.first().cloned().unwrap_or(Value::Int(0))),
//!                         _ => Err(Fault::new(8001, "procedure not found")),
//!                     };
//!                     if conn.respond(&reply).is_err() {
//!                         conn.respond(&Err(Fault::new(8002, "cannot encode result")))
//!                             .ok();
//!                     }
//!                 }
//!                 ServerEvent::BadCall(b) => {
//!                     let fault = Fault::new(8002, format!("Can't deserialize input: {}", b.error));
//!                     conn.respond(&Err(fault)).ok();
//!                 }
//!                 _ => break,
//!             }
//!         }
//!         while let Some(out) = conn.poll_transmit(Instant::now()) {
//!             let n = io.write(out)?;
//!             conn.advance_transmit(n);
//!         }
//!         if conn.is_closed() {
//!             return Ok(());
//!         }
//!         if conn.wants_read() {
//!             // The one timer: the core says when its next deadline falls.
//!             let wait = conn.poll_timeout().map(|t| t.saturating_duration_since(Instant::now()));
//!             io.set_read_timeout(wait.map(|w| w.max(std::time::Duration::from_millis(1))))?;
//!             match io.read(&mut buf) {
//!                 Ok(0) => conn.handle_eof(),
//!                 Ok(n) => conn.handle_data(&buf[..n], Instant::now()),
//!                 Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
//!                     || e.kind() == std::io::ErrorKind::TimedOut =>
//!                 {
//!                     conn.handle_timeout(Instant::now())
//!                 }
//!                 Err(e) => return Err(e),
//!             }
//!         }
//!     }
//! }
//! ```
//!
//! A call from the client side is the same loop: `send_call`, write
//! everything `poll_transmit` gives, read until `poll_event` yields the
//! outcome.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use std::time::Instant;
//! use xmlrpc_proto::{ClientConfig, ClientConnection, ClientEvent, MethodCall, Url, Value};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let url = Url::parse("http://127.0.0.1:7080/RPC2")?;
//! let mut io = TcpStream::connect((url.host(), url.port()))?;
//! let mut conn = ClientConnection::new(ClientConfig::new(&url));
//! conn.send_call(&MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]))?;
//! let mut buf = vec![0; 64 * 1024];
//! let result = loop {
//!     while let Some(out) = conn.poll_transmit() {
//!         let n = io.write(out)?;
//!         conn.advance_transmit(n);
//!     }
//!     if let Some(ClientEvent::Response { result, .. }) = conn.poll_event()? {
//!         break result;
//!     }
//!     match io.read(&mut buf)? {
//!         0 => conn.handle_eof(),
//!         n => conn.handle_data(&buf[..n], Instant::now()),
//!     }
//! };
//! assert_eq!(result, Ok(Value::Int(5)));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

#[cfg(feature = "arbitrary")]
mod arbitrary;
mod client;
pub mod codec;
mod convert;
mod datetime;
pub mod dispatch;
mod error;
mod http;
pub mod json;
mod limits;
mod request;
mod response;
#[cfg(feature = "serde")]
pub mod serde;
pub mod serve;
mod server;
pub mod soap;
#[cfg(test)]
mod tests;
mod url;
mod value;

#[cfg(feature = "serde")]
pub use self::serde::{Serde, from_value, to_value};
pub use client::{ClientConfig, ClientConnection, ClientEvent, ResponseHead};
pub use codec::{
    DecodeError, DecodeErrorKind, Document, EncodeError, EncodeErrorKind, EncodeOptions,
};
pub use convert::{ANY_TYPE, ConversionError, FromValue, IntoValue};
pub use datetime::{DateTime, DateTimeError};
pub use error::{HeadError, ProtocolError, RespondError, SendError, StateError};
pub use limits::Limits;
pub use request::{Headers, RequestHead, Version};
pub use response::HttpResponse;
pub use server::{
    BadCall, IncomingCall, IncomingRequest, Next, ServerConfig, ServerConnection, ServerEvent,
};
pub use url::{Scheme, Url, UrlError};
pub use value::{Fault, MethodCall, Response, Struct, Value};
pub use xmlrpc_macros::xmlrpc;
