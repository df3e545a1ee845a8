//! Call metrics as a Prometheus page. With its `metrics` feature (which
//! this crate's `metrics` feature turns on, as do its dev-dependencies for
//! this example), xmlrpc-proto times every call it dispatches into the
//! histogram `rpc.server.call.duration` (seconds) of the `metrics` facade,
//! labelled `rpc.method`, `rpc.system.name` and, for a fault, `error.type`
//! and `rpc.xmlrpc.fault_code`. The small recorder below keeps those
//! histograms and serves them in the Prometheus text format at `/metrics`,
//! on its own port of the same tokio runtime: no
//! exporter crate needed.
//!
//! ```sh
//! cargo run -p xmlrpc-tokio --example metrics      # then, elsewhere:
//! python3 -c 'import xmlrpc.client as x; p = x.ServerProxy("http://127.0.0.1:7084/"); print(p.add(2, 3), p.slow(20))'
//! curl -s http://127.0.0.1:9184/metrics
//! ```
//!
//! Procedures: `add(a, b)`, `echo(x)`, `slow(ms)` (answers after `ms`
//! milliseconds, at most 5000, from an async handler) and `fault()` (fault
//! 4 `Too many parameters.`), with introspection and `system.multicall`.
//!
//! Arguments: `[XMLRPC_ADDR [METRICS_ADDR]]`, by default `127.0.0.1:7084`
//! and `127.0.0.1:9184` (port 0 picks a free port); both bound addresses
//! are printed first. Ctrl-C stops it. With `--demo` first, it calls
//! itself a few times, prints its own `/metrics` page and exits.
//!
//! Metric and label names are written with `_` for `.`, and the duration
//! gets Prometheus' unit suffix: `rpc_server_call_duration_seconds`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, SharedString, Unit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use xmlrpc_tokio::proto::dispatch::observe::DURATION_METRIC;
use xmlrpc_tokio::{Client, Dispatcher, Fault, Server, Site, Value};

/// Bucket upper bounds in seconds: from 100 µs (a call answered at once)
/// to 10 s.
const BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// One histogram series: the count in each bucket (not cumulative), the
/// total count and the sum.
#[derive(Default)]
struct Series {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// A series shared by the recorder (to render it) and the handles the
/// facade hands out (to record into it).
#[derive(Default)]
struct Shared(Mutex<Series>);

impl HistogramFn for Shared {
    fn record(&self, value: f64) {
        let mut s = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = BUCKETS.iter().position(|&le| value <= le) {
            s.buckets[i] += 1;
        }
        s.count += 1;
        s.sum += value;
    }
}

/// A series' identity: metric name and sorted labels.
type SeriesKey = (String, Vec<(String, String)>);

/// Keeps histograms and writes them as Prometheus text. Counters and
/// gauges are not kept (xmlrpc-proto records none).
#[derive(Default)]
struct PrometheusRecorder {
    histograms: Mutex<BTreeMap<SeriesKey, Arc<Shared>>>,
}

impl metrics::Recorder for PrometheusRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        Counter::noop()
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        let mut labels: Vec<(String, String)> = key
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        labels.sort();
        let mut map = self
            .histograms
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let series = map.entry((key.name().to_owned(), labels)).or_default();
        Histogram::from_arc(Arc::clone(series))
    }
}

/// A metric or label name as Prometheus accepts it.
fn prometheus_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A label value in quotes, with `\`, `"` and line breaks escaped.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl PrometheusRecorder {
    /// The page: every histogram, in the text exposition format 0.0.4.
    fn render(&self) -> String {
        let map = self
            .histograms
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut out = String::new();
        let mut last_name = None;
        for ((name, labels), series) in map.iter() {
            let mut metric = prometheus_name(name);
            if name == DURATION_METRIC {
                metric.push_str("_seconds");
            }
            if last_name != Some(name) {
                if name == DURATION_METRIC {
                    let _ = writeln!(
                        out,
                        "# HELP {metric} Duration of XML-RPC calls handled by this server."
                    );
                }
                let _ = writeln!(out, "# TYPE {metric} histogram");
                last_name = Some(name);
            }
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{}={}", prometheus_name(k), quoted(v)))
                .collect();
            let joined = labels.join(",");
            let with = |extra: &str| -> String {
                match (joined.is_empty(), extra.is_empty()) {
                    (true, true) => String::new(),
                    (true, false) => format!("{{{extra}}}"),
                    (false, true) => format!("{{{joined}}}"),
                    (false, false) => format!("{{{joined},{extra}}}"),
                }
            };
            let s = series.0.lock().unwrap_or_else(PoisonError::into_inner);
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(s.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "{metric}_bucket{} {cumulative}",
                    with(&format!("le=\"{le}\""))
                );
            }
            let _ = writeln!(out, "{metric}_bucket{} {}", with("le=\"+Inf\""), s.count);
            let _ = writeln!(out, "{metric}_sum{} {}", with(""), s.sum);
            let _ = writeln!(out, "{metric}_count{} {}", with(""), s.count);
        }
        out
    }
}

