//! What a call leaves behind for observers: a `tracing` span and (feature
//! `metrics`) a duration histogram, named after OpenTelemetry's RPC
//! conventions.
//!
//! [`Dispatcher::call`](super::Dispatcher::call) opens one span per call,
//! named `xmlrpc.call`, at level `INFO`:
//!
//! | field | value |
//! |---|---|
//! | `rpc.system.name` | `"xmlrpc"` |
//! | `rpc.method` | the method name, as called |
//! | `rpc.xmlrpc.fault_code` | the fault code, when the call ends in a fault |
//!
//! The procedure runs inside the span, and so does every poll of an
//! asynchronous procedure's future: its events and child spans nest under
//! the call. The span closes when the result is known (or the reply is
//! dropped). A `system.multicall` is one call, of method
//! `system.multicall`.
//!
//! With the opt-in `metrics` feature, each call also records
//! its duration in seconds (`f64`), from the start of `call` until the
//! result is known, in the histogram `rpc.server.call.duration` of the
//! [`metrics`](https://docs.rs/metrics) facade, with labels
//!
//! | label | value |
//! |---|---|
//! | `rpc.system.name` | `"xmlrpc"` |
//! | `rpc.method` | the method name |
//! | `error.type` | `"fault"` when the call ended in a fault, `"cancelled"` when its reply was dropped before it completed; absent on success |
//! | `rpc.xmlrpc.fault_code` | the fault code, in decimal, with `error.type = "fault"` |
//!
//! Method names come from the caller: a server exposed to clients that call
//! many unknown names may want a recorder that bounds the label values it
//! keeps.
//!
//! Without a `tracing` subscriber, the span costs a check of the callsite's
//! interest (plus one allocation for a reply that has to be polled).
//! Without a `metrics` recorder, the histogram still costs two clock reads
//! and building its labelled key (one allocation) per call, which is why the
//! feature is off unless asked for. The clock is read only to
//! measure: nothing the dispatcher decides depends on it.
//!
//! The names, for recorders and subscribers that look for them:
//!
//! ```
//! use xmlrpc_proto::dispatch::observe::{DURATION_METRIC, SPAN_NAME, SYSTEM_NAME};
//!
//! assert_eq!(SPAN_NAME, "xmlrpc.call");
//! assert_eq!(SYSTEM_NAME, "xmlrpc");
//! assert_eq!(DURATION_METRIC, "rpc.server.call.duration");
//! ```
//!
//! The `metrics` example of xmlrpc-tokio serves the histogram as a
//! Prometheus page with a recorder of a hundred lines.

#[cfg(feature = "metrics")]
use std::time::Instant;

use tracing::Span;

use crate::{Fault, Value};

/// The name of the span of a call.
pub const SPAN_NAME: &str = "xmlrpc.call";
/// The value of the `rpc.system.name` span field and metric label.
pub const SYSTEM_NAME: &str = "xmlrpc";
/// The name of the call duration histogram (seconds), recorded with the
/// `metrics` feature.
pub const DURATION_METRIC: &str = "rpc.server.call.duration";

/// One call being observed: its span, and when it started.
pub(crate) struct CallObserver {
    span: Span,
    #[cfg(feature = "metrics")]
    start: Instant,
    /// The method name, moved into the metric's label at the end.
    method: String,
    done: bool,
}

impl CallObserver {
    /// Opens the span of a call to `method` and starts its clock.
    pub(crate) fn start(method: String) -> Self {
        // The same text as `SPAN_NAME` (a span's name must be a literal).
        let span = tracing::info_span!(
            "xmlrpc.call",
            rpc.system.name = SYSTEM_NAME,
            rpc.method = method.as_str(),
            rpc.xmlrpc.fault_code = tracing::field::Empty,
        );
        Self {
            span,
            #[cfg(feature = "metrics")]
            start: Instant::now(),
            method,
            done: false,
        }
    }

