//! [`Reply`]: the future a dispatched call gives the runtime.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::observe::CallObserver;
use super::procedure::{BoxFuture, Failure};
use crate::{Fault, Struct, Value};

/// The fault string of an unexpected error: the details go to the log,
/// never to the caller (Twisted answers the same).
pub(crate) const GENERIC_FAILURE: &str = "error";

/// The outcome of a dispatched call: a future of `Result<Value, Fault>`.
///
/// A synchronous procedure's reply is ready at once ([`Reply::is_ready`],
/// [`Reply::into_ready`]: no polling and no allocation needed); an
/// asynchronous one completes when polled by the runtime's executor (or any
/// other way of polling a future). The reply never panics: a panic inside a
/// procedure, while it is called or while its future is polled, is caught,
/// logged with `tracing`, and turned into the FAILURE fault.
///
/// The reply owns everything it needs (`'static`, `Send`, `Unpin`), so it
/// can be moved to another task or thread.
///
/// A reply from [`Dispatcher::call`](super::Dispatcher::call) that has to
/// be polled carries the call's `tracing` span (entered on each poll) and,
/// with the `metrics` feature, the clock of its duration histogram: both
/// end when the result is returned, or when the reply is dropped.
#[must_use = "a reply does nothing unless its result is taken or it is polled"]
pub struct Reply {
    state: State,
    /// The observation of a call still to be polled to its end; `None` for
    /// a reply that is ready or not made by `Dispatcher::call`.
    observer: Option<Box<CallObserver>>,
}

enum State {
    Ready(Option<Result<Value, Fault>>),
    Pending {
        fut: BoxFuture,
        name: Box<str>,
        failure_code: i32,
    },
    Multi {
        parts: Vec<Slot>,
    },
}

enum Slot {
    Waiting(Reply),
    Done(Value),
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Ready(r) => f.debug_tuple("Reply::Ready").field(r).finish(),
            State::Pending { name, .. } => f.debug_tuple("Reply::Pending").field(name).finish(),
            State::Multi { parts } => f
                .debug_struct("Reply::Multicall")
                .field("calls", &parts.len())
                .finish(),
        }
    }
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "non-string panic payload"
    }
}

/// Turns a failure into the fault the caller sees, logging unexpected
/// errors.
pub(crate) fn to_fault(name: &str, failure_code: i32, failure: Failure) -> Fault {
    match failure {
        Failure::Fault(f) => f,
        Failure::BadParams(msg) => Fault::new(failure_code, msg),
        Failure::Error(detail) => {
            tracing::error!(procedure = name, error = %detail, "procedure failed");
            Fault::new(failure_code, GENERIC_FAILURE)
        }
    }
}

pub(crate) fn panicked(
    name: &str,
    failure_code: i32,
    payload: &(dyn std::any::Any + Send),
) -> Fault {
    tracing::error!(
        procedure = name,
        panic = panic_message(payload),
        "procedure panicked"
    );
    Fault::new(failure_code, GENERIC_FAILURE)
}

impl Reply {
    /// A reply that is ready with this result.
    pub fn ready(result: Result<Value, Fault>) -> Self {
        Self {
            state: State::Ready(Some(result)),
            observer: None,
        }
    }

    /// A reply that is ready with this fault.
    pub fn fault(fault: Fault) -> Self {
        Self::ready(Err(fault))
    }

    pub(crate) fn pending(fut: BoxFuture, name: &str, failure_code: i32) -> Self {
        Self {
            state: State::Pending {
                fut,
                name: name.into(),
                failure_code,
            },
            observer: None,
        }
    }

    /// A `system.multicall` reply: each part's value wrapped in a
    /// one-element array, each fault as a `{faultCode, faultString}` struct.
    pub(crate) fn multi(parts: Vec<Self>) -> Self {
        let mut r = Self {
            state: State::Multi {
                parts: parts.into_iter().map(Slot::Waiting).collect(),
            },
            observer: None,
        };
        r.settle_multi();
        r
    }

