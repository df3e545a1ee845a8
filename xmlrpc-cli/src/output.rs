//! How results are printed: `--format text|json|xml`.

use std::fmt::Write as _;

use base64::Engine as _;
use xmlrpc_proto::Value;

/// The output format of `call` and `introspect`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Format {
    /// Readable and typed: one value per line, nested values indented.
    #[default]
    Text,
    /// One line of JSON in the form of `xmlrpc_proto::json`.
    Json,
    /// The raw `methodResponse` body as received.
    Xml,
}

impl Format {
    /// Parses the `--format` value.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            "xml" => Ok(Self::Xml),
            _ => Err(format!("unknown format {s:?} (expected text, json or xml)")),
        }
    }
}

/// Indentation of one nesting level in the text format.
const INDENT: &str = "  ";

/// Writes `value` in the text format, ending with a newline.
///
/// Each scalar is its type name and its value (`int 5`, `string "x"`,
/// `double 3.0`, `base64 aGk=`, `dateTime.iso8601 20260101T12:00:00`,
/// `nil`); an array is `array [` ... `]` and a struct `struct {` ... `}`
/// with its members as `name: VALUE`, one per line, indented by two
/// spaces per level. Strings and unusual member names are quoted with
/// JSON escapes, so every value is one line and control characters are
/// visible. Walks the value with an explicit stack: depth costs no call
/// stack.
pub(crate) fn write_text(value: &Value, out: &mut String) {
    enum Work<'a> {
        Value {
            depth: usize,
            name: Option<&'a str>,
            value: &'a Value,
        },
        Close {
            depth: usize,
            closer: char,
        },
    }
    let mut work = vec![Work::Value {
        depth: 0,
        name: None,
        value,
    }];
    while let Some(item) = work.pop() {
        match item {
            Work::Close { depth, closer } => {
                indent(out, depth);
                out.push(closer);
                out.push('\n');
            }
            Work::Value { depth, name, value } => {
                indent(out, depth);
                if let Some(name) = name {
                    write_name(name, out);
                    out.push_str(": ");
                }
                match value {
                    Value::Array(items) if items.is_empty() => out.push_str("array []\n"),
                    Value::Struct(members) if members.is_empty() => out.push_str("struct {}\n"),
                    Value::Array(items) => {
                        out.push_str("array [\n");
                        work.push(Work::Close { depth, closer: ']' });
                        work.extend(items.iter().rev().map(|v| Work::Value {
                            depth: depth + 1,
                            name: None,
                            value: v,
                        }));
                    }
                    Value::Struct(members) => {
                        out.push_str("struct {\n");
                        work.push(Work::Close { depth, closer: '}' });
                        work.extend(members.as_slice().iter().rev().map(|(k, v)| Work::Value {
                            depth: depth + 1,
                            name: Some(k.as_str()),
                            value: v,
                        }));
                    }
                    scalar => {
                        write_scalar(scalar, out);
                        out.push('\n');
                    }
                }
            }
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str(INDENT);
    }
}

/// A member name bare when it is a plain word, else quoted.
fn write_name(name: &str, out: &mut String) {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        out.push_str(name);
    } else {
        write_quoted(name, out);
    }
}

fn write_scalar(value: &Value, out: &mut String) {
    out.push_str(value.type_name());
    match value {
        Value::Nil => {}
        Value::Int(i) => {
            let _ = write!(out, " {i}");
        }
        Value::I8(i) => {
            let _ = write!(out, " {i}");
        }
        Value::Bool(b) => {
            let _ = write!(out, " {b}");
        }
        // `{:?}` always writes a `.` or an exponent: `3.0`, `1e300`.
        Value::Double(d) => {
            let _ = write!(out, " {d:?}");
        }
        Value::String(s) => {
            out.push(' ');
            write_quoted(s, out);
        }
        Value::DateTime(d) => {
            out.push(' ');
            out.push_str(d.as_str());
        }
        Value::Base64(b) => {
            out.push(' ');
            base64::engine::general_purpose::STANDARD.encode_string(b, out);
        }
        // Composites are handled by `write_text`.
        Value::Array(_) | Value::Struct(_) => {}
    }
}

/// A JSON string literal: `"`, `\` and control characters escaped.
fn write_quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmlrpc_proto::{DateTime, Struct};

    fn text(v: &Value) -> String {
        let mut s = String::new();
        write_text(v, &mut s);
        s
    }

    #[test]
    fn scalars() {
        for (v, want) in [
            (Value::Int(-5), "int -5\n"),
            (Value::I8(1 << 40), "i8 1099511627776\n"),
            (Value::Bool(true), "boolean true\n"),
            (Value::Double(3.0), "double 3.0\n"),
            (Value::Double(1e300), "double 1e300\n"),
            (Value::Double(-0.5), "double -0.5\n"),
            (
                Value::from("a\"b\\c\nd\u{1}é"),
                "string \"a\\\"b\\\\c\\nd\\u0001é\"\n",
            ),
            (Value::from(""), "string \"\"\n"),
            (Value::Nil, "nil\n"),
            (Value::Base64(b"hello".to_vec()), "base64 aGVsbG8=\n"),
            (Value::Base64(vec![]), "base64 \n"),
            (
                Value::DateTime(DateTime::parse("20260101T12:00:00").unwrap()),
                "dateTime.iso8601 20260101T12:00:00\n",
            ),
            (Value::Array(vec![]), "array []\n"),
            (Value::Struct(Struct::new()), "struct {}\n"),
        ] {
            assert_eq!(text(&v), want, "{v:?}");
        }
    }

    #[test]
    fn nested_is_indented() {
        let mut inner = Struct::new();
        inner.insert("key", Value::Int(5));
        inner.insert("two words", Value::Array(vec![]));
        inner.insert("", Value::Nil);
        let v = Value::Array(vec![
            Value::from("b"),
            Value::Struct(inner),
            Value::Array(vec![Value::Int(12)]),
        ]);
        assert_eq!(
            text(&v),
            "array [\n  string \"b\"\n  struct {\n    key: int 5\n    \"two words\": array []\n    \"\": nil\n  }\n  array [\n    int 12\n  ]\n]\n"
        );
    }

    #[test]
    fn deep_values_need_no_call_stack() {
        let mut v = Value::Int(1);
        for _ in 0..1_000 {
            v = Value::Array(vec![v]);
        }
        let s = text(&v);
        assert_eq!(s.lines().count(), 2 * 1_000 + 1);
        // Take the value apart level by level: dropping it whole would recurse.
        while let Value::Array(mut items) = v {
            v = items.pop().unwrap_or(Value::Nil);
        }
    }

    #[test]
    fn format_names() {
        assert_eq!(Format::parse("text"), Ok(Format::Text));
        assert_eq!(Format::parse("json"), Ok(Format::Json));
        assert_eq!(Format::parse("xml"), Ok(Format::Xml));
        assert!(
            Format::parse("yaml")
                .unwrap_err()
                .contains("text, json or xml")
        );
    }
}