    /// The call's span, to enter while the procedure runs.
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// The method name.
    pub(crate) fn method(&self) -> &str {
        &self.method
    }

    /// Records how the call ended and closes its span.
    pub(crate) fn finish(mut self, result: &Result<Value, Fault>) {
        self.done = true;
        let fault_code = result.as_ref().err().map(|f| f.code);
        if let Some(code) = fault_code {
            self.span.record("rpc.xmlrpc.fault_code", code);
        }
        #[cfg(feature = "metrics")]
        self.record(fault_code.map_or(Ending::Ok, Ending::Fault));
    }

    #[cfg(feature = "metrics")]
    fn record(&mut self, ending: Ending) {
        use metrics::Label;

        let seconds = self.start.elapsed().as_secs_f64();
        let mut labels = Vec::with_capacity(4);
        labels.push(Label::from_static_parts("rpc.system.name", SYSTEM_NAME));
        labels.push(Label::new("rpc.method", std::mem::take(&mut self.method)));
        match ending {
            Ending::Ok => {}
            Ending::Fault(code) => {
                labels.push(Label::from_static_parts("error.type", "fault"));
                labels.push(Label::new("rpc.xmlrpc.fault_code", code.to_string()));
            }
            Ending::Cancelled => labels.push(Label::from_static_parts("error.type", "cancelled")),
        }
        metrics::histogram!(DURATION_METRIC, labels).record(seconds);
    }
}

impl Drop for CallObserver {
    /// A reply dropped before it completed (the connection went away): the
    /// call is recorded as cancelled.
    fn drop(&mut self) {
        if !self.done {
            #[cfg(feature = "metrics")]
            self.record(Ending::Cancelled);
        }
    }
}

/// How a call ended, for the metric's labels.
#[cfg(feature = "metrics")]
#[derive(Clone, Copy)]
enum Ending {
    Ok,
    Fault(i32),
    Cancelled,
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::fmt;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;
    use crate::dispatch::{Dispatcher, Reply};
    use crate::{MethodCall, RequestHead, Struct};

    /// A span as the test subscriber saw it.
    #[derive(Clone, Debug, Default)]
    struct SeenSpan {
        name: &'static str,
        fields: BTreeMap<String, String>,
        closed: bool,
    }

    #[derive(Default)]
    struct Seen {
        spans: Vec<SeenSpan>,
        /// Each event's message and the span it happened in (by index).
        events: Vec<(String, Option<usize>)>,
    }

    /// Keeps every span with its fields, and every event with its span.
    #[derive(Clone, Default)]
    struct TestSubscriber {
        seen: Arc<Mutex<Seen>>,
    }

    thread_local! {
        static ENTERED: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    }

