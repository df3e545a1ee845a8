//! The server URL given on the command line.

use std::fmt;

/// `http` or `https`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }
}

/// A parsed server URL: where to connect and what to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) scheme: Scheme,
    /// Host name or IP address; an IPv6 address without its brackets.
    pub(crate) host: String,
    pub(crate) port: u16,
    /// Request target: the path with its query, at least `/`.
    pub(crate) path: String,
    /// User name and password from `user:pass@`, percent-decoded.
    pub(crate) userinfo: Option<(String, String)>,
}

impl Endpoint {
    /// Parses a URL argument. One without `://` means
    /// `http://ARG/RPC2`, as in xmlrpc-c (`localhost:8080` is
    /// `http://localhost:8080/RPC2`).
    ///
    /// # Errors
    ///
    /// A one-line reason when the URL is not an `http` or `https` URL with
    /// a host.
    pub(crate) fn parse(arg: &str) -> Result<Self, String> {
        if arg.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("URL {arg:?} contains spaces or control characters"));
        }
        let full;
        let url = if arg.contains("://") {
            arg
        } else {
            full = format!("http://{arg}/RPC2");
            &full
        };
        // `url` contains "://": either the argument does or it was added.
        let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            _ => {
                return Err(format!(
                    "unsupported URL scheme {scheme:?} (use http or https)"
                ));
            }
        };
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(split);
        let path = if target.is_empty() {
            "/".to_owned()
        } else if target.starts_with('?') {
            format!("/{target}")
        } else {
            target.to_owned()
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((info, hp)) => {
                let (user, pass) = info.split_once(':').unwrap_or((info, ""));
                (Some((percent_decode(user)?, percent_decode(pass)?)), hp)
            }
            None => (None, authority),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (addr, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("URL {arg:?} has an unclosed '[' in its host"))?;
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| format!("URL {arg:?} has text after its IPv6 address"))?,
                ),
            };
            (addr, port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(format!("URL {arg:?} has no host"));
        }
        let port = match port {
            None | Some("") => scheme.default_port(),
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|&p| p != 0 && p.to_string().len() <= 5)
                .ok_or_else(|| format!("URL {arg:?} has an invalid port {p:?}"))?,
        };
        Ok(Self {
            scheme,
            host: host.to_owned(),
            port,
            path,
            userinfo,
        })
    }
}

/// The URL without its password, for messages.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme.as_str())?;
        if let Some((user, _)) = &self.userinfo {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        write!(f, ":{}{}", self.port, self.path)
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent escape in URL user info {s:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("URL user info {s:?} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(arg: &str) -> Endpoint {
        Endpoint::parse(arg).unwrap_or_else(|e| panic!("{arg}: {e}"))
    }

    #[test]
    fn without_scheme_means_http_rpc2() {
        let e = ep("localhost:8080");
        assert_eq!(e.scheme, Scheme::Http);
        assert_eq!(
            (e.host.as_str(), e.port, e.path.as_str()),
            ("localhost", 8080, "/RPC2")
        );
        let e = ep("example.com");
        assert_eq!((e.port, e.path.as_str()), (80, "/RPC2"));
        assert_eq!(ep("[::1]:7080").host, "::1");
        assert_eq!(ep("127.0.0.1").to_string(), "http://127.0.0.1:80/RPC2");
    }

    #[test]
    fn full_urls() {
        let e = ep("https://user:p%40ss@example.com/xmlrpc?x=1#frag");
        assert_eq!(e.scheme, Scheme::Https);
        assert_eq!(e.port, 443);
        assert_eq!(e.path, "/xmlrpc?x=1");
        assert_eq!(e.userinfo, Some(("user".into(), "p@ss".into())));
        assert_eq!(e.to_string(), "https://user@example.com:443/xmlrpc?x=1");
        let e = ep("HTTP://h:81");
        assert_eq!((e.scheme, e.port, e.path.as_str()), (Scheme::Http, 81, "/"));
        let e = ep("http://h?q");
        assert_eq!(e.path, "/?q");
        let e = ep("http://[::1]:9/");
        assert_eq!((e.host.as_str(), e.port), ("::1", 9));
        assert_eq!(
            ep("http://u@h/").userinfo,
            Some(("u".into(), String::new()))
        );
        assert_eq!(ep("http://h:/").port, 80);
    }

    #[test]
    fn rejected() {
        for (arg, needle) in [
            ("ftp://h/", "scheme"),
            ("http:///x", "no host"),
            ("http://h:99999/", "port"),
            ("http://h:0/", "port"),
            ("http://h:x/", "port"),
            ("http://[::1/", "unclosed"),
            ("http://[::1]x/", "after its IPv6"),
            ("http://h /", "spaces"),
            ("http://a%zz@h/", "percent"),
            ("http://a%ff@h/", "UTF-8"),
            ("", "no host"),
        ] {
            let e = Endpoint::parse(arg).unwrap_err();
            assert!(e.contains(needle), "{arg:?}: {e}");
        }
    }
}
