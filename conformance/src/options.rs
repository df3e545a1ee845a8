//! The command line and limits shared by every runtime's conformance
//! server (`CONTRACT.md`, section 1).

use std::fmt;
use std::net::SocketAddr;

use xmlrpc_proto::Limits;

/// The default `--listen` address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7080";

/// The usage line printed with a command-line error.
pub const USAGE: &str = "usage: conformance [--listen ADDR] [--exit-on-stdin-eof]";

/// The conformance server's command line.
///
/// ```
/// use xmlrpc_conformance::Options;
///
/// let o = Options::parse(["--listen", "127.0.0.1:0", "--exit-on-stdin-eof"]).unwrap();
/// assert_eq!(o.listen, "127.0.0.1:0");
/// assert!(o.exit_on_stdin_eof);
/// assert_eq!(Options::parse(Vec::<String>::new()).unwrap().listen, "127.0.0.1:7080");
/// assert!(Options::parse(["--bogus"]).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// `--listen ADDR` (also `--listen=ADDR`): the address to bind, as
    /// given (`HOST:PORT`; port 0 picks a free port).
    pub listen: String,
    /// `--exit-on-stdin-eof`: stop cleanly when standard input reaches
    /// end of file.
    pub exit_on_stdin_eof: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.to_owned(),
            exit_on_stdin_eof: false,
        }
    }
}

/// A command line that could not be understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{USAGE}", self.0)
    }
}

impl std::error::Error for UsageError {}

impl Options {
    /// Parses the arguments after the program name.
    ///
    /// # Errors
    ///
    /// An unknown argument or a `--listen` without a value.
    pub fn parse<I, S>(args: I) -> Result<Self, UsageError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut o = Self::default();
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            if arg == "--listen" {
                o.listen = args
                    .next()
                    .ok_or_else(|| UsageError("--listen needs an address".into()))?;
            } else if let Some(v) = arg.strip_prefix("--listen=") {
                v.clone_into(&mut o.listen);
            } else if arg == "--exit-on-stdin-eof" {
                o.exit_on_stdin_eof = true;
            } else {
                return Err(UsageError(format!("unknown argument {arg:?}")));
            }
        }
        Ok(o)
    }

    /// Parses the process's arguments; on error prints the reason and the
    /// usage to standard error and exits with status 2.
    #[must_use]
    pub fn from_env() -> Self {
        match Self::parse(std::env::args().skip(1)) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }
}

/// The first line the server prints once bound:
/// `listening on http://HOST:PORT/`.
///
/// ```
/// let addr = "127.0.0.1:8080".parse().unwrap();
/// assert_eq!(xmlrpc_conformance::listening_line(addr), "listening on http://127.0.0.1:8080/");
/// let addr = "[::1]:9".parse().unwrap();
/// assert_eq!(xmlrpc_conformance::listening_line(addr), "listening on http://[::1]:9/");
/// ```
#[must_use]
pub fn listening_line(addr: SocketAddr) -> String {
    format!("listening on http://{addr}/")
}

/// The conformance server's limits: bodies up to 32 MiB (a 10 MB call must
/// work), 30 s deadlines for a head or a body and for an idle keep-alive
/// connection, and XML nesting of 128 levels.
#[must_use]
pub fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_body_bytes = 32 * 1024 * 1024;
    l.max_string_bytes = l.max_string_bytes.max(l.max_body_bytes);
    l.max_depth = l.max_depth.max(128);
    l.head_timeout = std::time::Duration::from_secs(30);
    l.body_timeout = std::time::Duration::from_secs(30);
    l.idle_timeout = std::time::Duration::from_secs(30);
    l
}

/// Prints [`listening_line`] for `addr` as the first line of standard
/// output, flushed at once (a test harness reads it to learn the port).
pub fn announce(addr: SocketAddr) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", listening_line(addr));
    let _ = out.flush();
}

/// Calls `stop` once, from a thread of its own, on SIGTERM or SIGINT,
/// and (with `exit_on_stdin_eof`) at the end of standard input. The
/// signal handlers are installed before this returns, so that a signal
/// sent as soon as the address is printed is not missed.
///
/// # Errors
///
/// When the signal handlers cannot be installed.
pub fn on_stop_request(
    exit_on_stdin_eof: bool,
    stop: impl Fn() + Send + Sync + 'static,
) -> std::io::Result<()> {
    use std::io::Read;
    use std::sync::Arc;
    let stop = Arc::new(stop);
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])?;
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                stop();
            }
        });
    }
    if exit_on_stdin_eof {
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = [0u8; 1024];
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
            stop();
        });
    }
    Ok(())
}
