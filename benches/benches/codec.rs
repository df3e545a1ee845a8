//! Parse and write speed of the codec against the other XML-RPC crates and
//! against two ceilings: a bare quick-xml event loop (parse) and a
//! hand-written writer (write). Every contender handles the same document;
//! each peer gets its own value type, converted once outside the timed loop.
//!
//! Parsing is timed twice for this crate: `ours` builds owned values
//! (`decode_call`, `decode_response`), `ours_ref` values that borrow their
//! text from the input (`decode_call_ref`, `decode_response_ref`).
//!
//! Throughput is always the size of the reference document of the payload,
//! so within a group a ratio of MB/s is a ratio of times.

use std::hint::black_box;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use base64::Engine as _;
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use xmlrpc_benches::payloads::{self, Doc, Payload};
use xmlrpc_benches::reference_writer;
use xmlrpc_proto::codec::{
    EncodeOptions, ValueRef, decode_call, decode_call_ref, decode_response, decode_response_ref,
    encode_call, encode_response,
};
use xmlrpc_proto::{Limits, Value};

/// Limits high enough for the 10 MB payload.
fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_body_bytes = 64 * 1024 * 1024;
    l
}

fn configure(g: &mut BenchmarkGroup<'_, WallTime>, p: &Payload) {
    g.throughput(Throughput::Bytes(p.bytes.len() as u64));
    // Many short samples: on a shared machine the fastest of them is the
    // figure least disturbed by other processes.
    if p.bytes.len() > 2_000_000 {
        // Up to 1.5 s per iteration for the slowest peer: 10 samples.
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
    } else if p.bytes.len() > 100_000 {
        g.sample_size(30)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
    } else {
        g.sample_size(40)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
    }
}

fn batch(p: &Payload) -> BatchSize {
    if p.bytes.len() > 100_000 {
        BatchSize::PerIteration
    } else {
        BatchSize::SmallInput
    }
}

/// Runs `check` once; `true` when the codec can be benchmarked on this
/// payload. The codec's own checks panic or fail while it is incomplete;
/// then its rows are skipped and the peers are still measured.
fn codec_works(what: &str, check: impl FnOnce() -> Result<bool, String>) -> bool {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(check));
    std::panic::set_hook(hook);
    match outcome {
        Ok(Ok(true)) => true,
        Ok(Ok(false)) => {
            eprintln!("warning: {what}: the codec's result differs from the payload");
            true
        }
        Ok(Err(e)) => {
            eprintln!("skipped: {what}: {e}");
            false
        }
        Err(_) => {
            eprintln!("skipped: {what}: the codec panicked");
            false
        }
    }
}

/// Says when a peer's result differs from the payload (it is still timed).
fn same(payload: &str, peer: &str, equal: bool) {
    if !equal {
        eprintln!("note: {peer} parses {payload} to a value that differs from the payload");
    }
}

fn utf8(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("payloads are UTF-8")
}

// ---------------------------------------------------------------- ceilings

