//! [`Procedure`]: one callable, with its help text and signatures, and the
//! traits that turn plain Rust functions and closures into one.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use super::HandlerError;
use crate::{FromValue, IntoValue, RequestHead, Value};

/// Why a call produced no value, before the dispatcher turns it into a
/// fault with its own codes.
pub(crate) enum Failure {
    /// A fault chosen by the procedure: passed on as it is.
    Fault(crate::Fault),
    /// Wrong number or types of arguments: the message names the procedure.
    BadParams(String),
    /// An unexpected error: logged, answered with a generic fault.
    Error(String),
}

impl From<HandlerError> for Failure {
    fn from(e: HandlerError) -> Self {
        match e.into_fault() {
            Ok(f) => Self::Fault(f),
            Err(e) => Self::Error(e.chain()),
        }
    }
}

pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = Result<Value, Failure>> + Send>>;

/// What invoking a handler gives: a result now, or a future.
pub(crate) enum Outcome {
    Ready(Result<Value, Failure>),
    Pending(BoxFuture),
}

/// The object-safe form of every handler.
pub(crate) trait Erased: Send + Sync + 'static {
    fn invoke(&self, head: &RequestHead, name: &str, params: Vec<Value>) -> Outcome;
}

/// What a procedure may return: a value ([`IntoValue`]), or a `Result`
/// whose error is a [`Fault`](crate::Fault) or any error (see
/// [`HandlerError`]).
pub trait IntoReply {
    /// Converts the return value.
    ///
    /// # Errors
    ///
    /// The procedure's fault or error, or a value that cannot be written.
    fn into_reply(self) -> Result<Value, HandlerError>;

    /// The XML-RPC type name of the value, for introspection signatures.
    fn xmlrpc_type() -> &'static str;
}

impl<T: IntoValue> IntoReply for T {
    fn into_reply(self) -> Result<Value, HandlerError> {
        self.into_value().map_err(HandlerError::from)
    }
    fn xmlrpc_type() -> &'static str {
        <T as IntoValue>::xmlrpc_type()
    }
}

impl<T: IntoValue, E: Into<HandlerError>> IntoReply for Result<T, E> {
    fn into_reply(self) -> Result<Value, HandlerError> {
        match self {
            Ok(v) => v.into_value().map_err(HandlerError::from),
            Err(e) => Err(e.into()),
        }
    }
    fn xmlrpc_type() -> &'static str {
        <T as IntoValue>::xmlrpc_type()
    }
}

/// The fault string for a wrong number of arguments:
/// `add: expected 2 arguments (int, int), got 3`.
pub(crate) fn count_message(name: &str, types: &[&str], got: usize) -> String {
    match types.len() {
        0 => format!("{name}: expected no arguments, got {got}"),
        // This arm has exactly one type.
        1 => format!("{name}: expected 1 argument ({}), got {got}", types[0]),
        n => format!(
            "{name}: expected {n} arguments ({}), got {got}",
            types.join(", ")
        ),
    }
}

/// The fault string for an argument of the wrong type:
/// `add: argument 1: expected int, found string` (arguments count from 1).
pub(crate) fn arg_message(name: &str, index: usize, err: &crate::ConversionError) -> String {
    format!("{name}: argument {index}: {err}")
}

struct Meta {
    help: Option<String>,
    doc: Option<String>,
    signatures: Option<Vec<Vec<String>>>,
    params: Vec<&'static str>,
    ret: &'static str,
}

/// One callable procedure: a handler plus its introspection data.
///
/// Made from a plain function or closure whose parameters implement
/// [`FromValue`] and whose return type implements [`IntoReply`]: the call's
/// params are converted in order, and a wrong count or type is answered with
/// the dispatcher's FAILURE fault naming the procedure and what it expects.
/// Cloning is cheap (two reference counts).
///
/// Usually made by [`Dispatcher::register`](super::Dispatcher::register)
/// and friends; build one directly when writing your own [`Lookup`](super::Lookup).
///
/// ```
/// use xmlrpc_proto::dispatch::Procedure;
///
/// let mut p = Procedure::new(|a: i32, b: i32| a + b);
/// p.help("Adds two numbers.").derive_signature();
/// assert_eq!(p.help_text(), "Adds two numbers.");
/// assert_eq!(p.signatures().unwrap(), [["int", "int", "int"]]);
/// ```
#[derive(Clone)]
pub struct Procedure {
    handler: Arc<dyn Erased>,
    meta: Arc<Meta>,
}

