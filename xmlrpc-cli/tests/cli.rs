//! The `xmlrpc` binary run as a process: help, `encode`, `decode`, their
//! round trip, and the exit statuses that need no server.

use std::io::Write;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_xmlrpc");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_bytes(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the xmlrpc binary runs");
    {
        let mut input = child.stdin.take().expect("stdin is piped");
        // The command may exit before reading all of its input.
        let _ = input.write_all(stdin);
    }
    let out = child
        .wait_with_output()
        .expect("the xmlrpc binary finishes");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn ok(args: &[&str], stdin: &[u8]) -> String {
    let r = run_bytes(args, stdin);
    assert_eq!(r.code, 0, "{args:?}: stderr {:?}", r.stderr);
    assert_eq!(r.stderr, "", "{args:?}");
    r.stdout
}

/// Asserts exit status 2 with one line on stderr containing `needle`, and
/// returns that line.
fn fails(args: &[&str], stdin: &[u8], needle: &str) -> String {
    let r = run_bytes(args, stdin);
    assert_eq!(
        r.code, 2,
        "{args:?}: stdout {:?} stderr {:?}",
        r.stdout, r.stderr
    );
    assert_eq!(r.stdout, "", "{args:?}");
    assert!(r.stderr.ends_with('\n'), "{:?}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {:?}", r.stderr);
    assert!(r.stderr.starts_with("xmlrpc: "), "{:?}", r.stderr);
    assert!(
        r.stderr.contains(needle),
        "{args:?}: {:?} lacks {needle:?}",
        r.stderr
    );
    r.stderr
}

/// `encode call echo ARG` piped into `decode`: the JSON of the one param.
fn round_trip(arg: &str) -> String {
    let xml = ok(&["encode", "call", "echo", arg], b"");
    let json = ok(&["decode"], xml.as_bytes());
    let prefix = r#"{"methodCall": {"methodName": "echo", "params": ["#;
    let inner = json
        .strip_prefix(prefix)
        .and_then(|j| j.strip_suffix("]}}\n"))
        .unwrap_or_else(|| panic!("{json:?}"));
    inner.to_owned()
}

#[test]
fn help_for_every_command() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["help", "call"],
        &["call", "--help"],
        &["introspect", "--help"],
        &["decode", "--help"],
        &["encode", "--help"],
        &["encode", "call", "-h"],
    ] {
        let out = ok(args, b"");
        assert!(out.contains("Usage"), "{args:?}");
        assert!(out.contains("Examples:"), "{args:?}");
    }
    assert!(ok(&["call", "--help"], b"").contains("struct/{K:V,...}"));
    assert!(ok(&["--version"], b"").starts_with("xmlrpc "));
}

#[test]
fn encode_call_prints_the_document() {
    assert_eq!(
        ok(&["encode", "call", "add", "i/2", "3"], b""),
        "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
         <param><value><int>2</int></value></param>\
         <param><value><int>3</int></value></param></params></methodCall>"
    );
    assert_eq!(
        ok(&["encode", "call", "system.listMethods"], b""),
        "<?xml version=\"1.0\"?><methodCall><methodName>system.listMethods</methodName>\
         <params></params></methodCall>"
    );
}

#[test]
fn encode_response_allows_nil_and_i8() {
    let out = ok(&["encode", "response", "array/(n/,I/5,2147483648)"], b"");
    assert!(
        out.starts_with("<?xml version=\"1.0\"?><methodResponse><params><param>"),
        "{out}"
    );
    assert!(out.contains("<value><nil/></value>"), "{out}");
    assert!(out.contains("<value><i8>5</i8></value>"), "{out}");
    assert!(out.contains("<value><i8>2147483648</i8></value>"), "{out}");
    let fault = ok(&["encode", "fault", "12", "hello"], b"");
    assert!(
        fault.contains("<fault>") && fault.contains("<int>12</int>"),
        "{fault}"
    );
}

#[test]
fn decode_prints_one_json_line() {
    let call =
        b"<?xml version=\"1.0\"?>\n<methodCall><methodName>examples.getStateName</methodName>\
        <params><param><value><i4>41</i4></value></param></params></methodCall>\n";
    assert_eq!(
        ok(&["decode"], call),
        "{\"methodCall\": {\"methodName\": \"examples.getStateName\", \"params\": [41]}}\n"
    );
    let response = b"<methodResponse><params><param><value><string>South Dakota</string>\
        </value></param></params></methodResponse>";
    assert_eq!(
        ok(&["decode"], response),
        "{\"methodResponse\": {\"params\": [\"South Dakota\"]}}\n"
    );
    // A fault document is decoded like any other: exit 0.
    let fault = ok(&["encode", "fault", "4", "Too many parameters."], b"");
    assert_eq!(
        ok(&["decode"], fault.as_bytes()),
        "{\"methodResponse\": {\"fault\": {\"faultCode\": 4, \"faultString\": \"Too many parameters.\"}}}\n"
    );
}

#[test]
fn decode_rejects_malformed_documents_with_an_offset() {
    for doc in [
        &b""[..],
        b"<methodCall>",
        b"<methodCall><methodName>x</methodName><params><param><value><int>1x</int></value></param></params></methodCall>",
        b"not xml at all",
        b"\xff\xfe<methodCall/>",
        b"<methodResponse><params><param><value><array><data><value>",
    ] {
        let line = fails(&["decode"], doc, "decode: ");
        assert!(line.contains("at byte "), "{line:?}");
    }
}

