//! Serving a [`Site`](crate::dispatch::Site) over a
//! [`ServerConnection`](crate::ServerConnection): the server half that
//! every runtime shares, without I/O.
//!
//! - [`ServerConnection::poll_job`](crate::ServerConnection::poll_job),
//!   [`finish`](crate::ServerConnection::finish) and
//!   [`refuse`](crate::ServerConnection::refuse): a connection serving a
//!   [`Site`](crate::dispatch::Site). The connection says what to do next
//!   ([`Next`](crate::Next)), graceful shutdown and connections refused
//!   over a limit included; the runtime reads, writes, waits and runs
//!   [`Job`]s.
//! - [`handle_event`], [`Job`], [`Running`], [`Answer`]: one event of a
//!   [`ServerConnection`](crate::ServerConnection) answered, or a call to run; [`Job::from_body`]
//!   and [`Answer::into_body`] for runtimes that get bodies some other way
//!   (a `tower` service).
//!
//! The builders, settings and client pieces the runtime crates share live
//! in the `xmlrpc-driver` crate.
//!
//! A blocking server's connection loop, in full (the runtime crates add
//! socket timeouts, thread pools and shutdown signals):
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use std::time::Instant;
//! use xmlrpc_proto::dispatch::{Dispatcher, Site};
//! use xmlrpc_proto::{Next, ServerConfig, ServerConnection};
//!
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     struct Unpark(std::thread::Thread);
//! #     impl std::task::Wake for Unpark {
//! #         fn wake(self: Arc<Self>) { self.0.unpark() }
//! #     }
//! #     let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut f = std::pin::pin!(f);
//! #     loop {
//! #         if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; }
//! #         std::thread::park();
//! #     }
//! # }
//! # fn main() -> std::io::Result<()> {
//! let mut d = Dispatcher::new();
//! d.register("add", |a: i32, b: i32| a + b);
//! let site = Arc::new(Site::standard(d));
//! let listener = std::net::TcpListener::bind("127.0.0.1:7080")?;
//! let (mut socket, peer) = listener.accept()?;
//! let mut conn = ServerConnection::for_site(ServerConfig::default());
//! conn.set_peer_addr(peer);
//! conn.handle_open(Instant::now());
//! let mut buf = vec![0; 16 * 1024];
//! loop {
//!     while let Some(job) = conn.poll_job(&site) {
//!         // A synchronous procedure is ready at once; an asynchronous one
//!         // is a future to poll to completion.
//!         match job.start().into_ready() {
//!             Ok(answer) => conn.finish(answer),
//!             Err(running) => conn.finish(block_on(running)),
//!         }
//!     }
//!     // (A real runtime also wakes at conn.poll_timeout() while it
//!     // writes: a peer that stops reading is dropped.)
//!     while let Some(out) = conn.poll_transmit(Instant::now()) {
//!         let n = socket.write(out)?;
//!         conn.advance_transmit(n);
//!     }
//!     match conn.next(false) {
//!         Next::Close => return Ok(()),
//!         Next::Wait { read: true, .. } => match socket.read(&mut buf)? {
//!             0 => conn.handle_eof(),
//!             n => conn.handle_data(&buf[..n], Instant::now()),
//!         },
//!         // Only a deadline to wait for: sleep until it, then
//!         _ => conn.handle_timeout(Instant::now()),
//!     }
//! }
//! # }
//! ```

mod connection;
mod job;

pub use job::{Answer, CONTENT_TYPE, Job, Running, Step, handle_event};
