//! [`Limits`]: the one configuration of every bound the core enforces.

use std::time::Duration;

/// Every bound the core enforces against a peer, on both sides of a
/// connection and in the codec.
///
/// Build it with [`Limits::default`] and set the fields you want to change
/// (the struct is `#[non_exhaustive]`, so new bounds can be added without
/// breaking you):
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_proto::Limits;
///
/// let mut limits = Limits::default();
/// limits.max_body_bytes = 32 * 1024 * 1024;
/// limits.idle_timeout = Duration::from_secs(5);
/// assert_eq!(limits.max_depth, 64);
/// ```
///
/// Each default below is chosen so that ordinary XML-RPC traffic never meets
/// it while one hostile peer cannot make a server hold more than a few
/// megabytes or wait forever.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Request or status line plus headers, in bytes. Default 16 KiB, as
    /// h11 and IIS (Tomcat uses 8 KiB); XML-RPC heads are a few hundred
    /// bytes. Over it: `431 Request Header Fields Too Large`.
    pub max_head_bytes: usize,
    /// Number of header fields in one head; sizes the `httparse` header
    /// array. Default 64.
    pub max_headers: usize,
    /// Body bytes, checked against `Content-Length` before any byte of the
    /// body is read (over it: `413`), and against the running total of a
    /// chunked body. Default 8 MiB: far above normal calls, small enough to
    /// buffer per connection.
    pub max_body_bytes: usize,
    /// Nesting of `<array>` and `<struct>` values. Default 64 levels; the
    /// decoder uses an explicit stack, so this bounds memory, not the call
    /// stack.
    pub max_depth: usize,
    /// Number of `<value>`s in one document. Default 4 Mi; a value takes at
    /// least 15 bytes on the wire, so only a body over 60 MB can reach it.
    pub max_values: usize,
    /// Bytes of one decoded string, base64 payload or method name. Default
    /// 32 MiB (in practice the body limit binds first).
    pub max_string_bytes: usize,
    /// Time from the first byte of a request (or response) head until the
    /// head is complete. A deadline, not an idle timer: trickling bytes does
    /// not extend it. Default 30 s.
    pub head_timeout: Duration,
    /// Time from the end of the head until the body is complete. Also a
    /// deadline. Default 30 s.
    pub body_timeout: Duration,
    /// Time a kept-alive connection may sit idle between requests. Default
    /// 30 s.
    pub idle_timeout: Duration,
    /// Time the peer may leave an answer unread: from the moment bytes are
    /// ready to write until the peer accepts some of them. A server drops
    /// the connection when it passes (a client that never reads its
    /// answers). Also bounds a server's TLS `close_notify` on closing.
    /// Default 30 s.
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_head_bytes: 16 * 1024,
            max_headers: 64,
            max_body_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            max_values: 4 * 1024 * 1024,
            max_string_bytes: 32 * 1024 * 1024,
            head_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
        }
    }
}
