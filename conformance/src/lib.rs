//! The conformance procedure set of the project's interface contract.
#![forbid(unsafe_code)]