/// Answers one HTTP request: the page for `GET /metrics`, else 404.
async fn answer(mut stream: TcpStream, recorder: &PrometheusRecorder) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    // The request head, up to 8 KiB; nothing else is read.
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 8192 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let wanted = head.starts_with(b"GET /metrics ") || head.starts_with(b"GET /metrics?");
    let (status, body) = if wanted {
        ("200 OK", recorder.render())
    } else {
        ("404 Not Found", "not found: try /metrics\n".to_owned())
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// Serves the page until the runtime stops.
async fn serve_metrics(listener: TcpListener, recorder: Arc<PrometheusRecorder>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let recorder = Arc::clone(&recorder);
        tokio::spawn(async move {
            // A client that goes away early is no concern of the server.
            let _ = tokio::time::timeout(Duration::from_secs(10), answer(stream, &recorder)).await;
        });
    }
}

fn dispatcher() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a.wrapping_add(b))
        .help("Adds two integers.");
    d.register("echo", |x: Value| x)
        .help("Returns its argument.");
    d.register_async("slow", |ms: i32| async move {
        let ms = u64::try_from(ms.clamp(0, 5000)).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms as i32
    })
    .help("Answers after the given number of milliseconds (at most 5000).");
    d.register("fault", || -> Result<i32, Fault> {
        Err(Fault::new(4, "Too many parameters."))
    });
    d.enable_introspection().enable_multicall(100);
    d
}

/// Fetches `/metrics` from `addr` the simplest way.
async fn fetch_page(addr: std::net::SocketAddr) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or(response))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let demo = args.first().is_some_and(|a| a == "--demo");
    if demo {
        args.remove(0);
    }
    let rpc_addr = args.first().map_or("127.0.0.1:7084", String::as_str);
    let metrics_addr = args.get(1).map_or("127.0.0.1:9184", String::as_str);

    let recorder = Arc::new(PrometheusRecorder::default());
    metrics::set_global_recorder(Arc::clone(&recorder))
        .map_err(|_| "a metrics recorder is already installed")?;

    let rpc = TcpListener::bind(rpc_addr).await?;
    let page = TcpListener::bind(metrics_addr).await?;
    let (rpc_at, page_at) = (rpc.local_addr()?, page.local_addr()?);
    println!("listening on http://{rpc_at}/");
    println!("metrics on http://{page_at}/metrics");
    tokio::spawn(serve_metrics(page, Arc::clone(&recorder)));

    let server = Server::new(Site::standard(dispatcher()));
    let shutdown = server.shutdown_handle();
    let serving = tokio::spawn(async move { server.serve(rpc).await });

    if demo {
        let client = Client::new(&format!("http://{rpc_at}/"))?;
        let sum: i32 = client.call("add", (2, 3)).await?;
        let waited: i32 = client.call("slow", (20,)).await?;
        let fault = client.call::<Value>("fault", ()).await;
        let unknown = client.call::<Value>("nope", ()).await;
        println!("add(2, 3) = {sum}, slow(20) = {waited}");
        println!("fault() -> {fault:?}\nnope() -> {unknown:?}\n");
        print!("{}", fetch_page(page_at).await?);
    } else {
        tokio::signal::ctrl_c().await?;
    }
    shutdown.shutdown();
    serving.await??;
    Ok(())
}
