//! [`Site`]: dispatchers mounted on HTTP paths.

use std::sync::Arc;

use super::Dispatcher;

/// Dispatchers mounted on request paths, the way Twisted's `putChild`
/// places resources: the runtime [`resolve`](Site::resolve)s each
/// request's path and answers `404 Not Found` when nothing is mounted there.
///
/// Paths match exactly (`/RPC2` is not `/RPC2/`); a `?query` is ignored,
/// and so is the scheme and authority of an absolute-form target
/// (`http://host/RPC2`).
///
/// ```
/// use std::sync::Arc;
/// use xmlrpc_proto::dispatch::{Dispatcher, Site};
///
/// let d = Arc::new(Dispatcher::new());
/// let mut site = Site::new();
/// site.mount("/", Arc::clone(&d)).mount("/RPC2", d);
/// assert!(site.resolve("/RPC2?x=1").is_some());
/// assert!(site.resolve("http://example.com/RPC2").is_some());
/// assert!(site.resolve("/other").is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Site {
    mounts: Vec<(String, Arc<Dispatcher>)>,
}

impl Site {
    /// A site with nothing mounted.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A site serving `dispatcher` at `/` and `/RPC2`, the two usual paths.
    #[must_use]
    pub fn standard(dispatcher: impl Into<Arc<Dispatcher>>) -> Self {
        let d = dispatcher.into();
        let mut site = Self::new();
        site.mount("/", Arc::clone(&d)).mount("/RPC2", d);
        site
    }

    /// Serves `dispatcher` at `path` (replacing what was there).
    pub fn mount(
        &mut self,
        path: impl Into<String>,
        dispatcher: impl Into<Arc<Dispatcher>>,
    ) -> &mut Self {
        let path = path.into();
        let d = dispatcher.into();
        if let Some(slot) = self.mounts.iter_mut().find(|(p, _)| *p == path) {
            slot.1 = d;
        } else {
            self.mounts.push((path, d));
        }
        self
    }

    /// The dispatcher for a request target, if one is mounted there.
    #[must_use]
    pub fn resolve(&self, target: &str) -> Option<&Arc<Dispatcher>> {
        let path = path_of(target);
        self.mounts.iter().find(|(p, _)| p == path).map(|(_, d)| d)
    }

    /// The mounted paths, in mount order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.mounts.iter().map(|(p, _)| p.as_str())
    }
}

/// The path part of a request target: no query, no fragment, no scheme or
/// authority.
fn path_of(target: &str) -> &str {
    let mut t = target;
    if let Some(rest) = t
        .strip_prefix("http://")
        .or_else(|| t.strip_prefix("https://"))
    {
        t = rest.find('/').map_or("/", |i| &rest[i..]);
    }
    let end = t.find(['?', '#']).unwrap_or(t.len());
    &t[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(path_of("/RPC2"), "/RPC2");
        assert_eq!(path_of("/RPC2?a#b"), "/RPC2");
        assert_eq!(path_of("/#b"), "/");
        assert_eq!(path_of("http://h:80"), "/");
        assert_eq!(path_of("https://h/x?y"), "/x");
        assert_eq!(path_of(""), "");
    }

    #[test]
    fn mount_replaces() {
        let mut s = Site::new();
        s.mount("/a", Dispatcher::new())
            .mount("/a", Dispatcher::new());
        assert_eq!(s.paths().collect::<Vec<_>>(), ["/a"]);
        assert!(s.resolve("/b").is_none());
        assert!(Site::standard(Dispatcher::new()).resolve("/").is_some());
    }
}
