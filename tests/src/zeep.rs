//! Python's zeep, the SOAP client, in a virtual environment the tests
//! make once under the target directory (`target/zeep-venv`) with `pip`.
//!
//! The first run needs the Python package index (or a pip configured for
//! a mirror); later runs reuse the environment. On a machine without
//! either, set `XMLRPC_SKIP_ZEEP=1` to skip the zeep tests (they say so
//! on stderr).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use crate::conformance::target_dir;
use crate::python::wait_bounded;

/// The zeep release the tests install.
pub const ZEEP_VERSION: &str = "4.3.3";

static SETUP: Mutex<()> = Mutex::new(());

fn run(cmd: &mut Command, what: &str, timeout: Duration) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let (out, err) = wait_bounded(&mut child, timeout);
    let ok = child.wait().is_ok_and(|s| s.success());
    assert!(
        ok,
        "{what} failed (set XMLRPC_SKIP_ZEEP=1 to skip the zeep tests on a machine \
         that cannot reach the Python package index)\n{out}\n{err}"
    );
}

/// The Python interpreter of a virtual environment with zeep installed,
/// made on first use; `None` when `XMLRPC_SKIP_ZEEP` is set.
///
/// # Panics
///
/// When the environment cannot be made or zeep cannot be installed.
#[must_use]
pub fn python() -> Option<PathBuf> {
    if std::env::var_os("XMLRPC_SKIP_ZEEP").is_some_and(|v| !v.is_empty()) {
        eprintln!("XMLRPC_SKIP_ZEEP is set: zeep tests skipped");
        return None;
    }
    let _guard = SETUP
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = target_dir().join("zeep-venv");
    let python = venv.join("bin").join("python");
    let marker = venv.join(format!(".zeep-{ZEEP_VERSION}"));
    if marker.exists() && python.exists() {
        return Some(python);
    }
    let _ = std::fs::remove_dir_all(&venv);
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
        Duration::from_secs(120),
    );
    run(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("zeep=={ZEEP_VERSION}"),
        ]),
        "pip install zeep",
        Duration::from_secs(600),
    );
    std::fs::write(&marker, ZEEP_VERSION).expect("write the marker");
    Some(python)
}

/// Runs `script` with zeep's interpreter and `args`; returns its stdout.
///
/// # Panics
///
/// When the script fails or runs longer than two minutes.
#[must_use]
pub fn run_script(python: &PathBuf, script: &str, args: &[&str]) -> String {
    let mut child = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's python starts");
    let (out, err) = wait_bounded(&mut child, Duration::from_secs(120));
    let ok = child.wait().is_ok_and(|s| s.success());
    assert!(ok, "the zeep script failed\nstdout:\n{out}\nstderr:\n{err}");
    out
}
