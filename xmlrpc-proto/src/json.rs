//! A JSON view of values and documents, for printing and for scripts.
//!
//! Values map to JSON as follows (one line, `", "` and `": "` separators):
//!
//! | XML-RPC | JSON |
//! |---|---|
//! | `int`, `i8` | integer: `42` |
//! | `double` | number that always has a `.` or an exponent: `3.0`, `1e16` |
//! | `boolean` | `true` / `false` |
//! | `string` | string |
//! | `nil` | `null` |
//! | `array` | array |
//! | `struct` | object, members in order |
//! | `base64` | `{"base64": "aGVsbG8="}` (standard alphabet, padded) |
//! | `dateTime.iso8601` | `{"dateTime.iso8601": "19980717T14:08:55"}`, the text as received |
//!
//! Documents are `{"methodCall": {"methodName": NAME, "params": [...]}}`,
//! `{"methodResponse": {"params": [VALUE]}}` and
//! `{"methodResponse": {"fault": {"faultCode": N, "faultString": S}}}`.
//!
//! The reader maps the same JSON back: an integer becomes an `int` when it
//! fits `i32` and an `i8` otherwise, a number with a `.` or an exponent a
//! `double`, an object whose only key is `base64` or `dateTime.iso8601` that
//! type, and any other object a `struct`. So a struct whose only member is
//! named `base64` or `dateTime.iso8601` does not survive the trip; nor do
//! the `i8`-ness of a small `i8`, and non-finite doubles (which XML-RPC
//! cannot carry anyway: infinities are written as `1e999` / `-1e999`, which
//! read back as infinities, and NaN as `null`).
//!
//! ```
//! use xmlrpc_proto::{Limits, Struct, Value, json};
//!
//! let mut s = Struct::new();
//! s.insert("n", Value::Int(1));
//! s.insert("bytes", Value::Base64(b"hi".to_vec()));
//! let v = Value::Array(vec![Value::Struct(s), Value::Double(3.0), Value::Nil]);
//! let text = json::to_string(&v);
//! assert_eq!(text, r#"[{"n": 1, "bytes": {"base64": "aGk="}}, 3.0, null]"#);
//! assert_eq!(json::parse_value(&text, &Limits::default()).unwrap(), v);
//! ```

use std::fmt::Write as _;

use base64::Engine as _;

use crate::{DateTime, Document, Fault, Limits, MethodCall, Struct, Value};

/// Writes `value` as one line of JSON.
#[must_use]
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// Writes `doc` as one line of JSON.
///
/// ```
/// use xmlrpc_proto::{Document, Fault, json};
///
/// let doc = Document::Response(Err(Fault::new(4, "Too many parameters.")));
/// assert_eq!(
///     json::document_to_string(&doc),
///     r#"{"methodResponse": {"fault": {"faultCode": 4, "faultString": "Too many parameters."}}}"#
/// );
/// ```
#[must_use]
pub fn document_to_string(doc: &Document) -> String {
    let mut out = String::new();
    write_document(doc, &mut out);
    out
}

