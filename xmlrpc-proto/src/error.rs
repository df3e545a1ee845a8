//! Errors of the connection state machines: [`ProtocolError`] (the peer
//! broke HTTP), [`StateError`] (the caller used a connection out of order),
//! and the errors of the commands that encode a document.

use crate::{DecodeError, EncodeError};

/// Why an HTTP head (request or status line and header fields) is
/// malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeadError {
    /// The request line, status line or a header field does not parse; the
    /// text says which part.
    #[error("{0}")]
    Syntax(&'static str),
    /// A `Content-Length` that is not a plain decimal number, or one too
    /// large to represent.
    #[error("invalid Content-Length")]
    BadContentLength,
    /// Two `Content-Length` values that differ.
    #[error("conflicting Content-Length values")]
    ConflictingContentLength,
    /// Both `Content-Length` and `Transfer-Encoding`.
    #[error("both Content-Length and Transfer-Encoding")]
    LengthAndTransferEncoding,
    /// `Transfer-Encoding` in an HTTP/1.0 message.
    #[error("Transfer-Encoding in an HTTP/1.0 message")]
    TransferEncodingInHttp10,
    /// A transfer coding other than `chunked` alone.
    #[error("unsupported transfer coding")]
    UnsupportedTransferCoding,
    /// An HTTP version other than 1.0 and 1.1.
    #[error("unsupported HTTP version")]
    UnsupportedVersion,
    /// More header fields than [`Limits::max_headers`](crate::Limits::max_headers).
    #[error("too many header fields")]
    TooManyHeaders,
}

impl HeadError {
    pub(crate) fn from_httparse(e: httparse::Error) -> Self {
        match e {
            httparse::Error::TooManyHeaders => Self::TooManyHeaders,
            httparse::Error::Version => Self::UnsupportedVersion,
            httparse::Error::HeaderName => Self::Syntax("invalid header name"),
            httparse::Error::HeaderValue => Self::Syntax("invalid header value"),
            httparse::Error::NewLine => Self::Syntax("invalid line ending"),
            httparse::Error::Status => Self::Syntax("invalid status"),
            httparse::Error::Token => Self::Syntax("invalid token"),
        }
    }
}

/// The peer broke HTTP/1.1, a limit was exceeded, or a deadline passed.
///
/// On the server side every `ProtocolError` is fatal and sticky: the
/// matching error answer ([`status_hint`](Self::status_hint)) is already
/// queued for transmission, the connection reads nothing more and closes
/// once that answer is written, and `poll_event` returns the same error on
/// every call. On the client side framing errors are fatal in the same way;
/// [`HttpStatus`](Self::HttpStatus) and [`BadXml`](Self::BadXml) end one
/// call only, and the connection may still be reused when
/// `can_reuse()` says so.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The head is longer than [`Limits::max_head_bytes`](crate::Limits::max_head_bytes).
    #[error("head larger than {limit} bytes")]
    HeadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The body is (or is declared) longer than
    /// [`Limits::max_body_bytes`](crate::Limits::max_body_bytes).
    #[error("body of {len} bytes exceeds {limit}")]
    BodyTooLarge {
        /// The declared length, or how many bytes had arrived when the
        /// limit was crossed.
        len: u64,
        /// The limit.
        limit: usize,
    },
    /// A malformed head.
    #[error("malformed HTTP head: {0}")]
    BadHead(HeadError),
    /// Malformed chunked framing of a body.
    #[error("malformed chunked body: {0}")]
    BadChunk(&'static str),
    /// A request with a body but neither `Content-Length` nor chunked
    /// transfer coding.
    #[error("request body without Content-Length")]
    LengthRequired,
    /// A request method other than `POST`.
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    /// A `Content-Encoding` this build cannot decode, or a compressed body
    /// that does not decompress.
    #[error("unsupported or corrupt content encoding: {0}")]
    BadContentEncoding(String),
    /// The stream ended in the middle of a message.
    #[error("unexpected end of stream")]
    UnexpectedEof,
    /// The server closed the connection before the first byte of a
    /// response (client side). A call sent on a reused keep-alive
    /// connection may be retried on a new one.
    #[error("connection closed before a response arrived")]
    ClosedBeforeResponse,
    /// Bytes arrived that belong to no request (client side).
    #[error("unexpected bytes from the server")]
    UnsolicitedData,
    /// The head or the body did not arrive in time.
    #[error("{0} not complete in time")]
    Timeout(&'static str),
    /// More input was handed over than the connection may buffer while a
    /// call awaits its answer (the caller read although `wants_read()`
    /// was false).
    #[error("input buffer full")]
    InputOverflow,
    /// A response status other than `200` (client side).
    #[error("HTTP status {status} {reason}")]
    HttpStatus {
        /// The status code.
        status: u16,
        /// The reason phrase as sent.
        reason: String,
        /// The start of the response body (up to 512 bytes, lossily
        /// converted to text), for error messages.
        body: String,
    },
    /// A `200` response whose body is not a well-formed `methodResponse`
    /// (client side).
    #[error("bad XML-RPC response: {0}")]
    BadXml(DecodeError),
}

impl ProtocolError {
    /// The HTTP status a server answers this error with: `400` for
    /// malformed input, `405`, `408`, `411`, `413`, `415`, `431`, or `501`
    /// for an unsupported transfer coding, as h11 does. Client-side errors
    /// give `502` (and `HttpStatus` its own status).
    ///
    /// ```
    /// use xmlrpc_proto::ProtocolError;
    /// assert_eq!(ProtocolError::HeadTooLarge { limit: 10 }.status_hint(), 431);
    /// ```
    #[must_use]
    pub fn status_hint(&self) -> u16 {
        match self {
            Self::HeadTooLarge { .. } => 431,
            Self::BodyTooLarge { .. } | Self::InputOverflow => 413,
            Self::BadHead(HeadError::TooManyHeaders) => 431,
            Self::BadHead(HeadError::UnsupportedTransferCoding) => 501,
            Self::BadHead(HeadError::UnsupportedVersion) => 505,
            Self::BadHead(_) | Self::BadChunk(_) | Self::UnexpectedEof => 400,
            Self::LengthRequired => 411,
            Self::MethodNotAllowed(_) => 405,
            Self::BadContentEncoding(_) => 415,
            Self::Timeout(_) => 408,
            Self::HttpStatus { status, .. } => *status,
            Self::ClosedBeforeResponse | Self::UnsolicitedData | Self::BadXml(_) => 502,
        }
    }
}

/// A command given in a state that does not allow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// `respond` without a call awaiting an answer.
    #[error("no call awaits a response")]
    NoCallPending,
    /// `send_call` while the previous call has no outcome yet.
    #[error("a call is already in flight")]
    CallInFlight,
    /// The connection is closed (or closing).
    #[error("connection closed")]
    Closed,
}

/// Why `ServerConnection::respond` queued nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RespondError {
    /// No call awaits an answer, or the connection is closed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The value cannot be written; the call still awaits an answer, so
    /// respond again (with a fault, say).
    #[error("cannot encode the response: {0}")]
    Encode(#[from] EncodeError),
}

/// Why `ClientConnection::send_call` queued nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// A call is in flight or the connection is closed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The call cannot be written.
    #[error("cannot encode the call: {0}")]
    Encode(#[from] EncodeError),
    /// A configured header name or value cannot be sent (not a token, or a
    /// value with a line break).
    #[error("invalid header {0:?}")]
    InvalidHeader(String),
}
