//! The `conformance_smol` example as an outside program sees it: the
//! contract's first line, every row of its table through Python's
//! `xmlrpc.client` and raw HTTP, and a clean exit on stdin EOF, SIGTERM
//! and SIGINT.

use std::time::Duration;

use xmlrpc_tests::conformance::{ConformanceProcess, run_contract_checks};

const PACKAGE: &str = "xmlrpc-smol";
const EXAMPLE: &str = "conformance_smol";

#[test]
fn contract_table_and_exit_on_stdin_eof() {
    let mut server = ConformanceProcess::start(PACKAGE, EXAMPLE, &[]);
    let port = server
        .url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.strip_suffix('/'))
        .and_then(|p| p.parse::<u16>().ok());
    assert!(port.is_some_and(|p| p != 0), "{}", server.first_line);
    let (failed, passed) = run_contract_checks(&server.url);
    assert!(
        failed.is_empty(),
        "{} checks failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(passed >= 50, "only {passed} checks ran");
    assert_eq!(
        server.close_stdin_and_wait(Duration::from_secs(10)),
        Some(0)
    );
}

#[test]
fn exits_cleanly_on_sigterm_and_sigint() {
    for signal in ["TERM", "INT"] {
        let mut server = ConformanceProcess::start(PACKAGE, EXAMPLE, &[]);
        assert_eq!(
            server.signal_and_wait(signal, Duration::from_secs(10)),
            Some(0),
            "SIG{signal}"
        );
    }
}
