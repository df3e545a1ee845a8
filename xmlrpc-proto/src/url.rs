//! [`Url`]: the `http://` and `https://` URLs an XML-RPC client calls.

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

/// Why a URL was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// No `scheme://`, or a scheme other than `http` and `https`.
    #[error("unsupported scheme (expected http:// or https://)")]
    UnsupportedScheme,
    /// No host, or a host with characters a host cannot have.
    #[error("invalid host")]
    InvalidHost,
    /// A port that is not a number from 0 to 65535.
    #[error("invalid port")]
    InvalidPort,
    /// User info with a bad percent-escape or that is not UTF-8 once
    /// decoded.
    #[error("invalid user info")]
    InvalidUserInfo,
    /// A path with a space or a control character.
    #[error("invalid path")]
    InvalidPath,
}

/// The scheme of a [`Url`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `http`, default port 80.
    Http,
    /// `https`, default port 443.
    Https,
}

impl Scheme {
    /// The port used when the URL names none.
    #[must_use]
    pub fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

/// An `http://` or `https://` URL, split into what a client needs: where to
/// connect, the `Host` header, the request target and Basic credentials.
///
/// The path is kept exactly as written (with its query); nothing is added
/// except `/` when it is empty, since a request target cannot be empty.
/// The fragment is dropped. User info is percent-decoded.
///
/// ```
/// use xmlrpc_proto::{Scheme, Url};
///
/// let url: Url = "https://us%40r:p%3Ass@[::1]:8443/RPC2?x=1#top".parse().unwrap();
/// assert_eq!(url.scheme(), Scheme::Https);
/// assert_eq!(url.host(), "::1");
/// assert_eq!(url.port(), 8443);
/// assert_eq!(url.path(), "/RPC2?x=1");
/// assert_eq!(url.username(), Some("us@r"));
/// assert_eq!(url.password(), Some("p:ss"));
/// assert_eq!(url.host_header(), "[::1]:8443");
///
/// let plain = Url::parse("http://example.com").unwrap();
/// assert_eq!((plain.port(), plain.path()), (80, "/"));
/// assert_eq!(plain.host_header(), "example.com");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Url {
    scheme: Scheme,
    host: String,
    ipv6: bool,
    port: u16,
    explicit_port: bool,
    path: String,
    username: Option<String>,
    password: Option<String>,
}

fn percent_decode(s: &str) -> Result<String, UrlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(UrlError::InvalidUserInfo)?;
            let digit = |b: u8| (b as char).to_digit(16).ok_or(UrlError::InvalidUserInfo);
            let b = digit(hex[0])? * 16 + digit(hex[1])?;
            // Two hex digits make at most 255.
            out.push(u8::try_from(b).unwrap_or(0));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| UrlError::InvalidUserInfo)
}

