//! XML-RPC server and client on plain std threads: no async runtime.
//!
//! # Design overview
//!
//! This crate is a thin driver of the sans-IO state machines in
//! [`xmlrpc_proto`]: it moves bytes between std sockets and the core's
//! [`ServerConnection`](xmlrpc_proto::ServerConnection) and
//! [`ClientConnection`](xmlrpc_proto::ClientConnection), enforces the
//! deadlines the core asks for with socket timeouts, and polls the futures
//! of asynchronous procedures to completion on the calling thread
//! ([`block_on`]). HTTP and XML are entirely the core's.
//! What a call or a connection means (retries, a failed write, an end of
//! stream without TLS `close_notify`, every deadline) is decided by
//! [`xmlrpc_driver`]'s [`Exchange`](xmlrpc_driver::Exchange) and the
//! core's [`ServerConnection`](xmlrpc_proto::ServerConnection), the same
//! for every runtime.
//!
//! - [`Server`]: serves a [`Site`] on a `TcpListener` with a bounded pool
//!   of worker threads, a limit on open connections, and graceful shutdown
//!   from another thread ([`ShutdownHandle`]).
//! - [`Client`]: Twisted's `Proxy` on blocking sockets: `http://` and
//!   `https://` URLs (feature `tls`, rustls), kept-alive connections shared
//!   by many threads, connect and call timeouts, Basic authentication,
//!   extra headers, and the raw response body ([`Client::call_raw`]).
//!   Errors tell a fault from an HTTP error, a transport error and a
//!   protocol error ([`CallError`]).
//!
//! The loops are [`xmlrpc_driver::sync`]'s (a client's call, a server
//! connection's turn on a worker); this crate gives them its worker pool,
//! its queue of connections waiting for a worker and its shutdown flag. A
//! server connection's turn, in short:
//!
//! ```text
//! loop {
//!     while let Some(job) = conn.poll_job(site) { conn.finish(run job, block_on if async) }
//!     while let Some(out) = conn.poll_transmit(now) { write it, or handle_timeout at poll_timeout(); conn.advance_transmit(n) }
//!     match conn.next(stopping) {
//!         Close => break,
//!         _ if others wait for a worker and conn.is_idle() => set the connection aside,
//!         Wait { deadline, .. } => read with a socket timeout until the deadline;
//!                                  handle_data / handle_eof / handle_timeout
//!     }
//! }
//! ```
//!
//! # Example
//!
//! ```
//! use std::net::TcpListener;
//! use xmlrpc_blocking::{Client, Dispatcher, Server, ServerBuilderExt, Site};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rpc = Dispatcher::new();
//! rpc.register("add", |a: i32, b: i32| a + b);
//! let server = Server::builder(Site::standard(rpc)).workers(2).build();
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let url = format!("http://{}/RPC2", listener.local_addr()?);
//! let stop = server.shutdown_handle();
//! let serving = std::thread::spawn(move || server.serve(listener));
//!
//! let client = Client::new(&url)?;
//! let sum: i32 = client.call("add", (2, 3))?;
//! assert_eq!(sum, 5);
//!
//! stop.shutdown();
//! serving.join().expect("server thread")?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod block_on;
mod client;
mod server;

pub use block_on::block_on;
pub use client::{Client, ClientBuilder};
pub use server::{Options, Server, ServerBuilder, ServerBuilderExt, ShutdownHandle};
pub use xmlrpc_driver as driver;
pub use xmlrpc_driver::Overload;
pub use xmlrpc_driver::call::{CallError, IntoParams, TransportError, TransportErrorKind};
pub use xmlrpc_driver::sync::RawResponse;
#[cfg(feature = "tls")]
pub use xmlrpc_driver::tls;
pub use xmlrpc_proto as proto;
pub use xmlrpc_proto::dispatch::{Dispatcher, Lookup, LookupError, Procedure, Resource, Site};
pub use xmlrpc_proto::soap::SoapService;
pub use xmlrpc_proto::{
    DateTime, Fault, FromValue, Headers, HttpResponse, IntoValue, Limits, MethodCall, RequestHead,
    ResponseHead, ServerConfig, Struct, Value, xmlrpc,
};
