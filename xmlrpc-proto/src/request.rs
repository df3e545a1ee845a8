//! [`RequestHead`]: the HTTP request an XML-RPC call arrived in.

use std::net::SocketAddr;

/// The HTTP version of a request or response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Version {
    /// HTTP/1.0
    Http10,
    /// HTTP/1.1
    Http11,
}

/// Header fields as received: names as sent (compare them
/// case-insensitively), values as raw bytes, in order, repeats kept.
///
/// ```
/// use xmlrpc_proto::Headers;
///
/// let mut h = Headers::new();
/// h.append("X-Tag", "a");
/// h.append("x-tag", "b");
/// let all: Vec<&[u8]> = h.get_all("X-TAG").collect();
/// assert_eq!(all, [b"a".as_slice(), b"b".as_slice()]);
/// assert_eq!(h.get_str("x-tag"), Some("a"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers {
    fields: Vec<(String, Vec<u8>)>,
}

impl Headers {
    /// No fields.
    #[must_use]
    pub const fn new() -> Self {
        Self { fields: Vec::new() }
    }

    /// Adds a field after the others.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) {
        self.fields.push((name.into(), value.into()));
    }

    /// The first value of `name` (case-insensitive).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The first value of `name` as text, if it is UTF-8.
    #[must_use]
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Every value of `name` (case-insensitive), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Every field in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &[u8])> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }

    /// The number of fields.
    #[must_use]
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// The head of the HTTP request that carried a call: what a handler that
/// asks for the request (Twisted's `withRequest`) receives.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestHead {
    /// The method, such as `POST`.
    pub method: String,
    /// The request target as sent, such as `/RPC2`.
    pub path: String,
    /// The HTTP version.
    pub version: Version,
    /// The header fields.
    pub headers: Headers,
    /// Whether the connection stays open after this request's response.
    pub keep_alive: bool,
    /// The peer's address, when the runtime knows it.
    pub peer_addr: Option<SocketAddr>,
}

impl RequestHead {
    /// A head with this method and path, HTTP/1.1, no headers, keep-alive.
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            version: Version::Http11,
            headers: Headers::new(),
            keep_alive: true,
            peer_addr: None,
        }
    }
}
