//! What every runtime's client shares: the parameters of a call
//! ([`IntoParams`]) and the ways a call can fail ([`CallError`]).

use std::fmt;
use std::io;

use xmlrpc_proto::{ConversionError, Fault, IntoValue, ProtocolError, SendError, UrlError, Value};

/// The positional parameters of a call: a `Vec<Value>`, `()` for none, or
/// a tuple of up to 8 values of any [`IntoValue`] types.
///
/// ```
/// use xmlrpc_driver::call::IntoParams;
/// use xmlrpc_proto::Value;
///
/// assert_eq!((1, "two").into_params().unwrap(), [Value::Int(1), Value::from("two")]);
/// assert!(().into_params().unwrap().is_empty());
/// ```
pub trait IntoParams {
    /// The parameters as values.
    ///
    /// # Errors
    ///
    /// When a parameter cannot be represented in XML-RPC.
    fn into_params(self) -> Result<Vec<Value>, ConversionError>;
}

impl IntoParams for Vec<Value> {
    fn into_params(self) -> Result<Vec<Value>, ConversionError> {
        Ok(self)
    }
}

impl IntoParams for &[Value] {
    fn into_params(self) -> Result<Vec<Value>, ConversionError> {
        Ok(self.to_vec())
    }
}

impl<const N: usize> IntoParams for [Value; N] {
    fn into_params(self) -> Result<Vec<Value>, ConversionError> {
        Ok(self.into())
    }
}

impl IntoParams for () {
    fn into_params(self) -> Result<Vec<Value>, ConversionError> {
        Ok(Vec::new())
    }
}

macro_rules! tuple_params {
    ($($t:ident)+) => {
        impl<$($t: IntoValue),+> IntoParams for ($($t,)+) {
            #[allow(non_snake_case)]
            fn into_params(self) -> Result<Vec<Value>, ConversionError> {
                let ($($t,)+) = self;
                Ok(vec![$($t.into_value()?),+])
            }
        }
    };
}
tuple_params!(A);
tuple_params!(A B);
tuple_params!(A B C);
tuple_params!(A B C D);
tuple_params!(A B C D E);
tuple_params!(A B C D E F);
tuple_params!(A B C D E F G);
tuple_params!(A B C D E F G H);

/// How a call failed. Each kind of failure is its own variant, so a caller
/// can tell a fault from an HTTP error, a broken network from a broken
/// peer.
///
/// ```
/// use xmlrpc_driver::call::CallError;
/// use xmlrpc_proto::Fault;
///
/// let e = CallError::Fault(Fault::new(4, "Too many parameters."));
/// assert_eq!(e.to_string(), "fault 4: Too many parameters.");
/// assert_eq!(e.fault().map(|f| f.code), Some(4));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The server answered with a fault.
    #[error("{0}")]
    Fault(Fault),
    /// The server answered with an HTTP status other than 200.
    #[error("HTTP {status} {reason}")]
    Http {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
        /// The start of the response body, for messages.
        body: String,
    },
    /// The network failed: connecting, TLS, a timeout, or I/O.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The server's answer is not valid HTTP or not a valid
    /// `methodResponse`.
    #[error("protocol error: {0}")]
    Protocol(ProtocolError),
    /// The result arrived but is not of the type asked for.
    #[error("unexpected result: {0}")]
    Result(ConversionError),
    /// The call could not be sent: a parameter that cannot be written, a
    /// header that cannot be sent, or an invalid URL.
    #[error("invalid call: {0}")]
    InvalidCall(String),
}

impl CallError {
    /// The fault, if the server answered with one.
    #[must_use]
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Self::Fault(f) => Some(f),
            _ => None,
        }
    }

    /// The HTTP status, if the server answered with one other than 200.
    #[must_use]
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The transport failure, if the network failed.
    #[must_use]
    pub fn transport(&self) -> Option<&TransportError> {
        match self {
            Self::Transport(t) => Some(t),
            _ => None,
        }
    }

    /// Whether a connect or call timeout passed.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Transport(t) if t.kind() == TransportErrorKind::Timeout)
            || matches!(self, Self::Protocol(ProtocolError::Timeout(_)))
    }
}

impl From<ProtocolError> for CallError {
    /// A non-200 status becomes [`CallError::Http`], anything else
    /// [`CallError::Protocol`].
    fn from(e: ProtocolError) -> Self {
        match e {
            ProtocolError::HttpStatus {
                status,
                reason,
                body,
            } => Self::Http {
                status,
                reason,
                body,
            },
            other => Self::Protocol(other),
        }
    }
}

impl From<SendError> for CallError {
    fn from(e: SendError) -> Self {
        Self::InvalidCall(e.to_string())
    }
}

impl From<UrlError> for CallError {
    fn from(e: UrlError) -> Self {
        Self::InvalidCall(format!("URL: {e}"))
    }
}

/// Which part of the transport failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// Resolving the host or opening the TCP connection.
    Connect,
    /// The TLS handshake (an untrusted certificate, for example).
    Tls,
    /// The connect timeout or the call timeout passed.
    Timeout,
    /// Reading or writing an open connection.
    Io,
}

/// A network failure during a call.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: io::Error,
}

impl TransportError {
    /// A failure of this kind.
    #[must_use]
    pub fn new(kind: TransportErrorKind, source: io::Error) -> Self {
        Self { kind, source }
    }

    /// A timeout, described by `what` (`"connect"`, `"call"`).
    #[must_use]
    pub fn timeout(what: &str) -> Self {
        Self::new(
            TransportErrorKind::Timeout,
            io::Error::new(io::ErrorKind::TimedOut, format!("{what} timed out")),
        )
    }

    /// Which part failed.
    #[must_use]
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The underlying I/O error.
    #[must_use]
    pub fn io_error(&self) -> &io::Error {
        &self.source
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Tls => "TLS",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Io => "I/O",
        };
        write!(f, "{what}: {}", self.source)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_errors_split() {
        let http = CallError::from(ProtocolError::HttpStatus {
            status: 404,
            reason: "Not Found".into(),
            body: String::new(),
        });
        assert_eq!(http.http_status(), Some(404));
        assert_eq!(http.to_string(), "HTTP 404 Not Found");
        let p = CallError::from(ProtocolError::UnexpectedEof);
        assert!(matches!(p, CallError::Protocol(_)));
        assert!(CallError::from(ProtocolError::Timeout("response head")).is_timeout());
    }

    #[test]
    fn transport_errors() {
        let t = CallError::from(TransportError::timeout("call"));
        assert!(t.is_timeout());
        assert_eq!(t.to_string(), "timeout: call timed out");
        let c = TransportError::new(
            TransportErrorKind::Connect,
            io::Error::from(io::ErrorKind::ConnectionRefused),
        );
        assert_eq!(c.kind(), TransportErrorKind::Connect);
        assert!(c.to_string().starts_with("connect: "));
        assert!(!CallError::from(c).is_timeout());
    }

    #[test]
    fn params() {
        assert_eq!(
            vec![Value::Nil].into_params().expect("values"),
            [Value::Nil]
        );
        assert_eq!(
            [Value::Int(1), Value::Int(2)]
                .into_params()
                .expect("values"),
            [Value::Int(1), Value::Int(2)]
        );
    }
}
