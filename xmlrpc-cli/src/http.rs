//! The HTTP transport: calls over `xmlrpc-blocking`'s client.

use std::time::Duration;

use xmlrpc_blocking::{CallError, Client, TransportErrorKind};
use xmlrpc_proto::{Limits, MethodCall, ProtocolError};

use crate::call::{Reply, Target, Transport, TransportError};

/// The longest a connection and TLS handshake may take when `--timeout`
/// does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The `User-Agent` sent unless `--header 'User-Agent: ...'` says otherwise.
const USER_AGENT: &str = concat!("xmlrpc-cli/", env!("CARGO_PKG_VERSION"));

/// Sends calls over HTTP or HTTPS. The client is built for the first call
/// and kept, so that the calls of `introspect` share one kept-alive
/// connection.
#[derive(Default)]
pub(crate) struct HttpTransport {
    client: Option<(Target, Client)>,
}

impl HttpTransport {
    /// The client for `target`, built on first use.
    fn client(&mut self, target: &Target, limits: &Limits) -> Result<&Client, TransportError> {
        if self.client.as_ref().is_none_or(|(t, _)| t != target) {
            let client = build(target, limits).map_err(|e| error(target, e))?;
            self.client = Some((target.clone(), client));
        }
        // Set just above when it was missing or for another target.
        Ok(&self.client.as_ref().expect("client set above").1)
    }
}

impl Transport for HttpTransport {
    fn call(
        &mut self,
        target: &Target,
        call: &MethodCall,
        limits: &Limits,
    ) -> Result<Reply, TransportError> {
        let client = self.client(target, limits)?;
        let raw = client.call_raw(call).map_err(|e| error(target, e))?;
        Ok(Reply {
            body: raw.body,
            result: raw.result,
        })
    }
}

/// A client with the target's options: nil and i8 allowed, the command's
/// limits, headers, credentials, deadline and TLS trust.
fn build(target: &Target, limits: &Limits) -> Result<Client, CallError> {
    let mut limits = limits.clone();
    if let Some(timeout) = target.timeout {
        // The whole-call deadline is the user's; the per-part deadlines of
        // an answer that has started may not cut it shorter.
        limits.head_timeout = limits.head_timeout.max(timeout);
        limits.body_timeout = limits.body_timeout.max(timeout);
    }
    let mut builder = Client::builder(&target.endpoint.to_string())
        .allow_nil(true)
        .allow_i8(true)
        .limits(limits)
        .user_agent(USER_AGENT);
    for (name, value) in &target.headers {
        builder = if name.eq_ignore_ascii_case("user-agent") {
            builder.user_agent(value.as_str())
        } else {
            builder.header(name.as_str(), value.as_str())
        };
    }
    if let Some((user, password)) = &target.basic_auth {
        builder = builder.basic_auth(user.as_str(), password.as_str());
    }
    if let Some(timeout) = target.timeout {
        builder = builder
            .timeout(timeout)
            .connect_timeout(timeout.min(CONNECT_TIMEOUT));
    } else {
        builder = builder.connect_timeout(CONNECT_TIMEOUT);
    }
    if let Some(path) = &target.cacert {
        builder = builder.add_root_certificate_file(path);
    }
    if target.insecure {
        builder = builder.danger_accept_invalid_certs(true);
    }
    builder.build()
}

/// The command's view of a client error.
fn error(target: &Target, e: CallError) -> TransportError {
    if e.is_timeout() {
        return match target.timeout {
            Some(t) => TransportError::Timeout(t),
            None => TransportError::Io(e.to_string()),
        };
    }
    match e {
        CallError::Http { status, reason, .. } => TransportError::Http { status, reason },
        CallError::Transport(t) if t.kind() == TransportErrorKind::Tls => {
            TransportError::Tls(t.io_error().to_string())
        }
        CallError::Transport(t) => TransportError::Io(t.to_string()),
        CallError::Protocol(ProtocolError::BadXml(d)) => TransportError::Malformed(d.to_string()),
        CallError::Protocol(p) => TransportError::Protocol(p.to_string()),
        CallError::InvalidCall(m) => TransportError::Invalid(m),
        // `call_raw` returns faults as results and converts nothing.
        other => TransportError::Io(other.to_string()),
    }
}
