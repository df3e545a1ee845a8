//! The loopback suite against `xmlrpc-tokio`'s server and client.

xmlrpc_tests::runtime_suite!(tokio_suite, xmlrpc_tests::tokio_harness::TokioHarness);