impl fmt::Debug for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Procedure")
            .field("params", &self.meta.params)
            .field("returns", &self.meta.ret)
            .field("help", &self.meta.help)
            .field("doc", &self.meta.doc)
            .field("signatures", &self.meta.signatures)
            .finish_non_exhaustive()
    }
}

impl Procedure {
    fn from_erased(handler: Arc<dyn Erased>, params: Vec<&'static str>, ret: &'static str) -> Self {
        Self {
            handler,
            meta: Arc::new(Meta {
                help: None,
                doc: None,
                signatures: None,
                params,
                ret,
            }),
        }
    }

    /// A procedure from a synchronous function `Fn(A1, ..., An) -> R`
    /// (up to 12 parameters).
    pub fn new<Args>(f: impl Handler<Args>) -> Self {
        f.into_procedure()
    }

    /// A procedure from a function returning a future
    /// `Fn(A1, ..., An) -> impl Future<Output = R> + Send + 'static`, which
    /// the runtime polls (Twisted's Deferred).
    pub fn new_async<Args>(f: impl AsyncHandler<Args>) -> Self {
        f.into_procedure()
    }

    /// A synchronous procedure that receives the HTTP request head first:
    /// `Fn(&RequestHead, A1, ..., An) -> R` (Twisted's `withRequest`).
    pub fn with_request<Args>(f: impl RequestHandler<Args>) -> Self {
        f.into_procedure()
    }

    /// An asynchronous procedure that receives the HTTP request head first:
    /// `Fn(&RequestHead, A1, ..., An) -> impl Future<Output = R>`. The head
    /// is borrowed only while the function runs: clone what the future
    /// needs.
    pub fn async_with_request<Args>(f: impl AsyncRequestHandler<Args>) -> Self {
        f.into_procedure()
    }

    /// A procedure that takes its params as they came, any number of them:
    /// `Fn(&RequestHead, Vec<Value>) -> R`.
    ///
    /// ```
    /// use xmlrpc_proto::Value;
    /// use xmlrpc_proto::dispatch::Procedure;
    ///
    /// let count = Procedure::variadic(|_head, params: Vec<Value>| params.len() as i32);
    /// # let _ = count;
    /// ```
    pub fn variadic<F, R>(f: F) -> Self
    where
        F: Fn(&RequestHead, Vec<Value>) -> R + Send + Sync + 'static,
        R: IntoReply + 'static,
    {
        struct Variadic<F>(F);
        impl<F, R> Erased for Variadic<F>
        where
            F: Fn(&RequestHead, Vec<Value>) -> R + Send + Sync + 'static,
            R: IntoReply + 'static,
        {
            fn invoke(&self, head: &RequestHead, _name: &str, params: Vec<Value>) -> Outcome {
                Outcome::Ready((self.0)(head, params).into_reply().map_err(Failure::from))
            }
        }
        Self::from_erased(Arc::new(Variadic(f)), Vec::new(), R::xmlrpc_type())
    }

    fn meta_mut(&mut self) -> &mut Meta {
        if Arc::get_mut(&mut self.meta).is_none() {
            let m = &*self.meta;
            self.meta = Arc::new(Meta {
                help: m.help.clone(),
                doc: m.doc.clone(),
                signatures: m.signatures.clone(),
                params: m.params.clone(),
                ret: m.ret,
            });
        }
        // Just made unique above when it was shared.
        Arc::get_mut(&mut self.meta).expect("meta is uniquely owned here")
    }

    /// Sets the help text returned by `system.methodHelp` (Twisted's
    /// `help` attribute). It takes precedence over the doc text.
    pub fn help(&mut self, text: impl Into<String>) -> &mut Self {
        self.meta_mut().help = Some(text.into());
        self
    }

    /// Sets the doc text: the help returned when no help text is set
    /// (Twisted's docstring). The `#[xmlrpc]` macro sets it from the doc
    /// comment. Surrounding whitespace is trimmed when it is served.
    pub fn doc(&mut self, text: impl Into<String>) -> &mut Self {
        self.meta_mut().doc = Some(text.into());
        self
    }

