//! Helpers shared by the workspace-level tests.
//!
//! - [`harness`]: the synchronous interface each runtime implements once
//!   ([`harness::Harness`]), and [`suite`]: the loopback tests written
//!   against it, expanded per runtime (or per server/client pair) by
//!   [`runtime_suite!`].
//! - [`tokio_harness`]: the harness of `xmlrpc-tokio`;
//!   [`blocking_harness`]: of `xmlrpc-blocking`; [`smol_harness`]: of
//!   `xmlrpc-smol`.
//! - [`support`]: the test site, a gate that holds calls in flight,
//!   certificates, raw HTTP and misbehaving `std::net` peers.
//! - [`python`]: Python's `xmlrpc.client` and `SimpleXMLRPCServer` as peers.
//! - [`conformance`]: drives a runtime's conformance server process
//!   through `CONTRACT.md` section 1 with Python ([`conformance_suite!`]).
//! - [`zeep`]: Python's zeep SOAP client, in a virtual environment made
//!   on first use.
#![forbid(unsafe_code)]

pub mod blocking_harness;
pub mod conformance;
pub mod harness;
pub mod python;
pub mod smol_harness;
pub mod suite;
pub mod support;
pub mod tokio_harness;
pub mod zeep;

/// The Rust examples of the workspace's README, compiled and run as
/// doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The examples of `docs/guide.md`, compiled (and, unless marked
/// `no_run`, run) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/guide.md")]
pub struct GuideDoctests;