impl Url {
    /// Parses an absolute `http` or `https` URL.
    ///
    /// # Errors
    ///
    /// When the scheme, host, port, user info or path is invalid.
    pub fn parse(s: &str) -> Result<Self, UrlError> {
        let (scheme, rest) = s.split_once("://").ok_or(UrlError::UnsupportedScheme)?;
        let scheme = if scheme.eq_ignore_ascii_case("http") {
            Scheme::Http
        } else if scheme.eq_ignore_ascii_case("https") {
            Scheme::Https
        } else {
            return Err(UrlError::UnsupportedScheme);
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(auth_end);
        let path = if path.is_empty() {
            "/".to_owned()
        } else if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        if path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(UrlError::InvalidPath);
        }
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(u) => match u.split_once(':') {
                Some((user, pass)) => (Some(percent_decode(user)?), Some(percent_decode(pass)?)),
                None => (Some(percent_decode(u)?), None),
            },
        };
        let (host, ipv6, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (addr, after) = v6.split_once(']').ok_or(UrlError::InvalidHost)?;
            let ip = addr.split('%').next().unwrap_or_default();
            ip.parse::<Ipv6Addr>().map_err(|_| UrlError::InvalidHost)?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or(UrlError::InvalidPort)?),
            };
            (addr, true, port)
        } else {
            match hostport.split_once(':') {
                Some((h, p)) => (h, false, Some(p)),
                None => (hostport, false, None),
            }
        };
        if host.is_empty()
            || host
                .bytes()
                .any(|b| b <= b' ' || b == 0x7f || b"/?#@[]\\".contains(&b))
        {
            return Err(UrlError::InvalidHost);
        }
        let (port, explicit_port) = match port {
            None | Some("") => (scheme.default_port(), false),
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
                (p.parse().map_err(|_| UrlError::InvalidPort)?, true)
            }
            Some(_) => return Err(UrlError::InvalidPort),
        };
        Ok(Self {
            scheme,
            host: host.to_owned(),
            ipv6,
            port,
            explicit_port,
            path,
            username,
            password,
        })
    }

    /// The scheme.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether this is an `https` URL.
    #[must_use]
    pub fn is_https(&self) -> bool {
        self.scheme == Scheme::Https
    }

    /// The host to connect to: a name or an IP address (an IPv6 address
    /// without its brackets).
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, the scheme's default when the URL names none.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The request target: the path and query exactly as written (`/`
    /// when empty).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The percent-decoded user name, if any.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The percent-decoded password, if any.
    #[must_use]
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The same URL without user name and password (their `Display` then
    /// re-parses to the same target).
    #[must_use]
    pub fn without_credentials(&self) -> Self {
        Self {
            username: None,
            password: None,
            ..self.clone()
        }
    }

    /// The value of the `Host` header: the host (in brackets for IPv6),
    /// with the port when the URL names one other than the default.
    #[must_use]
    pub fn host_header(&self) -> String {
        let host = if self.ipv6 {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.explicit_port && self.port != self.scheme.default_port() {
            format!("{host}:{}", self.port)
        } else {
            host
        }
    }
}

impl FromStr for Url {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, UrlError> {
        Self::parse(s)
    }
}

/// Writes the URL without its password.
impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://")?;
        if let Some(u) = &self.username {
            write!(f, "{u}@")?;
        }
        let host = if self.ipv6 {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(f, "{host}:{}{}", self.port, self.path)
    }
}

/// Like `Display`: the password is never shown.
impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Url({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let u = Url::parse("HTTP://user@host.example:8080/a/b?c=d").unwrap();
        assert_eq!(u.scheme(), Scheme::Http);
        assert_eq!(u.host(), "host.example");
        assert_eq!(u.port(), 8080);
        assert_eq!(u.path(), "/a/b?c=d");
        assert_eq!(u.username(), Some("user"));
        assert_eq!(u.password(), None);
        assert_eq!(u.host_header(), "host.example:8080");
        let u = Url::parse("https://h:443").unwrap();
        assert_eq!(u.host_header(), "h");
        assert_eq!(u.path(), "/");
        let u = Url::parse("http://h?x").unwrap();
        assert_eq!(u.path(), "/?x");
        let u = Url::parse("http://h:/RPC2").unwrap();
        assert_eq!(u.port(), 80);
        let u = Url::parse("http://a:b@c@h/").unwrap();
        assert_eq!(
            (u.username(), u.password(), u.host()),
            (Some("a"), Some("b@c"), "h")
        );
        assert!(!format!("{u:?}").contains("b@c"));
    }

    #[test]
    fn rejects() {
        assert_eq!(Url::parse("ftp://h/"), Err(UrlError::UnsupportedScheme));
        assert_eq!(Url::parse("h/"), Err(UrlError::UnsupportedScheme));
        assert_eq!(Url::parse("http:///x"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("http://h:99999/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("http://h:-1/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("http://[zz]/"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("http://[::1]x/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("http://h/a b"), Err(UrlError::InvalidPath));
        assert_eq!(Url::parse("http://%zz@h/"), Err(UrlError::InvalidUserInfo));
        assert_eq!(Url::parse("http://%ff@h/"), Err(UrlError::InvalidUserInfo));
        assert_eq!(Url::parse("http://%4@h/"), Err(UrlError::InvalidUserInfo));
    }
}