    /// Whether the result is available without polling.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        matches!(self.state, State::Ready(Some(_)))
    }

    /// The result if it is available without polling, else the reply back
    /// (to be polled).
    ///
    /// # Errors
    ///
    /// The reply itself when it still has to be polled.
    pub fn into_ready(self) -> Result<Result<Value, Fault>, Self> {
        match self.state {
            State::Ready(Some(r)) => Ok(r),
            state => Err(Self {
                state,
                observer: self.observer,
            }),
        }
    }

    /// Ties `observer` to this reply: it ends now when the result is known,
    /// else when the result is returned by a poll.
    pub(crate) fn observed(mut self, observer: CallObserver) -> Self {
        match &self.state {
            State::Ready(Some(result)) => observer.finish(result),
            _ => self.observer = Some(Box::new(observer)),
        }
        self
    }

    /// Moves finished multicall parts into values; becomes ready when all are.
    fn settle_multi(&mut self) {
        let State::Multi { parts } = &mut self.state else {
            return;
        };
        for slot in parts.iter_mut() {
            let done = match slot {
                Slot::Waiting(Self {
                    state: State::Ready(res),
                    ..
                }) => res.take(),
                _ => None,
            };
            if let Some(res) = done {
                *slot = Slot::Done(multicall_entry(res));
            }
        }
        if parts.iter().all(|s| matches!(s, Slot::Done(_))) {
            let values = std::mem::take(parts)
                .into_iter()
                .map(|s| match s {
                    Slot::Done(v) => v,
                    // Every slot was checked to be done.
                    Slot::Waiting(_) => Value::Nil,
                })
                .collect();
            self.state = State::Ready(Some(Ok(Value::Array(values))));
        }
    }
}

/// One `system.multicall` result entry.
pub(crate) fn multicall_entry(res: Result<Value, Fault>) -> Value {
    match res {
        Ok(v) => Value::Array(vec![v]),
        Err(f) => {
            let mut s = Struct::with_capacity(2);
            s.insert("faultCode", Value::Int(f.code));
            s.insert("faultString", Value::String(f.string));
            Value::Struct(s)
        }
    }
}

impl Future for Reply {
    type Output = Result<Value, Fault>;

    /// # Panics
    ///
    /// When polled again after it returned `Ready`, like most futures.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some(observer) = this.observer.take() else {
            return this.poll_state(cx);
        };
        let polled = {
            let _entered = observer.span().enter();
            this.poll_state(cx)
        };
        match &polled {
            Poll::Ready(result) => observer.finish(result),
            Poll::Pending => this.observer = Some(observer),
        }
        polled
    }
}

impl Reply {
    /// Polls the state machine, without the observer.
    fn poll_state(&mut self, cx: &mut Context<'_>) -> Poll<Result<Value, Fault>> {
        let this = self;
        match &mut this.state {
            State::Ready(r) => match r.take() {
                Some(r) => Poll::Ready(r),
                None => panic!("Reply polled after completion"),
            },
            State::Pending {
                fut,
                name,
                failure_code,
            } => {
                let polled = catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx)));
                let result = match polled {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(Ok(v))) => Ok(v),
                    Ok(Poll::Ready(Err(failure))) => Err(to_fault(name, *failure_code, failure)),
                    Err(payload) => Err(panicked(name, *failure_code, &*payload)),
                };
                this.state = State::Ready(None);
                Poll::Ready(result)
            }
            State::Multi { parts } => {
                for slot in parts.iter_mut() {
                    if let Slot::Waiting(r) = slot {
                        if let Poll::Ready(res) = Pin::new(r).poll(cx) {
                            *slot = Slot::Done(multicall_entry(res));
                        }
                    }
                }
                this.settle_multi();
                match &mut this.state {
                    State::Ready(r) => match r.take() {
                        Some(r) => Poll::Ready(r),
                        None => Poll::Pending,
                    },
                    _ => Poll::Pending,
                }
            }
        }
    }
}
