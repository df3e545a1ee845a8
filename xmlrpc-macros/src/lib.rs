//! Procedural macros for `xmlrpc-proto`; use them through its re-exports.
#![forbid(unsafe_code)]