    struct Fields<'a>(&'a mut BTreeMap<String, String>);

    impl Visit for Fields<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_owned(), value.to_owned());
        }
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }
    }

    impl TestSubscriber {
        fn spans(&self) -> Vec<SeenSpan> {
            self.seen.lock().unwrap().spans.clone()
        }
        fn events(&self) -> Vec<(String, Option<usize>)> {
            self.seen.lock().unwrap().events.clone()
        }
    }

    fn index(id: &Id) -> usize {
        usize::try_from(id.into_u64() - 1).unwrap()
    }

    impl Subscriber for TestSubscriber {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut seen = self.seen.lock().unwrap();
            let mut s = SeenSpan {
                name: span.metadata().name(),
                ..SeenSpan::default()
            };
            span.record(&mut Fields(&mut s.fields));
            seen.spans.push(s);
            Id::from_u64(seen.spans.len() as u64)
        }
        fn record(&self, span: &Id, values: &Record<'_>) {
            let mut seen = self.seen.lock().unwrap();
            values.record(&mut Fields(&mut seen.spans[index(span)].fields));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut fields = BTreeMap::new();
            event.record(&mut Fields(&mut fields));
            let message = fields.remove("message").unwrap_or_default();
            let current = ENTERED.with(|e| e.borrow().last().copied());
            self.seen.lock().unwrap().events.push((message, current));
        }
        fn enter(&self, span: &Id) {
            ENTERED.with(|e| e.borrow_mut().push(index(span)));
        }
        fn exit(&self, _: &Id) {
            ENTERED.with(|e| e.borrow_mut().pop());
        }
        fn try_close(&self, id: Id) -> bool {
            self.seen.lock().unwrap().spans[index(&id)].closed = true;
            true
        }
    }

    /// Each histogram value recorded, with its name and labels.
    type Recorded = Vec<(String, BTreeMap<String, String>, f64)>;

    /// Records every histogram value with its name and labels.
    #[cfg(feature = "metrics")]
    #[derive(Clone, Default)]
    struct TestRecorder {
        values: Arc<Mutex<Recorded>>,
    }

    #[cfg(feature = "metrics")]
    struct Handle {
        key: metrics::Key,
        values: Arc<Mutex<Recorded>>,
    }

    #[cfg(feature = "metrics")]
    impl metrics::HistogramFn for Handle {
        fn record(&self, value: f64) {
            let labels = self
                .key
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            let name = self.key.name().to_owned();
            self.values.lock().unwrap().push((name, labels, value));
        }
    }

    #[cfg(feature = "metrics")]
    impl metrics::Recorder for TestRecorder {
        fn describe_counter(
            &self,
            _: metrics::KeyName,
            _: Option<metrics::Unit>,
            _: metrics::SharedString,
        ) {
        }
        fn describe_gauge(
            &self,
            _: metrics::KeyName,
            _: Option<metrics::Unit>,
            _: metrics::SharedString,
        ) {
        }
        fn describe_histogram(
            &self,
            _: metrics::KeyName,
            _: Option<metrics::Unit>,
            _: metrics::SharedString,
        ) {
        }
        fn register_counter(
            &self,
            _: &metrics::Key,
            _: &metrics::Metadata<'_>,
        ) -> metrics::Counter {
            metrics::Counter::noop()
        }
        fn register_gauge(&self, _: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Gauge {
            metrics::Gauge::noop()
        }
        fn register_histogram(
            &self,
            key: &metrics::Key,
            _: &metrics::Metadata<'_>,
        ) -> metrics::Histogram {
            metrics::Histogram::from_arc(Arc::new(Handle {
                key: key.clone(),
                values: Arc::clone(&self.values),
            }))
        }
    }

    #[cfg(feature = "metrics")]
    impl TestRecorder {
        fn values(&self) -> Recorded {
            self.values.lock().unwrap().clone()
        }
    }

    /// Pending on the first poll (waking itself), then ready; logs each poll.
    struct Later<T>(Option<T>, bool);

    impl<T: Unpin> Future for Later<T> {
        type Output = T;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
            tracing::info!("polled");
            if self.1 {
                Poll::Ready(self.0.take().expect("not polled after completion"))
            } else {
                self.1 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    fn dispatcher() -> Dispatcher {
        let mut d = Dispatcher::new();
        d.register("add", |a: i32, b: i32| {
            tracing::info!("adding");
            a + b
        });
        d.register_async("later", |x: i32| Later(Some(x), false));
        d.register_async("laterFault", || {
            Later(Some(Err::<i32, _>(Fault::new(17, "hi"))), false)
        });
        d.enable_multicall(10);
        d
    }

    fn call(d: &Dispatcher, name: &str, params: Vec<Value>) -> Reply {
        d.call(
            &RequestHead::new("POST", "/"),
            MethodCall::new(name, params),
        )
    }

    fn poll(reply: &mut Reply) -> Poll<Result<Value, Fault>> {
        Pin::new(reply).poll(&mut Context::from_waker(Waker::noop()))
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The test subscriber and recorder.
    #[derive(Default)]
    struct Probe {
        sub: TestSubscriber,
        #[cfg(feature = "metrics")]
        rec: TestRecorder,
    }

    impl Probe {
        fn spans(&self) -> Vec<SeenSpan> {
            self.sub.spans()
        }

        fn events(&self) -> Vec<(String, Option<usize>)> {
            self.sub.events()
        }

        fn recorded(&self) -> Recorded {
            #[cfg(feature = "metrics")]
            return self.rec.values();
            #[cfg(not(feature = "metrics"))]
            Vec::new()
        }

        /// Checks the one histogram value recorded (none without the
        /// feature).
        fn assert_histogram(&self, labels: &[(&str, &str)]) {
            let recorded = self.recorded();
            if cfg!(feature = "metrics") {
                assert_eq!(recorded.len(), 1, "{recorded:?}");
                let (name, got, seconds) = &recorded[0];
                assert_eq!(name, DURATION_METRIC);
                assert_eq!(got, &fields(labels));
                assert!(seconds.is_finite() && *seconds >= 0.0, "{seconds}");
            } else {
                assert!(recorded.is_empty());
            }
        }
    }

    /// Runs `f` with the test subscriber (and recorder) installed on this
    /// thread only.
    fn observed<T>(f: impl FnOnce(&Probe) -> T) -> (T, Probe) {
        let probe = Probe::default();
        let out = tracing::subscriber::with_default(probe.sub.clone(), || {
            #[cfg(feature = "metrics")]
            return metrics::with_local_recorder(&probe.rec, || f(&probe));
            #[cfg(not(feature = "metrics"))]
            f(&probe)
        });
        (out, probe)
    }

    const ADD: &[(&str, &str)] = &[("rpc.method", "add"), ("rpc.system.name", "xmlrpc")];

    #[test]
    fn a_ready_call_has_a_span_and_a_duration() {
        let d = dispatcher();
        let (result, probe) =
            observed(|_| call(&d, "add", vec![Value::Int(2), Value::Int(3)]).into_ready());
        assert_eq!(result.unwrap(), Ok(Value::Int(5)));
        let spans = probe.spans();
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert_eq!(spans[0].name, SPAN_NAME);
        assert_eq!(spans[0].fields, fields(ADD));
        assert!(spans[0].closed);
        // The procedure ran inside the call's span.
        assert_eq!(probe.events(), [("adding".to_owned(), Some(0))]);
        probe.assert_histogram(ADD);
    }

    #[test]
    fn a_fault_is_recorded_on_the_span_and_the_histogram() {
        let d = dispatcher();
        let (result, probe) = observed(|_| call(&d, "nope", vec![]).into_ready());
        assert_eq!(result.unwrap().unwrap_err().code, 8001);
        let spans = probe.spans();
        assert_eq!(
            spans[0].fields,
            fields(&[
                ("rpc.method", "nope"),
                ("rpc.system.name", "xmlrpc"),
                ("rpc.xmlrpc.fault_code", "8001"),
            ])
        );
        assert!(spans[0].closed);
        probe.assert_histogram(&[
            ("error.type", "fault"),
            ("rpc.method", "nope"),
            ("rpc.system.name", "xmlrpc"),
            ("rpc.xmlrpc.fault_code", "8001"),
        ]);
    }

    #[test]
    fn a_pending_call_is_observed_until_it_completes() {
        let d = dispatcher();
        let (second, probe) = observed(|probe| {
            let mut reply = call(&d, "later", vec![Value::Int(7)]);
            assert!(!reply.is_ready());
            assert_eq!(poll(&mut reply), Poll::Pending);
            // Still running: the span is open and nothing is recorded.
            assert!(!probe.spans()[0].closed);
            assert!(probe.recorded().is_empty());
            poll(&mut reply)
        });
        assert_eq!(second, Poll::Ready(Ok(Value::Int(7))));
        let spans = probe.spans();
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert_eq!(
            spans[0].fields,
            fields(&[("rpc.method", "later"), ("rpc.system.name", "xmlrpc")])
        );
        assert!(spans[0].closed);
        // Both polls of the future ran inside the call's span.
        let polled = ("polled".to_owned(), Some(0));
        assert_eq!(probe.events(), [polled.clone(), polled]);
        probe.assert_histogram(&[("rpc.method", "later"), ("rpc.system.name", "xmlrpc")]);
    }

    #[test]
    fn a_pending_fault_is_recorded_when_it_completes() {
        let d = dispatcher();
        let (result, probe) = observed(|_| {
            let mut reply = call(&d, "laterFault", vec![]);
            assert_eq!(poll(&mut reply), Poll::Pending);
            poll(&mut reply)
        });
        assert_eq!(result, Poll::Ready(Err(Fault::new(17, "hi"))));
        let spans = probe.spans();
        assert_eq!(spans[0].fields["rpc.xmlrpc.fault_code"], "17");
        assert!(spans[0].closed);
        probe.assert_histogram(&[
            ("error.type", "fault"),
            ("rpc.method", "laterFault"),
            ("rpc.system.name", "xmlrpc"),
            ("rpc.xmlrpc.fault_code", "17"),
        ]);
    }

    #[test]
    fn a_reply_dropped_while_pending_is_cancelled() {
        let d = dispatcher();
        let ((), probe) = observed(|_| {
            let mut reply = call(&d, "later", vec![Value::Int(1)]);
            assert_eq!(poll(&mut reply), Poll::Pending);
            // Not yet polled: the reply may move (here: into `into_ready`)
            // and keep its observation.
            let reply = reply.into_ready().unwrap_err();
            drop(reply);
        });
        let spans = probe.spans();
        assert!(spans[0].closed);
        assert!(!spans[0].fields.contains_key("rpc.xmlrpc.fault_code"));
        probe.assert_histogram(&[
            ("error.type", "cancelled"),
            ("rpc.method", "later"),
            ("rpc.system.name", "xmlrpc"),
        ]);
    }

    #[test]
    fn a_multicall_is_one_call() {
        let d = dispatcher();
        let entry = |name: &str, params: Vec<Value>| {
            let mut s = Struct::new();
            s.insert("methodName", name);
            s.insert("params", Value::Array(params));
            Value::Struct(s)
        };
        let calls = Value::Array(vec![
            entry("add", vec![Value::Int(1), Value::Int(2)]),
            entry("later", vec![Value::Int(3)]),
        ]);
        let (result, probe) = observed(|_| {
            let mut reply = call(&d, "system.multicall", vec![calls]);
            assert_eq!(poll(&mut reply), Poll::Pending);
            poll(&mut reply)
        });
        let Poll::Ready(Ok(Value::Array(entries))) = result else {
            panic!("{result:?}");
        };
        assert_eq!(entries.len(), 2);
        let spans = probe.spans();
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert_eq!(spans[0].fields["rpc.method"], "system.multicall");
        // The parts ran inside the multicall's span.
        assert!(probe.events().iter().all(|(_, span)| *span == Some(0)));
        probe.assert_histogram(&[
            ("rpc.method", "system.multicall"),
            ("rpc.system.name", "xmlrpc"),
        ]);
    }

    #[test]
    fn without_a_subscriber_or_recorder_calls_still_work() {
        let d = dispatcher();
        assert_eq!(
            call(&d, "add", vec![Value::Int(1), Value::Int(1)])
                .into_ready()
                .unwrap(),
            Ok(Value::Int(2))
        );
        let mut reply = call(&d, "later", vec![Value::Int(4)]);
        assert_eq!(poll(&mut reply), Poll::Pending);
        assert_eq!(poll(&mut reply), Poll::Ready(Ok(Value::Int(4))));
    }
}
