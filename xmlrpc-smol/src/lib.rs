//! XML-RPC server and client on `smol`, over the `futures-io` traits: they
//! run on smol and inside async-std (or any) applications too.
//!
//! # Design overview
//!
//! This crate is a thin driver of the sans-IO state machines in
//! [`xmlrpc_proto`]: it moves bytes between `futures-io` streams and the
//! core's [`ServerConnection`](xmlrpc_proto::ServerConnection) and
//! [`ClientConnection`](xmlrpc_proto::ClientConnection), arms `async-io`
//! timers for the deadlines the core asks for (they need no particular
//! executor), and polls the futures of asynchronous procedures. HTTP and
//! XML are entirely the core's.
//! What a call or a connection means (retries, a failed write, an end of
//! stream without TLS `close_notify`, every deadline) is decided by
//! [`xmlrpc_driver`]'s [`Exchange`](xmlrpc_driver::Exchange) and the
//! core's [`ServerConnection`](xmlrpc_proto::ServerConnection), the same
//! for every runtime.
//!
//! - [`Server`]: serves a [`Site`] (dispatchers mounted on paths) on TCP
//!   listeners or any source of `AsyncRead + AsyncWrite` streams
//!   ([`Accept`], [`Incoming`]), with a limit on open connections and on
//!   calls in flight, graceful shutdown ([`ShutdownHandle`]), optional
//!   HTTPS (feature `tls`), and a choice of executor for its connection
//!   tasks ([`ServerBuilderExt::spawner`]).
//! - [`Client`]: Twisted's `Proxy`: `http://` and `https://` URLs,
//!   kept-alive connections shared by many tasks, connect and call
//!   timeouts, Basic authentication, extra headers. Errors tell a fault
//!   from an HTTP error, a transport error and a protocol error
//!   ([`CallError`]).
//!
//! The connection loops are [`xmlrpc_driver::run`]'s, shared with the
//! other async runtime: this crate gives them `futures-io`
//! streams, `async-io` timers, semaphores and a shutdown channel. In short, a server
//! connection is:
//!
//! ```text
//! loop {
//!     while let Some(job) = conn.poll_job(site) { run it (within the in-flight limit); conn.finish(answer) }
//!     while let Some(out) = conn.poll_transmit(now) { write it, or handle_timeout at poll_timeout(); conn.advance_transmit(n) }
//!     let Next::Wait { read, deadline } = conn.next(stopping) else { break };
//!     race(read => conn.handle_data / handle_eof, sleep until deadline => conn.handle_timeout, shutdown => ask again)
//! }
//! ```
//!
//! # Example
//!
//! ```
//! use xmlrpc_smol::{Client, Dispatcher, Server, Site};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! smol::block_on(async {
//!     let mut rpc = Dispatcher::new();
//!     rpc.register("add", |a: i32, b: i32| a + b);
//!     let server = Server::new(Site::standard(rpc));
//!     let listener = smol::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let url = format!("http://{}/RPC2", listener.local_addr()?);
//!     let stop = server.shutdown_handle();
//!     let serving = smol::spawn(async move { server.serve(listener).await });
//!
//!     let client = Client::new(&url)?;
//!     let sum: i32 = client.call("add", (2, 3)).await?;
//!     assert_eq!(sum, 5);
//!
//!     stop.shutdown();
//!     serving.await?;
//!     Ok(())
//! })
//! # }
//! ```
#![forbid(unsafe_code)]

mod client;
mod server;

pub use client::{Client, ClientBuilder, Smol};
pub use server::{
    Accept, BoxFuture, Incoming, Options, Server, ServerBuilder, ServerBuilderExt, Socket, Spawner,
};
pub use xmlrpc_driver as driver;
pub use xmlrpc_driver::Overload;
pub use xmlrpc_driver::ShutdownHandle;
pub use xmlrpc_driver::call::{CallError, IntoParams, TransportError, TransportErrorKind};
#[cfg(feature = "tls")]
pub use xmlrpc_driver::tls;
pub use xmlrpc_proto as proto;
pub use xmlrpc_proto::dispatch::{Dispatcher, Lookup, LookupError, Procedure, Resource, Site};
pub use xmlrpc_proto::soap::SoapService;
pub use xmlrpc_proto::{
    DateTime, Fault, FromValue, Headers, HttpResponse, IntoValue, Limits, MethodCall, RequestHead,
    ServerConfig, Struct, Value, xmlrpc,
};