    /// Sets the signatures returned by `system.methodSignature`: each one
    /// is `[return type, param types...]`.
    ///
    /// ```
    /// # use xmlrpc_proto::dispatch::Procedure;
    /// # use xmlrpc_proto::Value;
    /// let mut p = Procedure::new(|a: Value, b: Value| vec![a, b]);
    /// p.signature([["int", "int", "int"], ["double", "double", "double"]]);
    /// assert_eq!(p.signatures().unwrap().len(), 2);
    /// ```
    pub fn signature<S, I, T>(&mut self, signatures: S) -> &mut Self
    where
        S: IntoIterator<Item = I>,
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.meta_mut().signatures = Some(
            signatures
                .into_iter()
                .map(|s| s.into_iter().map(Into::into).collect())
                .collect(),
        );
        self
    }

    /// Sets the signature to the one derived from the Rust types:
    /// `[[return type, param types...]]`.
    pub fn derive_signature(&mut self) -> &mut Self {
        let m = self.meta_mut();
        let mut sig = Vec::with_capacity(m.params.len() + 1);
        sig.push(m.ret.to_owned());
        sig.extend(m.params.iter().map(|&p| p.to_owned()));
        m.signatures = Some(vec![sig]);
        self
    }

    /// The help text: the help if set, else the doc text, else `""`,
    /// trimmed.
    #[must_use]
    pub fn help_text(&self) -> &str {
        self.meta
            .help
            .as_deref()
            .or(self.meta.doc.as_deref())
            .unwrap_or("")
            .trim()
    }

    /// The signatures, if any were set.
    #[must_use]
    pub fn signatures(&self) -> Option<&[Vec<String>]> {
        self.meta.signatures.as_deref()
    }

    /// The XML-RPC types of the parameters, from the Rust types (empty for
    /// a variadic procedure).
    #[must_use]
    pub fn param_types(&self) -> &[&'static str] {
        &self.meta.params
    }

    /// The XML-RPC type of the return value, from the Rust type.
    #[must_use]
    pub fn return_type(&self) -> &'static str {
        self.meta.ret
    }

    pub(crate) fn invoke(&self, head: &RequestHead, name: &str, params: Vec<Value>) -> Outcome {
        self.handler.invoke(head, name, params)
    }
}

/// A synchronous function usable as a procedure: `Fn(A1, ..., An) -> R`
/// with every `Ai: FromValue` and `R: IntoReply`, for 0 to 12 parameters.
/// `Args` is the tuple of parameter types; it only guides inference.
pub trait Handler<Args>: Send + Sync + Sized + 'static {
    /// Wraps the function.
    fn into_procedure(self) -> Procedure;
}

/// A function returning a future, usable as a procedure:
/// `Fn(A1, ..., An) -> Fut` with `Fut: Future<Output = R> + Send + 'static`.
pub trait AsyncHandler<Args>: Send + Sync + Sized + 'static {
    /// Wraps the function.
    fn into_procedure(self) -> Procedure;
}

/// A synchronous function that receives the request head first:
/// `Fn(&RequestHead, A1, ..., An) -> R`.
pub trait RequestHandler<Args>: Send + Sync + Sized + 'static {
    /// Wraps the function.
    fn into_procedure(self) -> Procedure;
}

/// A function returning a future that receives the request head first:
/// `Fn(&RequestHead, A1, ..., An) -> Fut`.
pub trait AsyncRequestHandler<Args>: Send + Sync + Sized + 'static {
    /// Wraps the function.
    fn into_procedure(self) -> Procedure;
}

struct Wrap<F, M> {
    f: F,
    _m: PhantomData<fn() -> M>,
}

struct SyncPlain;
struct AsyncPlain;
struct SyncReq;
struct AsyncReq;

