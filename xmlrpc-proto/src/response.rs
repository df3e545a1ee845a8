//! [`HttpResponse`]: a whole HTTP answer (status, header fields, body),
//! as a resource of a [`Site`](crate::dispatch::Site) gives it.

use crate::http;

/// Header fields the connection writes itself: a response that sets one
/// has it dropped (see [`HttpResponse::header`]).
const RESERVED: &[&str] = &[
    "connection",
    "content-encoding",
    "content-length",
    "content-type",
    "keep-alive",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// A complete HTTP answer: status, content type, extra header fields and
/// body. The connection adds the framing (`Content-Length`), the
/// `Server` and `Connection` fields, and gzip when the peer accepts it;
/// the answer to a `HEAD` request carries no body.
///
/// ```
/// use xmlrpc_proto::HttpResponse;
///
/// let r = HttpResponse::new(200, "text/plain; charset=utf-8", "ok\n")
///     .header("Cache-Control", "no-store");
/// assert_eq!(r.status(), 200);
/// assert_eq!(r.headers().len(), 1);
/// assert_eq!(r.body(), b"ok\n");
/// // Framing is the connection's: such a field is dropped.
/// let r = r.header("Content-Length", "99");
/// assert_eq!(r.headers().len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    status: u16,
    content_type: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    close: bool,
}

impl HttpResponse {
    /// An answer with this status, content type and body. A status
    /// outside 200-599 is sent as 500; a `204` or `304` carries no body.
    /// A content type that cannot be written as a header value is sent as
    /// `application/octet-stream`.
    pub fn new(status: u16, content_type: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        let mut content_type = content_type.into();
        if !http::valid_header("Content-Type", &content_type) {
            content_type = "application/octet-stream".to_owned();
        }
        Self {
            status: if (200..=599).contains(&status) {
                status
            } else {
                500
            },
            content_type,
            headers: Vec::new(),
            body: body.into(),
            close: false,
        }
    }

    /// A short plain-text answer: the status and its reason phrase
    /// (`404 Not Found`).
    ///
    /// ```
    /// use xmlrpc_proto::HttpResponse;
    ///
    /// assert_eq!(HttpResponse::status_text(404).body(), b"404 Not Found\n");
    /// ```
    #[must_use]
    pub fn status_text(status: u16) -> Self {
        let text = format!("{status} {}\n", http::reason_phrase(status));
        Self::new(status, "text/plain; charset=utf-8", text)
    }

    /// `405 Method Not Allowed` with the `Allow` field listing `allow`.
    #[must_use]
    pub fn method_not_allowed(allow: &str) -> Self {
        Self::status_text(405).header("Allow", allow)
    }

    /// Adds a header field. A field the connection writes itself
    /// (`Content-Length`, `Content-Type`, `Transfer-Encoding`,
    /// `Connection`, `Server`, ...) or one that cannot be written (a name
    /// that is not a token, a line break in the value) is dropped.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        let name = name.into();
        let value = value.as_ref();
        let writable = std::str::from_utf8(value).is_ok_and(|v| http::valid_header(&name, v));
        let reserved = RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&name));
        if writable && !reserved {
            self.headers.push((name, value.to_vec()));
        }
        self
    }

    /// Closes the connection after this answer (`Connection: close`),
    /// whatever keep-alive would allow.
    #[must_use]
    pub fn close_connection(mut self) -> Self {
        self.close = true;
        self
    }

    /// Whether the connection closes after this answer.
    #[must_use]
    pub fn closes_connection(&self) -> bool {
        self.close
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` value.
    #[must_use]
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The extra header fields, in order.
    #[must_use]
    pub fn headers(&self) -> &[(String, Vec<u8>)] {
        &self.headers
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, taken out.
    #[must_use]
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}
