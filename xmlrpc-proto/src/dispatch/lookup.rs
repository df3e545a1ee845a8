//! [`Lookup`]: the policy that finds a procedure by name.

use std::sync::Arc;

use super::Procedure;
use crate::Fault;

/// Why a lookup found no procedure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupError {
    /// No such procedure: answered with the dispatcher's NOT_FOUND code and
    /// this string (Twisted's `NoSuchFunction`).
    NotFound(String),
    /// Answered with this fault as it is.
    Fault(Fault),
}

impl LookupError {
    /// `procedure NAME not found`: the usual [`LookupError::NotFound`].
    pub fn not_found(name: &str) -> Self {
        Self::NotFound(format!("procedure {name} not found"))
    }
}

impl From<Fault> for LookupError {
    fn from(f: Fault) -> Self {
        Self::Fault(f)
    }
}

/// Finds procedures by name: the lookup policy of a
/// [`Dispatcher`](super::Dispatcher) (Twisted's `lookupProcedure` and
/// `listProcedures`).
///
/// [`Dispatcher`](super::Dispatcher) implements it with its table of
/// registered procedures and sub-handlers. Implement it yourself to compute
/// procedures on the fly, to wrap a dispatcher (adding a fallback, access
/// rules, ...), then install it with
/// [`Dispatcher::set_lookup`](super::Dispatcher::set_lookup) or mount it as
/// a sub-handler.
///
/// ```
/// use xmlrpc_proto::Fault;
/// use xmlrpc_proto::dispatch::{Dispatcher, Lookup, LookupError, Procedure};
///
/// /// Answers every `SESSION*` name that the table lacks with fault 42.
/// struct Sessions(Dispatcher);
///
/// impl Lookup for Sessions {
///     fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError> {
///         match self.0.lookup_procedure(name) {
///             Err(LookupError::NotFound(_)) if name.starts_with("SESSION") => {
///                 Err(Fault::new(42, "Session non-existent/expired.").into())
///             }
///             other => other,
///         }
///     }
///     fn list_procedures(&self) -> Vec<String> {
///         self.0.list_procedures()
///     }
/// }
///
/// let mut table = Dispatcher::new();
/// table.register("echo", |s: String| s);
/// let mut d = Dispatcher::new();
/// d.set_lookup(Sessions(table));
/// assert!(d.lookup_procedure("echo").is_ok());
/// assert!(matches!(d.lookup_procedure("SESSION1"), Err(LookupError::Fault(f)) if f.code == 42));
/// ```
pub trait Lookup: Send + Sync + 'static {
    /// The procedure called `name`.
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] when there is none (the NOT_FOUND fault),
    /// or any fault of the lookup's own.
    fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError>;

    /// The names of every procedure, for `system.listMethods`.
    fn list_procedures(&self) -> Vec<String>;
}

impl<L: Lookup + ?Sized> Lookup for Arc<L> {
    fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError> {
        (**self).lookup_procedure(name)
    }
    fn list_procedures(&self) -> Vec<String> {
        (**self).list_procedures()
    }
}

impl<L: Lookup + ?Sized> Lookup for Box<L> {
    fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError> {
        (**self).lookup_procedure(name)
    }
    fn list_procedures(&self) -> Vec<String> {
        (**self).list_procedures()
    }
}