macro_rules! convert_args {
    ($name:ident, $params:ident; $($A:ident $a:ident),*) => {
        let types: &[&'static str] = &[$(<$A as FromValue>::xmlrpc_type()),*];
        if $params.len() != types.len() {
            return Outcome::Ready(Err(Failure::BadParams(count_message(
                $name,
                types,
                $params.len(),
            ))));
        }
        #[allow(unused_mut, unused_variables)]
        let mut it = $params.into_iter();
        #[allow(unused_mut, unused_variables)]
        let mut index = 0usize;
        $(
            index += 1;
            // The count was checked above, so there is one more param.
            let $a = match <$A as FromValue>::from_value(it.next().unwrap_or(Value::Nil)) {
                Ok(v) => v,
                Err(e) => {
                    return Outcome::Ready(Err(Failure::BadParams(arg_message($name, index, &e))));
                }
            };
        )*
    };
}

macro_rules! impl_handlers {
    ($($A:ident $a:ident),*) => {
        impl<F, R, $($A,)*> Handler<($($A,)*)> for F
        where
            F: Fn($($A),*) -> R + Send + Sync + 'static,
            R: IntoReply + 'static,
            $($A: FromValue + 'static,)*
        {
            fn into_procedure(self) -> Procedure {
                Procedure::from_erased(
                    Arc::new(Wrap::<F, (SyncPlain, R, $($A,)*)> { f: self, _m: PhantomData }),
                    vec![$(<$A as FromValue>::xmlrpc_type()),*],
                    R::xmlrpc_type(),
                )
            }
        }

        impl<F, R, $($A,)*> Erased for Wrap<F, (SyncPlain, R, $($A,)*)>
        where
            F: Fn($($A),*) -> R + Send + Sync + 'static,
            R: IntoReply + 'static,
            $($A: FromValue + 'static,)*
        {
            fn invoke(&self, _head: &RequestHead, name: &str, params: Vec<Value>) -> Outcome {
                convert_args!(name, params; $($A $a),*);
                Outcome::Ready((self.f)($($a),*).into_reply().map_err(Failure::from))
            }
        }

        impl<F, Fut, $($A,)*> AsyncHandler<($($A,)*)> for F
        where
            F: Fn($($A),*) -> Fut + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoReply,
            $($A: FromValue + 'static,)*
        {
            fn into_procedure(self) -> Procedure {
                Procedure::from_erased(
                    Arc::new(Wrap::<F, (AsyncPlain, Fut, $($A,)*)> { f: self, _m: PhantomData }),
                    vec![$(<$A as FromValue>::xmlrpc_type()),*],
                    <Fut::Output as IntoReply>::xmlrpc_type(),
                )
            }
        }

        impl<F, Fut, $($A,)*> Erased for Wrap<F, (AsyncPlain, Fut, $($A,)*)>
        where
            F: Fn($($A),*) -> Fut + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoReply,
            $($A: FromValue + 'static,)*
        {
            fn invoke(&self, _head: &RequestHead, name: &str, params: Vec<Value>) -> Outcome {
                convert_args!(name, params; $($A $a),*);
                let fut = (self.f)($($a),*);
                Outcome::Pending(Box::pin(async move {
                    fut.await.into_reply().map_err(Failure::from)
                }))
            }
        }

        impl<F, R, $($A,)*> RequestHandler<($($A,)*)> for F
        where
            F: Fn(&RequestHead, $($A),*) -> R + Send + Sync + 'static,
            R: IntoReply + 'static,
            $($A: FromValue + 'static,)*
        {
            fn into_procedure(self) -> Procedure {
                Procedure::from_erased(
                    Arc::new(Wrap::<F, (SyncReq, R, $($A,)*)> { f: self, _m: PhantomData }),
                    vec![$(<$A as FromValue>::xmlrpc_type()),*],
                    R::xmlrpc_type(),
                )
            }
        }

        impl<F, R, $($A,)*> Erased for Wrap<F, (SyncReq, R, $($A,)*)>
        where
            F: Fn(&RequestHead, $($A),*) -> R + Send + Sync + 'static,
            R: IntoReply + 'static,
            $($A: FromValue + 'static,)*
        {
            fn invoke(&self, head: &RequestHead, name: &str, params: Vec<Value>) -> Outcome {
                convert_args!(name, params; $($A $a),*);
                Outcome::Ready((self.f)(head, $($a),*).into_reply().map_err(Failure::from))
            }
        }

        impl<F, Fut, $($A,)*> AsyncRequestHandler<($($A,)*)> for F
        where
            F: Fn(&RequestHead, $($A),*) -> Fut + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoReply,
            $($A: FromValue + 'static,)*
        {
            fn into_procedure(self) -> Procedure {
                Procedure::from_erased(
                    Arc::new(Wrap::<F, (AsyncReq, Fut, $($A,)*)> { f: self, _m: PhantomData }),
                    vec![$(<$A as FromValue>::xmlrpc_type()),*],
                    <Fut::Output as IntoReply>::xmlrpc_type(),
                )
            }
        }

        impl<F, Fut, $($A,)*> Erased for Wrap<F, (AsyncReq, Fut, $($A,)*)>
        where
            F: Fn(&RequestHead, $($A),*) -> Fut + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoReply,
            $($A: FromValue + 'static,)*
        {
            fn invoke(&self, head: &RequestHead, name: &str, params: Vec<Value>) -> Outcome {
                convert_args!(name, params; $($A $a),*);
                let fut = (self.f)(head, $($a),*);
                Outcome::Pending(Box::pin(async move {
                    fut.await.into_reply().map_err(Failure::from)
                }))
            }
        }
    };
}

impl_handlers!();
impl_handlers!(A1 a1);
impl_handlers!(A1 a1, A2 a2);
impl_handlers!(A1 a1, A2 a2, A3 a3);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8, A9 a9);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8, A9 a9, A10 a10);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8, A9 a9, A10 a10, A11 a11);
impl_handlers!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8, A9 a9, A10 a10, A11 a11, A12 a12);
