//! Helpers shared by the workspace-level tests.
#![forbid(unsafe_code)]
