//! The loopback suite against `xmlrpc-smol`'s server and client, and
//! across runtimes with the blocking crate.

xmlrpc_tests::runtime_suite!(smol_suite, xmlrpc_tests::smol_harness::SmolHarness);
xmlrpc_tests::runtime_suite!(
    smol_server_blocking_client,
    server = xmlrpc_tests::smol_harness::SmolHarness,
    client = xmlrpc_tests::blocking_harness::BlockingHarness
);
xmlrpc_tests::runtime_suite!(
    blocking_server_smol_client,
    server = xmlrpc_tests::blocking_harness::BlockingHarness,
    client = xmlrpc_tests::smol_harness::SmolHarness
);
