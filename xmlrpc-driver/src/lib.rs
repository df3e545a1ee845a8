//! What the XML-RPC runtime crates (`xmlrpc-tokio`, `xmlrpc-smol`,
//! `xmlrpc-blocking`) share, so that each of them only moves bytes, arms
//! timers and runs futures.
//!
//! The protocol itself (values, the XML codec, HTTP/1.1 as state machines,
//! the dispatcher, serving a site) is the sans-IO core,
//! [`xmlrpc_proto`]. This crate adds what a client and a server need
//! around it, and depends on no async runtime: the async loops poll the
//! runtime's own futures, and only [`sync`] touches std's sockets.
//!
//! - [`ServerBuilder`], [`ServerSettings`], [`Overload`]: the options of a
//!   server (limits, overload policy, TLS), set once for every runtime;
//!   each runtime implements [`BuildServer`]. `ServerCore` (feature
//!   `async`) is the rest of an async server: its limits and its
//!   shutdown signal (`ShutdownHandle`), on any runtime that can
//!   spawn a task and sleep.
//! - [`ClientBuilder`], [`ClientSettings`]: the options of a client
//!   (headers, authentication, timeouts, TLS roots, keep-alive pool), and
//!   how they become a [`ClientConfig`](xmlrpc_proto::ClientConfig) for a
//!   URL ([`PreparedClient`]); each runtime implements [`BuildClient`].
//! - [`ClientCore`]: what a client holds (its prepared settings, timeouts
//!   and an [`IdlePool`] of kept-alive connections); [`method_call`].
//! - [`Exchange`]: one request on a client connection, fed the raw
//!   results of the runtime's reads and writes, with the call deadline;
//!   [`Failure`]: whether a failed request may be sent again on a fresh
//!   connection; [`Plan`]: kept-alive connections first, then a fresh
//!   one. Every client-side rule (a failed write, an end of stream without
//!   TLS `close_notify`, timeouts, retries) is decided there, once.
//! - [`run`]: the async client and server loops themselves, for any
//!   runtime that gives a stream, a way to connect and a timer
//!   ([`run::Connector`]), or a server's limits and shutdown signal
//!   ([`run::Host`], [`run::Admit`]); and the async client itself
//!   ([`run::Client`]), which tokio's and smol's crates name `Client`.
//! - [`sync`]: the same for std's blocking sockets: a plain-or-TLS
//!   [`sync::Stream`], a client's connection and TLS handshake within its
//!   deadline.
//! - `tower` (feature `tower`): a site as a `tower::Service`, for axum
//!   or hyper applications on any runtime.
//! - [`call`]: the errors of a client call ([`call::CallError`]: a fault,
//!   an HTTP error, a transport error...).
//! - `tls` (feature `rustls`): the rustls configurations of clients and
//!   servers, with bundled and system roots. Reading the system's
//!   certificate store and PEM files is the only I/O here.
#![forbid(unsafe_code)]

pub mod call;
mod client;
mod exchange;
pub mod run;
mod server;
#[cfg(feature = "async")]
mod server_core;
pub mod sync;
#[cfg(feature = "rustls")]
pub mod tls;
#[cfg(feature = "tower")]
pub mod tower;

pub use client::{
    BuildClient, ClientBuilder, ClientCore, ClientSettings, IdlePool, PreparedClient, method_call,
};
pub use exchange::{Answer, Attempt, Exchange, Failure, Plan, Settled};
pub(crate) use server::open_connection;
pub use server::{
    ACCEPT_PAUSE, BuildServer, Overload, ServerBuilder, ServerSettings, accept_failed,
};
#[cfg(feature = "async")]
pub use server_core::{ServerCore, ShutdownHandle, Spawn};