/// Appends `doc` as one line of JSON to `out`.
pub fn write_document(doc: &Document, out: &mut String) {
    match doc {
        Document::Call(call) => {
            out.push_str(r#"{"methodCall": {"methodName": "#);
            write_str(&call.name, out);
            out.push_str(r#", "params": ["#);
            for (i, p) in call.params.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(p, out);
            }
            out.push_str("]}}");
        }
        Document::Response(Ok(v)) => {
            out.push_str(r#"{"methodResponse": {"params": ["#);
            write_value(v, out);
            out.push_str("]}}");
        }
        Document::Response(Err(f)) => {
            out.push_str(r#"{"methodResponse": {"fault": {"faultCode": "#);
            out.push_str(itoa::Buffer::new().format(f.code));
            out.push_str(r#", "faultString": "#);
            write_str(&f.string, out);
            out.push_str("}}}");
        }
    }
}

enum Frame<'a> {
    Array(std::slice::Iter<'a, Value>, bool),
    Struct(std::slice::Iter<'a, (String, Value)>, bool),
}

/// Appends `value` as one line of JSON to `out`. Nesting uses an explicit
/// stack: any depth is written without growing the call stack.
pub fn write_value(value: &Value, out: &mut String) {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut next = Some(value);
    loop {
        if let Some(v) = next.take() {
            match v {
                Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
                Value::I8(i) => out.push_str(itoa::Buffer::new().format(*i)),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::String(s) => write_str(s, out),
                Value::Double(d) => write_double(*d, out),
                Value::DateTime(dt) => {
                    out.push_str(r#"{"dateTime.iso8601": "#);
                    write_str(dt.as_str(), out);
                    out.push('}');
                }
                Value::Base64(b) => {
                    out.push_str(r#"{"base64": ""#);
                    base64::engine::general_purpose::STANDARD.encode_string(b, out);
                    out.push_str("\"}");
                }
                Value::Nil => out.push_str("null"),
                Value::Array(a) => {
                    out.push('[');
                    stack.push(Frame::Array(a.iter(), true));
                }
                Value::Struct(s) => {
                    out.push('{');
                    stack.push(Frame::Struct(s.as_slice().iter(), true));
                }
            }
        }
        let Some(top) = stack.last_mut() else {
            return;
        };
        match top {
            Frame::Array(items, first) => {
                if let Some(v) = items.next() {
                    if !std::mem::replace(first, false) {
                        out.push_str(", ");
                    }
                    next = Some(v);
                } else {
                    stack.pop();
                    out.push(']');
                }
            }
            Frame::Struct(members, first) => {
                if let Some((k, v)) = members.next() {
                    if !std::mem::replace(first, false) {
                        out.push_str(", ");
                    }
                    write_str(k, out);
                    out.push_str(": ");
                    next = Some(v);
                } else {
                    stack.pop();
                    out.push('}');
                }
            }
        }
    }
}

fn write_double(d: f64, out: &mut String) {
    if d.is_nan() {
        out.push_str("null");
    } else if d.is_infinite() {
        out.push_str(if d > 0.0 { "1e999" } else { "-1e999" });
    } else {
        // ryu's shortest form always has a `.` or an exponent.
        out.push_str(ryu::Buffer::new().format_finite(d));
    }
}

fn write_str(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        // Every byte matched above is ASCII, so `run..i` is on char bounds.
        out.push_str(&s[run..i]);
        if esc.is_empty() {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Why a JSON text could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at byte {offset}")]
pub struct JsonError {
    reason: String,
    offset: usize,
}

impl JsonError {
    /// The byte offset in the input where the problem was found.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What is wrong, without the offset.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Reads one JSON value (in the form [`write_value`] writes) as a [`Value`].
///
/// Arrays and objects may nest `limits.max_depth` deep and strings may hold
/// `limits.max_string_bytes`; the reader uses an explicit stack and never
/// panics.
///
/// # Errors
///
/// When the text is not JSON, exceeds `limits`, has an integer beyond
/// `i64`, or has a `base64` / `dateTime.iso8601` object whose text is not
/// valid for that type.
pub fn parse_value(text: &str, limits: &Limits) -> Result<Value, JsonError> {
    Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
        limits,
        max_depth: limits.max_depth,
    }
    .document()
}

/// Reads a JSON document (in the form [`write_document`] writes) as a
/// [`Document`].
///
/// ```
/// use xmlrpc_proto::{Document, Limits, MethodCall, Value, json};
///
/// let doc = json::parse_document(
///     r#"{"methodCall": {"methodName": "add", "params": [1, 2.5]}}"#,
///     &Limits::default(),
/// )
/// .unwrap();
/// assert_eq!(
///     doc,
///     Document::Call(MethodCall::new("add", vec![Value::Int(1), Value::Double(2.5)]))
/// );
/// ```
///
/// # Errors
///
/// As [`parse_value`], and when the JSON does not have one of the three
/// document shapes.
pub fn parse_document(text: &str, limits: &Limits) -> Result<Document, JsonError> {
    let v = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
        limits,
        // The document wrappers add up to three levels around the values.
        max_depth: limits.max_depth.saturating_add(3),
    }
    .document()?;
    let shape = |reason: &str| JsonError {
        reason: format!("not an XML-RPC document: {reason}"),
        offset: 0,
    };
    let Value::Struct(root) = v else {
        return Err(shape("expected an object"));
    };
    let mut root = root.into_vec();
    if root.len() != 1 {
        return Err(shape("expected one key, methodCall or methodResponse"));
    }
    // The length was checked just above.
    let (kind, body) = root.pop().ok_or_else(|| shape("empty object"))?;
    let Value::Struct(mut body) = body else {
        return Err(shape("expected an object inside the root key"));
    };
    match kind.as_str() {
        "methodCall" => {
            if body.len() != 2 {
                return Err(shape("methodCall needs exactly methodName and params"));
            }
            let Some(Value::String(name)) = body.remove("methodName") else {
                return Err(shape("methodName must be a string"));
            };
            let Some(Value::Array(params)) = body.remove("params") else {
                return Err(shape("params must be an array"));
            };
            Ok(Document::Call(MethodCall::new(name, params)))
        }
        "methodResponse" => {
            if body.len() != 1 {
                return Err(shape("methodResponse needs exactly params or fault"));
            }
            if let Some(p) = body.remove("params") {
                let Value::Array(mut p) = p else {
                    return Err(shape("params must be an array"));
                };
                if p.len() != 1 {
                    return Err(shape("a response has exactly one param"));
                }
                // The length was checked just above.
                let v = p.pop().ok_or_else(|| shape("no param"))?;
                return Ok(Document::Response(Ok(v)));
            }
            let Some(Value::Struct(mut f)) = body.remove("fault") else {
                return Err(shape("methodResponse needs params or a fault object"));
            };
            if f.len() != 2 {
                return Err(shape("fault needs exactly faultCode and faultString"));
            }
            let Some(Value::Int(code)) = f.remove("faultCode") else {
                return Err(shape("faultCode must be a 32-bit integer"));
            };
            let Some(Value::String(string)) = f.remove("faultString") else {
                return Err(shape("faultString must be a string"));
            };
            Ok(Document::Response(Err(Fault::new(code, string))))
        }
        _ => Err(shape("expected methodCall or methodResponse")),
    }
}

/// An open container while reading.
enum Open {
    Array(Vec<Value>),
    /// Members so far and the key of the member being read.
    Object(Vec<(String, Value)>, String),
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    limits: &'a Limits,
    max_depth: usize,
}

impl Parser<'_> {
    fn err(&self, reason: impl Into<String>) -> JsonError {
        JsonError {
            reason: reason.into(),
            offset: self.i,
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), JsonError> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(format!("expected '{}'", char::from(c))))
        }
    }

    fn push(&mut self, stack: &mut Vec<Open>, open: Open) -> Result<(), JsonError> {
        if stack.len() >= self.max_depth {
            return Err(self.err(format!("nesting deeper than {}", self.max_depth)));
        }
        stack.push(open);
        Ok(())
    }

    fn key(&mut self) -> Result<String, JsonError> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a string key"));
        }
        let k = self.string()?;
        self.expect(b':')?;
        Ok(k)
    }

    fn document(mut self) -> Result<Value, JsonError> {
        let mut stack: Vec<Open> = Vec::new();
        'value: loop {
            self.ws();
            let mut value = match self.peek() {
                Some(b'[') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        Value::Array(Vec::new())
                    } else {
                        self.push(&mut stack, Open::Array(Vec::new()))?;
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        Value::Struct(Struct::new())
                    } else {
                        let k = self.key()?;
                        self.push(&mut stack, Open::Object(Vec::new(), k))?;
                        continue 'value;
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal("true", Value::Bool(true))?,
                Some(b'f') => self.literal("false", Value::Bool(false))?,
                Some(b'n') => self.literal("null", Value::Nil)?,
                Some(_) => return Err(self.err("expected a JSON value")),
                None => return Err(self.err("unexpected end of input")),
            };
            // Attach the finished value to its parent, closing containers.
            loop {
                let Some(top) = stack.last_mut() else {
                    self.ws();
                    if self.i != self.b.len() {
                        return Err(self.err("trailing characters after the value"));
                    }
                    return Ok(value);
                };
                match top {
                    Open::Array(items) => {
                        items.push(value);
                        self.ws();
                        match self.peek() {
                            Some(b',') => {
                                self.i += 1;
                                continue 'value;
                            }
                            Some(b']') => {
                                self.i += 1;
                                let Some(Open::Array(items)) = stack.pop() else {
                                    return Err(self.err("internal: unbalanced stack"));
                                };
                                value = Value::Array(items);
                            }
                            _ => return Err(self.err("expected ',' or ']'")),
                        }
                    }
                    Open::Object(members, key) => {
                        members.push((std::mem::take(key), value));
                        self.ws();
                        match self.peek() {
                            Some(b',') => {
                                self.i += 1;
                                let k = self.key()?;
                                if let Some(Open::Object(_, key)) = stack.last_mut() {
                                    *key = k;
                                }
                                continue 'value;
                            }
                            Some(b'}') => {
                                let at = self.i;
                                self.i += 1;
                                let Some(Open::Object(members, _)) = stack.pop() else {
                                    return Err(self.err("internal: unbalanced stack"));
                                };
                                value = object(members)
                                    .map_err(|reason| JsonError { reason, offset: at })?;
                            }
                            _ => return Err(self.err("expected ',' or '}'")),
                        }
                    }
                }
            }
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("expected a JSON value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 {
            return Err(self.err("expected digits"));
        }
        if n > 1 && self.b[int_start] == b'0' {
            return Err(JsonError {
                reason: "leading zero in a number".to_owned(),
                offset: int_start,
            });
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            float = true;
            if self.digits() == 0 {
                return Err(self.err("expected digits after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            float = true;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("expected digits in the exponent"));
            }
        }
        let text = &self.s[start..self.i];
        if float {
            // The grammar was checked above; Rust's parser accepts all of it.
            text.parse::<f64>()
                .map(Value::Double)
                .map_err(|_| JsonError {
                    reason: "invalid number".to_owned(),
                    offset: start,
                })
        } else {
            match text.parse::<i64>() {
                Ok(i) => Ok(i32::try_from(i).map_or(Value::I8(i), Value::Int)),
                Err(_) => Err(JsonError {
                    reason: "integer out of the 64-bit range".to_owned(),
                    offset: start,
                }),
            }
        }
    }

    /// Reads a string; `self.i` is at its opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1;
        let mut out = String::new();
        let mut run = self.i;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            match c {
                b'"' => {
                    out.push_str(&self.s[run..self.i]);
                    self.i += 1;
                    break;
                }
                b'\\' => {
                    out.push_str(&self.s[run..self.i]);
                    self.i += 1;
                    let esc = self.peek().ok_or_else(|| self.err("unterminated string"))?;
                    self.i += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if !self.b[self.i..].starts_with(b"\\u") {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let c = char::from_u32(c)
                                .ok_or_else(|| self.err("unpaired surrogate in \\u escape"))?;
                            out.push(c);
                        }
                        _ => return Err(self.err("invalid escape in string")),
                    }
                    run = self.i;
                }
                0..=0x1F => return Err(self.err("control character in string")),
                _ => self.i += 1,
            }
            if out.len() + (self.i - run) > self.limits.max_string_bytes {
                return Err(self.err(format!(
                    "string longer than {} bytes",
                    self.limits.max_string_bytes
                )));
            }
        }
        Ok(out)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("expected four hex digits"))?;
        let mut v = 0u32;
        for &c in h {
            let d = char::from(c)
                .to_digit(16)
                .ok_or_else(|| self.err("expected four hex digits"))?;
            v = v * 16 + d;
        }
        self.i += 4;
        Ok(v)
    }
}

/// Turns a finished JSON object into a value: the typed wrappers, or a
/// struct.
fn object(mut members: Vec<(String, Value)>) -> Result<Value, String> {
    if members.len() == 1 {
        match members[0].0.as_str() {
            "base64" => {
                let Some((_, Value::String(text))) = members.pop() else {
                    return Err("a base64 object needs a string".to_owned());
                };
                return base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .map(Value::Base64)
                    .map_err(|e| format!("invalid base64: {e}"));
            }
            "dateTime.iso8601" => {
                let Some((_, Value::String(text))) = members.pop() else {
                    return Err("a dateTime.iso8601 object needs a string".to_owned());
                };
                return DateTime::parse(&text)
                    .map(Value::DateTime)
                    .map_err(|e| e.to_string());
            }
            _ => {}
        }
    }
    Ok(Value::Struct(Struct::from_members(members)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Value, JsonError> {
        parse_value(s, &Limits::default())
    }

    #[test]
    fn writes_every_type() {
        let mut s = Struct::new();
        s.insert("q\"\\\n\u{1}", Value::I8(1 << 40));
        let v = Value::Array(vec![
            Value::Int(-1),
            Value::Bool(false),
            Value::from("\u{2603}\t"),
            Value::Double(1e16),
            Value::Double(-0.5),
            Value::DateTime(DateTime::parse("1998-07-17T14:08:55Z").unwrap()),
            Value::Base64(vec![0, 255]),
            Value::Nil,
            Value::Struct(s),
            Value::Array(vec![]),
            Value::Struct(Struct::new()),
        ]);
        let want = r#"[-1, false, "☃\t", 1e16, -0.5, {"dateTime.iso8601": "1998-07-17T14:08:55Z"}, {"base64": "AP8="}, null, {"q\"\\\n\u0001": 1099511627776}, [], {}]"#;
        assert_eq!(to_string(&v), want);
        assert_eq!(p(want).unwrap(), v);
    }

    #[test]
    fn non_finite_doubles() {
        assert_eq!(to_string(&Value::Double(f64::INFINITY)), "1e999");
        assert_eq!(to_string(&Value::Double(f64::NEG_INFINITY)), "-1e999");
        assert_eq!(to_string(&Value::Double(f64::NAN)), "null");
        assert_eq!(p("1e999").unwrap(), Value::Double(f64::INFINITY));
    }

    #[test]
    fn reads_numbers() {
        assert_eq!(p("0").unwrap(), Value::Int(0));
        assert_eq!(p("-2147483648").unwrap(), Value::Int(i32::MIN));
        assert_eq!(p("2147483648").unwrap(), Value::I8(1 << 31));
        assert_eq!(p("3.0").unwrap(), Value::Double(3.0));
        assert_eq!(p("1E+2").unwrap(), Value::Double(100.0));
        for bad in [
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "99999999999999999999",
            "NaN",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_strings() {
        assert_eq!(
            p(r#" "a\u00e9\ud83d\ude00\/\b\f\n\r\t" "#).unwrap(),
            Value::from("aé😀/\u{8}\u{c}\n\r\t")
        );
        for bad in [
            r#""\ud83d""#,
            r#""\ude00x""#,
            r#""\x""#,
            "\"a",
            "\"\u{1}\"",
            r#""\u12""#,
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn typed_objects() {
        assert!(p(r#"{"base64": "!!"}"#).is_err());
        assert!(p(r#"{"base64": 1}"#).is_err());
        assert!(p(r#"{"dateTime.iso8601": "yesterday"}"#).is_err());
        let v = p(r#"{"base64": "x", "y": 1}"#).unwrap();
        assert_eq!(v.get("base64"), Some(&Value::from("x")));
    }

    #[test]
    fn malformed_never_panics() {
        for bad in [
            "",
            "[",
            "]",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1,",
            "[1,]",
            "[1 2]",
            "{1:2}",
            "tru",
            "nul",
            "[1]x",
            "{\"a\":1}}",
            "\"",
            "-",
            "[\"\\u",
        ] {
            let e = p(bad).unwrap_err();
            assert!(e.offset() <= bad.len(), "{bad}: {e}");
        }
    }

    #[test]
    fn depth_limit_without_recursion() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        assert!(parse_value("[[[1]]]", &limits).is_ok());
        let e = parse_value("[[[[1]]]]", &limits).unwrap_err();
        assert!(e.reason().contains("nesting"), "{e}");
        let deep = "[".repeat(1_000_000);
        assert!(p(&deep).is_err());
    }

    #[test]
    fn string_limit() {
        let limits = Limits {
            max_string_bytes: 4,
            ..Limits::default()
        };
        assert!(parse_value("\"abcd\"", &limits).is_ok());
        assert!(parse_value("\"abcde\"", &limits).is_err());
        assert!(parse_value("\"ab\\ncd\"", &limits).is_err());
    }

    #[test]
    fn documents() {
        let l = Limits::default();
        for doc in [
            Document::Call(MethodCall::new("a.b", vec![])),
            Document::Call(MethodCall::new("x", vec![Value::Int(1), Value::Nil])),
            Document::Response(Ok(Value::Array(vec![]))),
            Document::Response(Err(Fault::new(-1, "\"oops\""))),
        ] {
            let text = document_to_string(&doc);
            assert_eq!(parse_document(&text, &l).unwrap(), doc, "{text}");
        }
        assert_eq!(
            document_to_string(&Document::Call(MethodCall::new("m", vec![Value::Int(1)]))),
            r#"{"methodCall": {"methodName": "m", "params": [1]}}"#
        );
        for bad in [
            "[]",
            r#"{"methodCall": {"methodName": 1, "params": []}}"#,
            r#"{"methodCall": {"methodName": "m"}}"#,
            r#"{"methodResponse": {"params": []}}"#,
            r#"{"methodResponse": {"params": [1, 2]}}"#,
            r#"{"methodResponse": {"fault": {"faultCode": 1}}}"#,
            r#"{"methodResponse": {"fault": {"faultCode": 4294967296, "faultString": ""}}}"#,
            r#"{"other": {}}"#,
        ] {
            assert!(parse_document(bad, &l).is_err(), "{bad}");
        }
    }
}
