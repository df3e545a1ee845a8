//! The benchmark payloads, built deterministically from a fixed seed.

use xmlrpc_proto::{DateTime, Fault, MethodCall, Struct, Value};

use crate::reference_writer;

/// A document to benchmark: the value it carries and its bytes.
#[derive(Clone, Debug)]
pub struct Payload {
    /// Short name, used in benchmark ids (`add`, `structs100`, `mixed10mb`,
    /// `blob1mb`, `blob1mb_lines`, and `add_py`, `structs100_py`,
    /// `mixed10mb_py` for the documents Python writes).
    pub name: &'static str,
    /// The document's content.
    pub doc: Doc,
    /// The document as written by [`reference_writer`] (or, for the `_py`
    /// payloads, by Python's `xmlrpc.client`): what every parser reads.
    pub bytes: Vec<u8>,
}

/// A call or a response.
#[derive(Clone, Debug)]
pub enum Doc {
    /// A `methodCall`.
    Call(MethodCall),
    /// A `methodResponse`.
    Response(Result<Value, Fault>),
}

impl Payload {
    fn new(name: &'static str, doc: Doc) -> Self {
        let mut bytes = Vec::new();
        match &doc {
            Doc::Call(c) => reference_writer::write_call(c, &mut bytes),
            Doc::Response(r) => reference_writer::write_response(r, &mut bytes),
        }
        Self { name, doc, bytes }
    }

    /// Whether the payload is only parsed: its bytes are not the reference
    /// writer's form, so writing it would repeat another payload.
    #[must_use]
    pub fn parse_only(&self) -> bool {
        self.name == "blob1mb_lines" || self.name.ends_with("_py")
    }
}

/// All eight payloads: the four written and parsed, smallest first, then
/// `blob1mb_lines` and the three written by Python (parsed only).
///
/// # Panics
///
/// When `python3` cannot be run (see [`python`]).
#[must_use]
pub fn all() -> Vec<Payload> {
    let (a, s, m) = (add(), structs100(), mixed10mb());
    let py = [&a, &s, &m].map(|p| python(p).unwrap_or_else(|e| panic!("{e}")));
    let [a_py, s_py, m_py] = py;
    vec![a, s, m, blob1mb(), blob1mb_lines(), a_py, s_py, m_py]
}

/// What Python runs to rewrite a document: `xmlrpc.client.loads`, then
/// `xmlrpc.client.dumps` of the same values, as a Python client or server
/// writes them (a line break after most tags, `<string>` spelled out,
/// base64 in lines of 76 characters).
const PYTHON_REWRITE: &str = "\
import sys, xmlrpc.client as x
params, name = x.loads(sys.stdin.buffer.read())
out = x.dumps(params, name, methodresponse=name is None, allow_none=True)
sys.stdout.buffer.write(out.encode('utf-8'))
";

/// `payload` as Python's `xmlrpc.client.dumps` writes the same values:
/// `add_py`, `structs100_py` or `mixed10mb_py`. Runs `python3`, which
/// reads the reference document and writes it again.
///
/// # Errors
///
/// When `python3` cannot be run or fails, or for another payload.
pub fn python(payload: &Payload) -> Result<Payload, String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let name = match payload.name {
        "add" => "add_py",
        "structs100" => "structs100_py",
        "mixed10mb" => "mixed10mb_py",
        other => return Err(format!("no Python form of {other}")),
    };
    let failed = |e: &dyn std::fmt::Display| format!("python3 writes the {name} payload: {e}");
    let mut child = Command::new("python3")
        .args(["-c", PYTHON_REWRITE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| failed(&e))?;
    let mut stdin = child.stdin.take().ok_or_else(|| failed(&"no stdin"))?;
    // Written from a thread of its own: the child writes while it reads.
    let input = payload.bytes.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| failed(&e))?;
    writer
        .join()
        .map_err(|_| failed(&"the writer thread panicked"))?
        .map_err(|e| failed(&e))?;
    if !out.status.success() {
        return Err(failed(&out.status));
    }
    Ok(Payload {
        name,
        doc: payload.doc.clone(),
        bytes: out.stdout,
    })
}

/// `add(1, 2)`.
#[must_use]
pub fn add() -> Payload {
    Payload::new(
        "add",
        Doc::Call(MethodCall::new("add", vec![Value::Int(1), Value::Int(2)])),
    )
}