#[test]
fn encode_decode_round_trip() {
    for (arg, json) in [
        ("i/5", "5"),
        ("-7", "-7"),
        ("I/5", "5"),
        ("i8/-9223372036854775808", "-9223372036854775808"),
        ("2147483648", "2147483648"),
        ("d/1.5", "1.5"),
        ("d/3", "3.0"),
        ("2.5", "2.5"),
        ("b/t", "true"),
        ("b/false", "false"),
        ("s/text", "\"text\""),
        ("s/", "\"\""),
        ("hello world", "\"hello world\""),
        ("s/<&>\"'\r\n\t", "\"<&>\\\"'\\r\\n\\t\""),
        ("s/\u{2603}", "\"\u{2603}\""),
        ("n/", "null"),
        ("h/68656c6c6f", "{\"base64\": \"aGVsbG8=\"}"),
        ("b64/aGVsbG8=", "{\"base64\": \"aGVsbG8=\"}"),
        (
            "dt/20260101T12:00:00",
            "{\"dateTime.iso8601\": \"20260101T12:00:00\"}",
        ),
        ("array/(i/1,s/x)", "[1, \"x\"]"),
        ("array/()", "[]"),
        ("struct/{}", "{}"),
        ("struct/{key:i/1,k2:s/v}", "{\"key\": 1, \"k2\": \"v\"}"),
        (
            r"struct/{a\:b:array/(s/x\,y,struct/{c:n/}),d:dt/20260101T12:00:00}",
            "{\"a:b\": [\"x,y\", {\"c\": null}], \"d\": {\"dateTime.iso8601\": \"20260101T12:00:00\"}}",
        ),
    ] {
        assert_eq!(round_trip(arg), json, "{arg:?}");
    }
}

#[test]
fn deep_nesting_round_trips_up_to_the_limit() {
    let nest = |n: usize| format!("{}i/1{}", "array/(".repeat(n), ")".repeat(n));
    let json = round_trip(&nest(64));
    assert_eq!(json, format!("{}1{}", "[".repeat(64), "]".repeat(64)));
    fails(
        &["encode", "call", "echo", &nest(65)],
        b"",
        "deeper than 64",
    );
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    for (args, needle) in [
        (&[][..], "no command"),
        (&["frob"], "unknown command"),
        (&["call"], "needs a URL and a METHOD"),
        (
            &["call", "localhost:7080", "add", "i/x"],
            "argument 1 \"i/x\"",
        ),
        (
            &["call", "localhost:7080", "add", "--frob"],
            "unknown option",
        ),
        (
            &["call", "localhost:7080", "add", "-f", "yaml"],
            "unknown format",
        ),
        (&["call", "gopher://h/", "add"], "scheme"),
        (
            &["encode", "call", "m", "array/(i/1"],
            "missing its closing ')'",
        ),
        (&["encode", "call", "m", "s/a\u{1}b"], "cannot encode"),
        (&["encode", "response"], "exactly one"),
        (&["decode", "--timeout", "1"], "does not apply"),
    ] {
        fails(args, b"", needle);
    }
}

#[test]
fn python_reads_what_encode_writes() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: python3 is not on the PATH");
        return;
    }
    let xml = ok(
        &[
            "encode",
            "call",
            "m",
            "i/1",
            "I/5",
            "d/1.5",
            "b/t",
            "s/a<b&c",
            "n/",
            "h/6869",
            "dt/20260101T12:00:00",
            "struct/{k:array/(x,2)}",
        ],
        b"",
    );
    let script = "import sys, xmlrpc.client as x\n\
        params, name = x.loads(sys.stdin.buffer.read(), use_builtin_types=True)\n\
        print(name, repr(params))\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(xml.as_bytes())
        .expect("python3 reads its input");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "m (1, 5, 1.5, True, 'a<b&c', None, b'hi', \
         datetime.datetime(2026, 1, 1, 12, 0), {'k': ['x', 2]})\n"
    );
}

#[test]
fn decode_reads_what_python_writes() {
    let script = "import sys, xmlrpc.client as x\n\
        r = x.dumps(({'a': [1, 2.5, None, True, 'x\\u2603'], 'b': x.Binary(b'hi'), \
        'c': x.DateTime('20260101T12:00:00')},), methodresponse=True, allow_none=True)\n\
        f = x.dumps(x.Fault(12, 'hello <there>'))\n\
        sys.stdout.write(r + '\\0' + f)\n";
    let Ok(out) = Command::new("python3").args(["-c", script]).output() else {
        eprintln!("skipped: python3 is not on the PATH");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = out.stdout;
    let docs: Vec<&[u8]> = out.split(|&b| b == 0).collect();
    assert_eq!(
        ok(&["decode"], docs[0]),
        "{\"methodResponse\": {\"params\": [{\"a\": [1, 2.5, null, true, \"x\u{2603}\"], \
         \"b\": {\"base64\": \"aGk=\"}, \"c\": {\"dateTime.iso8601\": \"20260101T12:00:00\"}}]}}\n"
    );
    assert_eq!(
        ok(&["decode"], docs[1]),
        "{\"methodResponse\": {\"fault\": {\"faultCode\": 12, \"faultString\": \"hello <there>\"}}}\n"
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_arguments_are_usage_errors() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let out = Command::new(BIN)
        .args([OsStr::new("encode"), OsStr::new("call"), OsStr::new("m")])
        .arg(OsStr::from_bytes(b"s/\xff"))
        .output()
        .expect("the xmlrpc binary runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    assert!(out.stdout.is_empty());
}
