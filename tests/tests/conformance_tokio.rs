//! The `conformance_tokio` example as an outside program sees it: the
//! contract's first line, every row of its table through Python's
//! `xmlrpc.client` and raw HTTP, and a clean exit on stdin EOF, SIGTERM
//! and SIGINT.

xmlrpc_tests::conformance_suite!("xmlrpc-tokio", "conformance_tokio");