/// Reads every event of `input` with quick-xml 0.38 and builds nothing.
fn bare_038(input: &[u8]) -> usize {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(input);
    let mut n = 0;
    loop {
        match r.read_event() {
            Ok(Event::Eof) => return n,
            Ok(e) => {
                black_box(e);
                n += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// The same loop with quick-xml 0.31 (before entity references became
/// events of their own in 0.37).
fn bare_031(input: &[u8]) -> usize {
    use quick_xml_031::events::Event;
    let mut r = quick_xml_031::Reader::from_reader(input);
    let mut n = 0;
    loop {
        match r.read_event() {
            Ok(Event::Eof) => return n,
            Ok(e) => {
                black_box(e);
                n += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// The same loop with quick-xml 0.42.
fn bare_042(input: &[u8]) -> usize {
    use quick_xml_042::events::Event;
    let mut r = quick_xml_042::Reader::from_reader(input);
    let mut n = 0;
    loop {
        match r.read_event() {
            Ok(Event::Eof) => return n,
            Ok(e) => {
                black_box(e);
                n += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// The base64 text of a one-blob response.
fn blob_text(bytes: &[u8]) -> &[u8] {
    let start = memchr::memmem::find(bytes, b"<base64>").expect("a blob") + b"<base64>".len();
    let end = memchr::memmem::find(bytes, b"</base64>").expect("a blob");
    &bytes[start..end]
}

// ---------------------------------------------------------------- peers

fn to_dxr(v: &Value) -> dxr::Value {
    match v {
        Value::Int(i) => dxr::Value::Integer(*i),
        Value::I8(i) => dxr::Value::Long(*i),
        Value::Bool(b) => dxr::Value::Boolean(*b),
        Value::String(s) => dxr::Value::String(s.clone()),
        Value::Double(d) => dxr::Value::Double(*d),
        Value::DateTime(d) => dxr::Value::DateTime(d.as_str().parse().expect("dxr dateTime")),
        Value::Base64(b) => dxr::Value::Base64(b.clone()),
        Value::Struct(s) => {
            dxr::Value::Struct(s.iter().map(|(k, v)| (k.to_owned(), to_dxr(v))).collect())
        }
        Value::Array(a) => dxr::Value::Array(a.iter().map(to_dxr).collect()),
        Value::Nil => dxr::Value::Nil,
    }
}

fn to_serde_xmlrpc(v: &Value) -> serde_xmlrpc::Value {
    use serde_xmlrpc::Value as V;
    match v {
        Value::Int(i) => V::Int(*i),
        Value::I8(i) => V::Int64(*i),
        Value::Bool(b) => V::Bool(*b),
        Value::String(s) => V::String(s.clone()),
        Value::Double(d) => V::Double(*d),
        Value::DateTime(d) => V::DateTime(iso8601_06::datetime(d.as_str()).expect("dateTime")),
        Value::Base64(b) => V::Base64(b.clone()),
        Value::Struct(s) => V::Struct(
            s.iter()
                .map(|(k, v)| (k.to_owned(), to_serde_xmlrpc(v)))
                .collect(),
        ),
        Value::Array(a) => V::Array(a.iter().map(to_serde_xmlrpc).collect()),
        Value::Nil => V::Nil,
    }
}

fn to_xmlrpc(v: &Value) -> xmlrpc::Value {
    use xmlrpc::Value as V;
    match v {
        Value::Int(i) => V::Int(*i),
        Value::I8(i) => V::Int64(*i),
        Value::Bool(b) => V::Bool(*b),
        Value::String(s) => V::String(s.clone()),
        Value::Double(d) => V::Double(*d),
        Value::DateTime(d) => V::DateTime(iso8601_04::datetime(d.as_str()).expect("dateTime")),
        Value::Base64(b) => V::Base64(b.clone()),
        Value::Struct(s) => V::Struct(
            s.iter()
                .map(|(k, v)| (k.to_owned(), to_xmlrpc(v)))
                .collect(),
        ),
        Value::Array(a) => V::Array(a.iter().map(to_xmlrpc).collect()),
        Value::Nil => V::Nil,
    }
}

/// The `xmlrpc` crate only parses responses, read from a `Transport`: this
/// one hands it the document without any I/O.
struct Canned<'a>(&'a [u8]);

impl<'a> xmlrpc::Transport for Canned<'a> {
    type Stream = &'a [u8];
    fn transmit(
        self,
        _: &xmlrpc::Request<'_>,
    ) -> Result<&'a [u8], Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.0)
    }
}

// ---------------------------------------------------------------- parse

fn parse(c: &mut Criterion) {
    let limits = limits();
    for p in payloads::all() {
        let mut g = c.benchmark_group(format!("parse_{}", p.name));
        configure(&mut g, &p);
        let bytes = &p.bytes[..];
        match &p.doc {
            Doc::Call(call) => {
                if codec_works(&format!("decode_call {}", p.name), || {
                    decode_call(bytes, &limits)
                        .map(|c| c == *call)
                        .map_err(|e| e.to_string())
                }) {
                    g.bench_function("ours", |b| {
                        b.iter(|| decode_call(black_box(bytes), &limits).unwrap())
                    });
                }
                if codec_works(&format!("decode_call_ref {}", p.name), || {
                    decode_call_ref(bytes, &limits)
                        .map(|c| c.into_owned() == *call)
                        .map_err(|e| e.to_string())
                }) {
                    g.bench_function("ours_ref", |b| {
                        b.iter(|| decode_call_ref(black_box(bytes), &limits).unwrap())
                    });
                }
                let got = dxr::MethodCall::from_xml(utf8(bytes)).expect("dxr parses the call");
                let want: Vec<dxr::Value> = call.params.iter().map(to_dxr).collect();
                same(p.name, "dxr", got.params == want);
                g.bench_function("dxr", |b| {
                    b.iter(|| dxr::MethodCall::from_xml(utf8(black_box(bytes))).unwrap())
                });
                let got = serde_xmlrpc::request_from_str(utf8(bytes)).expect("serde_xmlrpc parses");
                let want: Vec<serde_xmlrpc::Value> =
                    call.params.iter().map(to_serde_xmlrpc).collect();
                same(p.name, "serde_xmlrpc", got.1 == want);
                g.bench_function("serde_xmlrpc", |b| {
                    b.iter(|| serde_xmlrpc::request_from_str(utf8(black_box(bytes))).unwrap())
                });
                // The `xmlrpc` crate is a client only: it cannot parse calls.
            }
            Doc::Response(response) => {
                if codec_works(&format!("decode_response {}", p.name), || {
                    decode_response(bytes, &limits)
                        .map(|r| r == *response)
                        .map_err(|e| e.to_string())
                }) {
                    g.bench_function("ours", |b| {
                        b.iter(|| decode_response(black_box(bytes), &limits).unwrap())
                    });
                }
                if codec_works(&format!("decode_response_ref {}", p.name), || {
                    decode_response_ref(bytes, &limits)
                        .map(|r| r.map(ValueRef::into_owned) == *response)
                        .map_err(|e| e.to_string())
                }) {
                    g.bench_function("ours_ref", |b| {
                        b.iter(|| decode_response_ref(black_box(bytes), &limits).unwrap())
                    });
                }
                let value = response.as_ref().expect("the payloads are not faults");
                // A peer that cannot read a payload (base64 in lines) is
                // left out of that payload's group.
                match dxr::MethodResponse::from_xml(utf8(bytes)) {
                    Ok(got) => {
                        same(p.name, "dxr", got.value == to_dxr(value));
                        g.bench_function("dxr", |b| {
                            b.iter(|| {
                                dxr::MethodResponse::from_xml(utf8(black_box(bytes))).unwrap()
                            })
                        });
                    }
                    Err(e) => eprintln!("skipped: dxr cannot parse {}: {e}", p.name),
                }
                match serde_xmlrpc::response_from_str::<serde_xmlrpc::Value>(utf8(bytes)) {
                    Ok(got) => {
                        same(p.name, "serde_xmlrpc", got == to_serde_xmlrpc(value));
                        g.bench_function("serde_xmlrpc", |b| {
                            b.iter(|| {
                                serde_xmlrpc::response_from_str::<serde_xmlrpc::Value>(utf8(
                                    black_box(bytes),
                                ))
                                .unwrap()
                            })
                        });
                    }
                    Err(e) => eprintln!("skipped: serde_xmlrpc cannot parse {}: {e}", p.name),
                }
                let request = xmlrpc::Request::new("bench");
                match request.call(Canned(bytes)) {
                    Ok(got) => {
                        same(p.name, "xmlrpc", got == to_xmlrpc(value));
                        g.bench_function("xmlrpc", |b| {
                            b.iter(|| request.call(Canned(black_box(bytes))).unwrap())
                        });
                    }
                    Err(e) => eprintln!("skipped: xmlrpc cannot parse {}: {e}", p.name),
                }
            }
        }
        g.bench_function("quick_xml_031", |b| b.iter(|| bare_031(black_box(bytes))));
        g.bench_function("quick_xml_038", |b| b.iter(|| bare_038(black_box(bytes))));
        g.bench_function("quick_xml_042", |b| b.iter(|| bare_042(black_box(bytes))));
        if p.name.starts_with("blob1mb") {
            // The crate decodes the one-line text: it reads no line breaks.
            let text: Vec<u8> = blob_text(bytes)
                .iter()
                .copied()
                .filter(|&c| c != b'\n')
                .collect();
            let text = &text[..];
            g.bench_function("base64_crate", |b| {
                b.iter(|| {
                    base64::engine::general_purpose::STANDARD
                        .decode(black_box(text))
                        .unwrap()
                })
            });
        }
        g.finish();
    }
}

// ---------------------------------------------------------------- write

fn write(c: &mut Criterion) {
    let limits = limits();
    let options = EncodeOptions::default();
    for p in payloads::all().into_iter().filter(|p| !p.parse_only()) {
        let mut g = c.benchmark_group(format!("write_{}", p.name));
        configure(&mut g, &p);
        let mut out = Vec::with_capacity(p.bytes.len() * 2);
        let mut sizes = vec![("reference_writer", p.bytes.len())];
        match &p.doc {
            Doc::Call(call) => {
                if codec_works(&format!("encode_call {}", p.name), || {
                    let mut out = Vec::new();
                    encode_call(call, &options, &mut out).map_err(|e| e.to_string())?;
                    sizes.push(("ours", out.len()));
                    // Verified by decoding when the decoder works.
                    let back = catch_unwind(AssertUnwindSafe(|| decode_call(&out, &limits)));
                    Ok(back.map_or(true, |r| r.is_ok_and(|c| c == *call)))
                }) {
                    g.bench_function("ours", |b| {
                        b.iter(|| {
                            out.clear();
                            encode_call(black_box(call), &options, &mut out).unwrap();
                            out.len()
                        })
                    });
                }
                g.bench_function("reference_writer", |b| {
                    b.iter(|| {
                        out.clear();
                        reference_writer::write_call(black_box(call), &mut out);
                        out.len()
                    })
                });
                let params: Vec<dxr::Value> = call.params.iter().map(to_dxr).collect();
                let dxr_call = dxr::MethodCall {
                    name: call.name.as_str().into(),
                    params,
                };
                sizes.push(("dxr", dxr_call.to_xml().unwrap().len()));
                g.bench_function("dxr", |b| b.iter(|| black_box(&dxr_call).to_xml().unwrap()));
                let sx: Vec<serde_xmlrpc::Value> =
                    call.params.iter().map(to_serde_xmlrpc).collect();
                let n = serde_xmlrpc::request_to_string(&call.name, sx.clone().into_iter());
                sizes.push(("serde_xmlrpc", n.unwrap().len()));
                g.bench_function("serde_xmlrpc", |b| {
                    b.iter_batched(
                        || sx.clone(),
                        |sx| serde_xmlrpc::request_to_string(&call.name, sx.into_iter()).unwrap(),
                        batch(&p),
                    )
                });
                let request = call
                    .params
                    .iter()
                    .fold(xmlrpc::Request::new(&call.name), |r, v| r.arg(to_xmlrpc(v)));
                let mut n = Vec::new();
                request.write_as_xml(&mut n).unwrap();
                sizes.push(("xmlrpc", n.len()));
                g.bench_function("xmlrpc", |b| {
                    b.iter(|| {
                        out.clear();
                        black_box(&request).write_as_xml(&mut out).unwrap();
                        out.len()
                    })
                });
            }
            Doc::Response(response) => {
                if codec_works(&format!("encode_response {}", p.name), || {
                    let mut out = Vec::new();
                    encode_response(response, &options, &mut out).map_err(|e| e.to_string())?;
                    sizes.push(("ours", out.len()));
                    // Verified by decoding when the decoder works.
                    let back = catch_unwind(AssertUnwindSafe(|| decode_response(&out, &limits)));
                    Ok(back.map_or(true, |r| r.is_ok_and(|r| r == *response)))
                }) {
                    g.bench_function("ours", |b| {
                        b.iter(|| {
                            out.clear();
                            encode_response(black_box(response), &options, &mut out).unwrap();
                            out.len()
                        })
                    });
                }
                g.bench_function("reference_writer", |b| {
                    b.iter(|| {
                        out.clear();
                        reference_writer::write_response(black_box(response), &mut out);
                        out.len()
                    })
                });
                let value = response.as_ref().expect("the payloads are not faults");
                if let Value::Base64(raw) = value {
                    // Base64 encoding alone, with the engine we use (0.22)
                    // and with the older one the `xmlrpc` crate uses.
                    g.bench_function("base64_022_encode", |b| {
                        b.iter(|| base64::engine::general_purpose::STANDARD.encode(black_box(raw)))
                    });
                    g.bench_function("base64_013_encode", |b| {
                        b.iter(|| base64_013::encode(black_box(raw)))
                    });
                }
                let dxr_response = dxr::MethodResponse {
                    value: to_dxr(value),
                };
                sizes.push(("dxr", dxr_response.to_xml().unwrap().len()));
                g.bench_function("dxr", |b| {
                    b.iter(|| black_box(&dxr_response).to_xml().unwrap())
                });
                let sx = to_serde_xmlrpc(value);
                let n = serde_xmlrpc::response_to_string(std::iter::once(sx.clone()));
                sizes.push(("serde_xmlrpc", n.unwrap().len()));
                g.bench_function("serde_xmlrpc", |b| {
                    b.iter_batched(
                        || sx.clone(),
                        |sx| serde_xmlrpc::response_to_string(std::iter::once(sx)).unwrap(),
                        batch(&p),
                    )
                });
                // The `xmlrpc` crate writes values but has no response
                // writer (it is a client): the envelope is written around
                // `Value::write_as_xml` the way its `Request` does it.
                let xv = to_xmlrpc(value);
                let mut n = Vec::new();
                xv.write_as_xml(&mut n).unwrap();
                sizes.push(("xmlrpc", n.len() + 100));
                g.bench_function("xmlrpc", |b| {
                    b.iter(|| {
                        out.clear();
                        out.extend_from_slice(
                            b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodResponse>\n<params>\n<param>\n",
                        );
                        black_box(&xv).write_as_xml(&mut out).unwrap();
                        out.write_all(b"</param>\n</params>\n</methodResponse>").unwrap();
                        out.len()
                    })
                });
            }
        }
        eprintln!("bytes written, {}: {sizes:?}", p.name);
        g.finish();
    }
}

criterion_group!(benches, parse, write);
criterion_main!(benches);
