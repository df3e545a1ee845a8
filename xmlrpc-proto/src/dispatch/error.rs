//! [`HandlerError`]: what a procedure may fail with besides a fault.

use std::error::Error as StdError;
use std::fmt;

use crate::Fault;

/// An error returned by a procedure.
///
/// Any `std::error::Error + Send + Sync + 'static` converts into it with `?`
/// or `.into()`, and so does a [`Fault`]. A fault reaches the caller as it
/// is; any other error is an *unexpected* error: its text goes to the log
/// (`tracing`) and the caller receives the dispatcher's FAILURE fault with
/// a generic string, so that internals never leak to clients.
///
/// ```
/// use xmlrpc_proto::Fault;
/// use xmlrpc_proto::dispatch::HandlerError;
///
/// let e: HandlerError = Fault::new(4, "four").into();
/// assert_eq!(e.as_fault(), Some(&Fault::new(4, "four")));
///
/// let e: HandlerError = std::io::Error::other("disk on fire").into();
/// assert_eq!(e.as_fault(), None);
/// assert_eq!(e.to_string(), "disk on fire");
///
/// let e = HandlerError::msg("no such user");
/// assert_eq!(e.to_string(), "no such user");
/// ```
pub struct HandlerError {
    inner: Box<dyn StdError + Send + Sync + 'static>,
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

impl HandlerError {
    /// An unexpected error with this message.
    pub fn msg(message: impl fmt::Display) -> Self {
        Self {
            inner: Box::new(Message(message.to_string())),
        }
    }

    /// Wraps a boxed error (for example one collected from several sources).
    #[must_use]
    pub fn from_boxed(inner: Box<dyn StdError + Send + Sync + 'static>) -> Self {
        Self { inner }
    }

    /// The fault, if this error is one.
    #[must_use]
    pub fn as_fault(&self) -> Option<&Fault> {
        self.inner.downcast_ref::<Fault>()
    }

    /// The fault, if this error is one; otherwise the error back.
    ///
    /// # Errors
    ///
    /// When the error is not a fault.
    pub fn into_fault(self) -> Result<Fault, Self> {
        match self.inner.downcast::<Fault>() {
            Ok(f) => Ok(*f),
            Err(inner) => Err(Self { inner }),
        }
    }

    /// The error with the chain of its sources, `: `-separated, for logs.
    #[must_use]
    pub fn chain(&self) -> String {
        let mut s = self.inner.to_string();
        let mut src = self.inner.source();
        // Bounded: a source chain is made by the program, not by input; cap
        // it anyway so a cyclic chain cannot hang the log line.
        let mut n = 0;
        while let Some(e) = src {
            if n == 16 {
                break;
            }
            s.push_str(": ");
            s.push_str(&e.to_string());
            src = e.source();
            n += 1;
        }
        s
    }
}

impl<E: StdError + Send + Sync + 'static> From<E> for HandlerError {
    fn from(e: E) -> Self {
        Self { inner: Box::new(e) }
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("outer")
        }
    }
    impl StdError for Outer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn chain_and_fault() {
        let e = HandlerError::from(Outer(std::io::Error::other("inner")));
        assert_eq!(e.chain(), "outer: inner");
        assert!(e.into_fault().is_err());
        let f = HandlerError::from(Fault::new(1, "x")).into_fault();
        assert_eq!(f.ok(), Some(Fault::new(1, "x")));
    }
}