/// `validator1.arrayOfStructsTest` with an array of 100 structs, each with
/// the members `curly`, `larry` and `moe` (ints), as the UserLand validator
/// sends it.
#[must_use]
pub fn structs100() -> Payload {
    let mut rng = Rng::new(0x5eed_0001);
    let structs = (0..100)
        .map(|_| {
            let mut s = Struct::with_capacity(3);
            s.insert("curly", Value::Int(rng.range(-1000, 1000) as i32));
            s.insert("larry", Value::Int(rng.range(-1000, 1000) as i32));
            s.insert("moe", Value::Int(rng.range(-1000, 1000) as i32));
            Value::Struct(s)
        })
        .collect();
    Payload::new(
        "structs100",
        Doc::Call(MethodCall::new(
            "validator1.arrayOfStructsTest",
            vec![Value::Array(structs)],
        )),
    )
}

/// A response of about 10 MB: an array of 100 000 mixed values (strings
/// with `&`/`<`/`>` and non-ASCII text, ints, doubles, booleans, dateTimes,
/// small base64 blobs and nested structs holding all of these).
#[must_use]
pub fn mixed10mb() -> Payload {
    let mut rng = Rng::new(0x5eed_0002);
    let values = (0..100_000).map(|_| mixed_value(&mut rng)).collect();
    Payload::new("mixed10mb", Doc::Response(Ok(Value::Array(values))))
}

/// A response carrying one base64 value of 1 MiB (1.4 MB of base64 text).
#[must_use]
pub fn blob1mb() -> Payload {
    let mut rng = Rng::new(0x5eed_0003);
    let blob = (0..1 << 20).map(|_| rng.next() as u8).collect();
    Payload::new("blob1mb", Doc::Response(Ok(Value::Base64(blob))))
}

/// The blob of [`blob1mb`] with its base64 text in lines of 76 characters,
/// each ending in `\n`, as Python's `xmlrpc.client` writes base64.
#[must_use]
pub fn blob1mb_lines() -> Payload {
    let one_line = blob1mb();
    let bytes = &one_line.bytes;
    let open = find(bytes, b"<base64>") + b"<base64>".len();
    let close = find(bytes, b"</base64>");
    let mut wrapped = Vec::with_capacity(bytes.len() + bytes.len() / 76 + 1);
    wrapped.extend_from_slice(&bytes[..open]);
    for line in bytes[open..close].chunks(76) {
        wrapped.extend_from_slice(line);
        wrapped.push(b'\n');
    }
    wrapped.extend_from_slice(&bytes[close..]);
    Payload {
        name: "blob1mb_lines",
        doc: one_line.doc,
        bytes: wrapped,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the blob payload has one base64 element")
}

fn mixed_value(rng: &mut Rng) -> Value {
    match rng.below(24) {
        0..=7 => Value::String(text(rng)),
        8..=12 => Value::Int(rng.next() as i32),
        13..=16 => Value::Double(double(rng)),
        17..=18 => Value::Bool(rng.below(2) == 1),
        19..=20 => Value::DateTime(datetime(rng)),
        21 => Value::Base64(bytes(rng, 8, 48)),
        _ => record(rng),
    }
}

/// A nested struct, as a typical record in a listing.
fn record(rng: &mut Rng) -> Value {
    let mut owner = Struct::with_capacity(2);
    owner.insert("login", Value::String(text(rng)));
    owner.insert("uid", Value::Int(rng.range(0, 1 << 20) as i32));
    let tags: Vec<Value> = (0..rng.below(4))
        .map(|_| Value::String(word(rng).to_owned()))
        .collect();
    let mut s = Struct::with_capacity(7);
    s.insert("id", Value::Int(rng.range(0, 1 << 30) as i32));
    s.insert("name", Value::String(text(rng)));
    s.insert("score", Value::Double(double(rng)));
    s.insert("active", Value::Bool(rng.below(2) == 1));
    s.insert("created", Value::DateTime(datetime(rng)));
    s.insert("tags", Value::Array(tags));
    s.insert("owner", Value::Struct(owner));
    Value::Struct(s)
}

const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "report",
    "user",
    "value",
    "server",
    "request",
    "item",
    "naïve",
    "café",
    "Grüße",
    "São Paulo",
    "日本語",
    "☃",
    "Ωmega",
    "東京",
    "smörgåsbord",
    "déjà vu",
    "R&D",
    "a<b",
    "x > y",
    "Tom & Jerry",
    "<tag>",
    "AT&T",
];

