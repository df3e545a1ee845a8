//! Interoperability with Python's `xmlrpc.client`.
//!
//! - Documents Python wrote (`tests/data/python`, made by
//!   `scripts/gen_python_fixtures.py`), the XML-RPC specification's
//!   examples (`tests/data/spec`) and the `nil`/`i8` extensions as Python
//!   and Apache write them (`tests/data/extensions`) decode to the values in
//!   their `.json` files.
//! - What our encoder writes, Python's `xmlrpc.client.loads` reads as the
//!   values we meant (needs `python3`; skipped with a message without it).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use xmlrpc_proto::codec::{
    ExtensionStyle, StringStyle, decode_document, encode_call, encode_response,
};
use xmlrpc_proto::{
    DateTime, Document, EncodeOptions, Fault, Limits, MethodCall, Struct, Value, json,
};

fn data_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(sub)
}

/// Decodes every `NAME.xml` under `sub` and compares it with `NAME.json`;
/// returns how many fixtures were checked.
fn check_corpus(sub: &str) -> usize {
    let dir = data_dir(sub);
    let mut xmls: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    xmls.sort();
    let limits = Limits::default();
    for xml in &xmls {
        let name = xml.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(xml).unwrap();
        let got = decode_document(&bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = std::fs::read_to_string(xml.with_extension("json")).unwrap();
        let want =
            json::parse_document(&text, &limits).unwrap_or_else(|e| panic!("{name}.json: {e}"));
        // Compared through the JSON view, which reads a small i8 as an int.
        assert_eq!(through_json(&got), want, "{name}");
        if !String::from_utf8_lossy(&bytes).contains("i8>") {
            assert_eq!(got, want, "{name}");
        }
    }
    xmls.len()
}

#[test]
fn python_corpus_decodes_to_expected_values() {
    assert!(check_corpus("python") >= 25);
}

#[test]
fn extension_documents_decode_to_expected_values() {
    assert!(check_corpus("extensions") >= 2);
}

#[test]
fn specification_examples_decode_to_expected_values() {
    assert!(check_corpus("spec") >= 6);
}

#[test]
fn python_corpus_is_what_the_script_writes() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIPPED python_corpus_is_what_the_script_writes: python3 is not installed");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/gen_python_fixtures.py");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("python-fixtures-{}", std::process::id()));
    let status = Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .stdin(Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(status.success(), "{} failed", script.display());
    let committed = data_dir("python");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    let mut committed_names: Vec<_> = std::fs::read_dir(&committed)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    committed_names.sort();
    assert_eq!(
        names, committed_names,
        "re-run scripts/gen_python_fixtures.py"
    );
    for name in names {
        assert!(
            std::fs::read(dir.join(&name)).unwrap()
                == std::fs::read(committed.join(&name)).unwrap(),
            "{name:?} differs from what the script writes: re-run scripts/gen_python_fixtures.py"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Reads each file with `xmlrpc.client.loads` and prints its contents as
/// one line of the JSON view.
const PY_READER: &str = r#"
import base64, json, sys, xmlrpc.client as xc

def to_json(v):
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, xc.Binary):
        return {"base64": base64.b64encode(v.data).decode("ascii")}
    if isinstance(v, xc.DateTime):
        return {"dateTime.iso8601": v.value}
    raise TypeError(type(v))

for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    try:
        params, method = xc.loads(data)
        if method is None:
            doc = {"methodResponse": {"params": to_json(list(params))}}
        else:
            doc = {"methodCall": {"methodName": method, "params": to_json(list(params))}}
    except xc.Fault as e:
        doc = {"methodResponse": {"fault": {"faultCode": e.faultCode, "faultString": e.faultString}}}
    print(json.dumps(doc))
"#;

/// The document as the JSON view reads it back (an `I8` that fits 32 bits
/// becomes an int, as it does for Python).
fn through_json(doc: &Document) -> Document {
    json::parse_document(&json::document_to_string(doc), &Limits::default()).unwrap()
}

fn fixed_values() -> Vec<Value> {
    let mut s = Struct::new();
    s.insert("a&b", Value::Int(1));
    s.insert("<k>", Value::from("v"));
    s.insert("", Value::Array(vec![]));
    s.insert("\u{fc}\r\n", Value::Struct(Struct::new()));
    let mut v = vec![
        Value::Int(i32::MIN),
        Value::Int(i32::MAX),
        Value::Bool(true),
        Value::Bool(false),
        Value::from(""),
        Value::from("a & b < c > d ]]> \"q\" 'a'"),
        Value::from("cr\r lf\n crlf\r\n tab\t"),
        Value::from("  spaces kept  "),
        Value::from("\u{2603} \u{1F600} caf\u{e9} \u{4e2d} \u{feff}"),
        Value::from("&amp; &#65; <![CDATA[x]]>"),
        Value::DateTime(DateTime::parse("19980717T14:08:55").unwrap()),
        Value::DateTime(DateTime::parse("2026-01-01T12:00:00Z").unwrap()),
        Value::Base64(vec![]),
        Value::Base64((0..=255).collect()),
        Value::Struct(s),
        Value::Array(vec![
            Value::Array(vec![Value::Int(1)]),
            Value::Struct(Struct::new()),
        ]),
    ];
    for d in [
        0.0,
        -0.0,
        0.1,
        1.5,
        -2.25,
        1e16,
        1e-7,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        123_456_789.125,
    ] {
        v.push(Value::Double(d));
    }
    v
}

#[test]
fn python_reads_what_we_write() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIPPED python_reads_what_we_write: python3 is not installed");
        return;
    }
    let plain = EncodeOptions::default();
    let ext = EncodeOptions::extensions();
    let apache = EncodeOptions::extensions().with_extension_style(ExtensionStyle::Apache);
    let bare = EncodeOptions::extensions().with_string_style(StringStyle::Bare);
    let mut cases: Vec<(Document, EncodeOptions)> = Vec::new();
    for v in fixed_values() {
        for opts in [&plain, &bare] {
            cases.push((Document::Response(Ok(v.clone())), opts.clone()));
        }
    }
    let fixed = fixed_values();
    cases.push((
        Document::Call(MethodCall::new("all.types", fixed.clone())),
        plain.clone(),
    ));
    cases.push((
        Document::Call(MethodCall::new("system.listMethods", vec![])),
        plain.clone(),
    ));
    let ext_values = vec![
        Value::Nil,
        Value::I8(i64::MAX),
        Value::I8(i64::MIN),
        Value::I8(3),
        Value::Array(vec![
            Value::Nil,
            Value::Struct([("n", Value::Nil)].into_iter().collect()),
        ]),
    ];
    for opts in [&ext, &apache, &bare] {
        cases.push((
            Document::Call(MethodCall::new("ext", ext_values.clone())),
            opts.clone(),
        ));
        cases.push((
            Document::Response(Ok(Value::Array(ext_values.clone()))),
            opts.clone(),
        ));
    }
    for f in [
        Fault::new(4, "Too many parameters."),
        Fault::new(-32601, "unknown <method> & \u{2603}\r\n"),
        Fault::new(i32::MIN, ""),
    ] {
        cases.push((Document::Response(Err(f.clone())), plain.clone()));
        cases.push((Document::Response(Err(f)), bare.clone()));
    }
    // Random values, from a fixed seed so that failures reproduce.
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = common::arb_value(true);
    for i in 0..200 {
        let v = strategy.new_tree(&mut runner).unwrap().current();
        let opts = [&ext, &apache, &bare][i % 3].clone();
        cases.push((Document::Response(Ok(v)), opts));
    }

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("python-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for (i, (doc, opts)) in cases.iter().enumerate() {
        let mut out = Vec::new();
        match doc {
            Document::Call(c) => encode_call(c, opts, &mut out).unwrap(),
            Document::Response(r) => encode_response(r, opts, &mut out).unwrap(),
        }
        let path = dir.join(format!("{i:04}.xml"));
        std::fs::write(&path, &out).unwrap();
        paths.push(path);
    }
    let output = Command::new("python3")
        .arg("-c")
        .arg(PY_READER)
        .args(&paths)
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), cases.len());
    for (i, ((doc, opts), line)) in cases.iter().zip(&lines).enumerate() {
        let python_saw = json::parse_document(line, &Limits::default())
            .unwrap_or_else(|e| panic!("case {i}: {e}: {line}"));
        assert_eq!(
            python_saw,
            through_json(doc),
            "case {i} ({opts:?}): python read {line}\nfrom {}",
            String::from_utf8_lossy(&std::fs::read(&paths[i]).unwrap())
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
