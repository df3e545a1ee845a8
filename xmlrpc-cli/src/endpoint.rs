//! The server URL given on the command line.

use xmlrpc_proto::Url;

/// Parses a URL argument with the core's [`Url`]. One without `://`
/// means `http://ARG/RPC2`, as in xmlrpc-c (`localhost:8080` is
/// `http://localhost:8080/RPC2`).
///
/// # Errors
///
/// A one-line reason when the URL is not an `http` or `https` URL with a
/// host.
pub(crate) fn parse(arg: &str) -> Result<Url, String> {
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
    Url::parse(url).map_err(|e| format!("URL {arg:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmlrpc_proto::Scheme;

    fn ep(arg: &str) -> Url {
        parse(arg).unwrap_or_else(|e| panic!("{arg}: {e}"))
    }

    #[test]
    fn without_scheme_means_http_rpc2() {
        let e = ep("localhost:8080");
        assert_eq!(e.scheme(), Scheme::Http);
        assert_eq!((e.host(), e.port(), e.path()), ("localhost", 8080, "/RPC2"));
        let e = ep("example.com");
        assert_eq!((e.port(), e.path()), (80, "/RPC2"));
        assert_eq!(ep("[::1]:7080").host(), "::1");
        assert_eq!(ep("127.0.0.1").to_string(), "http://127.0.0.1:80/RPC2");
    }

    #[test]
    fn full_urls() {
        let e = ep("https://user:p%40ss@example.com/xmlrpc?x=1#frag");
        assert_eq!(e.scheme(), Scheme::Https);
        assert_eq!(e.port(), 443);
        assert_eq!(e.path(), "/xmlrpc?x=1");
        assert_eq!((e.username(), e.password()), (Some("user"), Some("p@ss")));
        assert_eq!(
            e.without_credentials().to_string(),
            "https://example.com:443/xmlrpc?x=1"
        );
        let e = ep("HTTP://h:81");
        assert_eq!((e.scheme(), e.port(), e.path()), (Scheme::Http, 81, "/"));
        let e = ep("http://[::1]:9/");
        assert_eq!((e.host(), e.port()), ("::1", 9));
    }

    #[test]
    fn rejected() {
        for (arg, needle) in [
            ("ftp://h/", "scheme"),
            ("http:///x", "host"),
            ("http://h:99999/", "port"),
            ("http://h:x/", "port"),
            ("http://[::1/", "host"),
            ("http://h /", "spaces"),
            ("http://a%zz@h/", "user info"),
            ("http://a%ff@h/", "user info"),
            ("", "host"),
        ] {
            let e = parse(arg).unwrap_err();
            assert!(e.contains(needle), "{arg:?}: {e}");
        }
    }
}
