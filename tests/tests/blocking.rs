//! The loopback suite against `xmlrpc-blocking`'s server and client, and
//! across runtimes: a blocking server with a tokio client and the reverse.

xmlrpc_tests::runtime_suite!(
    blocking_suite,
    xmlrpc_tests::blocking_harness::BlockingHarness
);
xmlrpc_tests::runtime_suite!(
    blocking_server_tokio_client,
    server = xmlrpc_tests::blocking_harness::BlockingHarness,
    client = xmlrpc_tests::tokio_harness::TokioHarness
);
xmlrpc_tests::runtime_suite!(
    tokio_server_blocking_client,
    server = xmlrpc_tests::tokio_harness::TokioHarness,
    client = xmlrpc_tests::blocking_harness::BlockingHarness
);