fn word(rng: &mut Rng) -> &'static str {
    WORDS[rng.below(WORDS.len() as u64) as usize]
}

/// A few words: about a quarter of them need an entity, a third are
/// non-ASCII.
fn text(rng: &mut Rng) -> String {
    let n = 1 + rng.below(3);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(word(rng));
    }
    s
}

/// A finite double that every peer writes without an exponent.
fn double(rng: &mut Rng) -> f64 {
    rng.range(-1_000_000_000, 1_000_000_000) as f64 / 1000.0
}

fn datetime(rng: &mut Rng) -> DateTime {
    let text = format!(
        "{:04}{:02}{:02}T{:02}:{:02}:{:02}",
        rng.range(1990, 2040),
        rng.range(1, 13),
        rng.range(1, 29),
        rng.range(0, 24),
        rng.range(0, 60),
        rng.range(0, 60)
    );
    DateTime::parse(&text).expect("the fields are in range")
}

fn bytes(rng: &mut Rng, min: u64, max: u64) -> Vec<u8> {
    let n = rng.range(min as i64, max as i64);
    (0..n).map(|_| rng.next() as u8).collect()
}

/// splitmix64: small, seedable, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-enough in `0..n` (`n` is small in this crate).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// In `lo..hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_deterministic_and_sized() {
        let a = all();
        let b = all();
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.bytes, y.bytes, "{}", x.name);
        }
        let mixed = &a[2];
        assert!(
            (9_500_000..11_000_000).contains(&mixed.bytes.len()),
            "{}",
            mixed.bytes.len()
        );
        let text = std::str::from_utf8(&mixed.bytes).unwrap();
        for needle in [
            "&amp;", "&lt;", "&gt;", "☃", "<struct>", "<double>", "<base64>",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
        assert!((1_300_000..1_500_000).contains(&a[3].bytes.len()));
        let lines = std::str::from_utf8(&a[4].bytes).unwrap();
        let blob = &lines[lines.find("<base64>").unwrap() + 8..lines.find("</base64>").unwrap()];
        assert!(blob.ends_with('\n'));
        assert!(blob.split_terminator('\n').all(|l| l.len() <= 76));
        assert_eq!(
            blob.split_terminator('\n').filter(|l| l.len() < 76).count(),
            1
        );
        let one = std::str::from_utf8(&a[3].bytes).unwrap();
        assert_eq!(
            blob.replace('\n', ""),
            one[one.find("<base64>").unwrap() + 8..one.find("</base64>").unwrap()]
        );
    }

    #[test]
    fn python_payloads_are_pythons_form_of_the_same_values() {
        use xmlrpc_proto::Limits;
        use xmlrpc_proto::codec::{decode_call, decode_response};
        let a = all();
        let names: Vec<&str> = a.iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "add",
                "structs100",
                "mixed10mb",
                "blob1mb",
                "blob1mb_lines",
                "add_py",
                "structs100_py",
                "mixed10mb_py"
            ]
        );
        let mut limits = Limits::default();
        limits.max_body_bytes = 64 << 20;
        for (orig, py) in a[..3].iter().zip(&a[5..]) {
            assert!(py.parse_only() && !orig.parse_only());
            let text = std::str::from_utf8(&py.bytes).unwrap();
            assert!(text.starts_with("<?xml version='1.0'?>\n"), "{}", py.name);
            // A line break between elements, and more bytes for them.
            assert!(text.contains("</param>\n"), "{}", py.name);
            assert!(py.bytes.len() > orig.bytes.len(), "{}", py.name);
            match &py.doc {
                Doc::Call(c) => assert_eq!(decode_call(&py.bytes, &limits).unwrap(), *c),
                Doc::Response(r) => assert_eq!(decode_response(&py.bytes, &limits).unwrap(), *r),
            }
        }
        // Base64 in lines of 76 characters.
        let mixed = std::str::from_utf8(&a[7].bytes).unwrap();
        let blob = mixed.split("<base64>\n").nth(1).unwrap();
        let blob = &blob[..blob.find("</base64>").unwrap()];
        assert!(blob.ends_with('\n'));
        assert!(blob.split_terminator('\n').all(|l| l.len() <= 76));
        assert!(mixed.contains("&amp;") && mixed.contains("☃"));
    }
}
