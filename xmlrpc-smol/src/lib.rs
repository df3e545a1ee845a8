//! XML-RPC server and client on `smol`.
//!
//! This crate is a thin driver of the state machines in [`xmlrpc_proto`]:
//! its server and client are not written yet.
#![forbid(unsafe_code)]

pub use xmlrpc_proto as proto;
