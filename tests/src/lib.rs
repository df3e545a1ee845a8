//! Helpers shared by the workspace-level tests.
//!
//! - [`python`]: Python's `xmlrpc.client` and `SimpleXMLRPCServer` as peers.
#![forbid(unsafe_code)]

pub mod python;
