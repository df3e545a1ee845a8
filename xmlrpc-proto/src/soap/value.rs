//! SOAP elements to XML-RPC values and back.
//!
//! A parameter is typed by its `xsi:type` when it has one (SOAP's RPC
//! encoding, as SOAPpy and Twisted's `SOAPPublisher` send), else by the
//! type the procedure declares for its position (document/literal, as
//! zeep, JAX-WS and .NET send from the WSDL), else by its shape: child
//! elements all named `item` make an array, other children a struct, and
//! text a string. Values are written with `xsi:type` on every element,
//! so that a peer reading an `anyType` result still gets its type.

use base64::Engine as _;

use super::envelope::{MAX_NESTING, Node};
use crate::{DateTime, Struct, Value};

/// The type a position expects: an XML-RPC type name from a signature
/// (`int`, `string`, ...), or any.
fn expect_of(name: &str) -> Option<Kind> {
    Some(match name {
        "int" | "i4" => Kind::Int,
        "i8" => Kind::I8,
        "boolean" => Kind::Bool,
        "string" => Kind::String,
        "double" => Kind::Double,
        "dateTime.iso8601" => Kind::DateTime,
        "base64" => Kind::Base64,
        "array" => Kind::Array,
        "struct" => Kind::Struct,
        "nil" => Kind::Nil,
        _ => return None,
    })
}

/// The type named by an `xsi:type` (its local part).
fn xsi_kind(name: &str) -> Option<Kind> {
    Some(match name {
        "int" | "short" | "byte" | "unsignedShort" | "unsignedByte" => Kind::Int,
        "long" | "integer" | "unsignedInt" | "nonNegativeInteger" | "positiveInteger"
        | "negativeInteger" | "nonPositiveInteger" | "unsignedLong" => Kind::Integer,
        "boolean" => Kind::Bool,
        "string" | "normalizedString" | "token" | "anyURI" | "QName" | "NCName" | "Name"
        | "language" | "NMTOKEN" | "ID" | "date" | "time" | "duration" => Kind::String,
        "double" | "float" | "decimal" => Kind::Double,
        "dateTime" => Kind::DateTime,
        "base64Binary" | "base64" => Kind::Base64,
        "hexBinary" => Kind::Hex,
        "Array" => Kind::Array,
        "Struct" | "Map" => Kind::Struct,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    I8,
    /// Any integer: an int when it fits, else an i8.
    Integer,
    Bool,
    String,
    Double,
    DateTime,
    Base64,
    Hex,
    Array,
    Struct,
    Nil,
}

/// Converts a parameter, expecting the XML-RPC type `expected` (a name
/// from a signature; anything else means any type).
pub(crate) fn to_value(node: Node, expected: Option<&str>) -> Result<Value, String> {
    to_value_at(node, expected.and_then(expect_of), 0)
}

fn to_value_at(node: Node, expected: Option<Kind>, depth: usize) -> Result<Value, String> {
    if depth > MAX_NESTING {
        return Err("nesting deeper than the limit".to_owned());
    }
    if node.nil {
        return Ok(Value::Nil);
    }
    let kind = node
        .xsi_type
        .as_deref()
        .and_then(xsi_kind)
        .or(expected)
        .unwrap_or_else(|| shape(&node));
    let text = || node.text.trim_matches(|c: char| c.is_ascii_whitespace());
    let bad = |what: &str| {
        let t: String = text().chars().take(40).collect();
        format!("<{}>: expected {what}, found {t:?}", node.name)
    };
    Ok(match kind {
        Kind::Int => Value::Int(text().parse().map_err(|_| bad("int"))?),
        Kind::I8 => Value::I8(text().parse().map_err(|_| bad("i8"))?),
        Kind::Integer => {
            let n: i64 = text().parse().map_err(|_| bad("an integer"))?;
            i32::try_from(n).map_or(Value::I8(n), Value::Int)
        }
        Kind::Bool => Value::Bool(match text() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(bad("boolean")),
        }),
        Kind::Double => Value::Double(match text() {
            "INF" => f64::INFINITY,
            "-INF" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            t => t.parse().map_err(|_| bad("double"))?,
        }),
        Kind::DateTime => Value::DateTime(DateTime::parse(text()).map_err(|_| bad("dateTime"))?),
        Kind::Base64 => {
            let compact: Vec<u8> = text()
                .bytes()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            Value::Base64(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|_| bad("base64"))?,
            )
        }
        Kind::Hex => Value::Base64(hex(text()).ok_or_else(|| bad("hexBinary"))?),
        Kind::String => {
            if !node.children.is_empty() && node.xsi_type.is_none() {
                return Err(format!("<{}>: expected string, found elements", node.name));
            }
            Value::String(node.text)
        }
        Kind::Nil => Value::Nil,
        Kind::Array => Value::Array(
            node.children
                .into_iter()
                .map(|c| to_value_at(c, None, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Kind::Struct => {
            let mut s = Struct::new();
            for c in node.children {
                let name = decode_name(&c.name);
                s.insert(name, to_value_at(c, None, depth + 1)?);
            }
            Value::Struct(s)
        }
    })
}

/// The type of an untyped element, from its shape.
fn shape(node: &Node) -> Kind {
    if node.children.is_empty() {
        Kind::String
    } else if node.children.iter().all(|c| c.name == "item") {
        Kind::Array
    } else {
        Kind::Struct
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    if b.len() % 2 != 0 {
        return None;
    }
    b.chunks(2)
        .map(|p| {
            let s = std::str::from_utf8(p).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Whether `name` can be written as an XML element name without a prefix
/// (an NCName, restricted to ASCII for simplicity's sake).
pub(crate) fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Whether `name` is an XML name without a prefix (XML 1.0 fifth edition,
/// production 4 and 4a, without `:`): what an element of an answer may be
/// named after.
pub(crate) fn is_xml_name(name: &str) -> bool {
    fn start(c: char) -> bool {
        c.is_ascii_alphabetic()
            || c == '_'
            || matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
                | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
                | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
                | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
    }
    let mut chars = name.chars();
    chars.next().is_some_and(start) && chars.all(|c| {
        start(c)
            || c.is_ascii_digit()
            || matches!(c, '-' | '.' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    })
}

/// A struct member name as an element name: characters that an element
/// name cannot hold are written `_xHHHH_`, as .NET's `XmlConvert` does
/// (and an `_x` that would read as such an escape has its `_` escaped);
/// the empty name is written `_x_`.
pub(crate) fn encode_name(name: &str) -> String {
    if name.is_empty() {
        // Never the encoding of a name: `_x` followed by no hex digits.
        return EMPTY_NAME.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let ok = if i == 0 {
            c.is_ascii_alphabetic() || (c == '_' && chars.get(1) != Some(&'x'))
        } else {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '.')
                || (c == '_' && chars.get(i + 1) != Some(&'x'))
        };
        if ok {
            out.push(c);
        } else {
            let n = u32::from(c);
            if n > 0xFFFF {
                out.push_str(&format!("_x{n:08X}_"));
            } else {
                out.push_str(&format!("_x{n:04X}_"));
            }
        }
    }
    out
}

/// How [`encode_name`] writes the empty name.
const EMPTY_NAME: &str = "_x_";

/// The reverse of [`encode_name`].
pub(crate) fn decode_name(name: &str) -> String {
    if name == EMPTY_NAME {
        return String::new();
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let decoded = [8usize, 4].iter().find_map(|&len| {
            let hexpart = tail.get(..len)?;
            if tail.as_bytes().get(len) != Some(&b'_') {
                return None;
            }
            let c = char::from_u32(u32::from_str_radix(hexpart, 16).ok()?)?;
            Some((c, len + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &tail[used..];
            }
            None => {
                out.push_str("_x");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for an element's content.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// Whether `c` may appear in an XML document (XML 1.0, production 2).
pub(crate) fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether every character of `text` may appear in an XML document.
fn xml_chars(text: &str) -> bool {
    text.chars().all(xml_char)
}

/// Writes `value` as the element `prefix:name`, with its `xsi:type`.
/// Member and item elements are in the same namespace (`prefix`).
pub(crate) fn write(
    out: &mut String,
    prefix: &str,
    name: &str,
    value: &Value,
) -> Result<(), String> {
    write_at(out, prefix, name, value, 0)
}

fn write_at(
    out: &mut String,
    prefix: &str,
    name: &str,
    value: &Value,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_NESTING {
        return Err("result nested deeper than the limit".to_owned());
    }
    let open = |out: &mut String, ty: &str| {
        out.push('<');
        out.push_str(prefix);
        out.push(':');
        out.push_str(name);
        if !ty.is_empty() {
            out.push_str(" xsi:type=\"");
            out.push_str(ty);
            out.push('"');
        }
        out.push('>');
    };
    let close = |out: &mut String| {
        out.push_str("</");
        out.push_str(prefix);
        out.push(':');
        out.push_str(name);
        out.push('>');
    };
    match value {
        Value::Nil => {
            out.push('<');
            out.push_str(prefix);
            out.push(':');
            out.push_str(name);
            out.push_str(" xsi:nil=\"true\"/>");
        }
        Value::Int(i) => {
            open(out, "xsd:int");
            out.push_str(itoa::Buffer::new().format(*i));
            close(out);
        }
        Value::I8(i) => {
            open(out, "xsd:long");
            out.push_str(itoa::Buffer::new().format(*i));
            close(out);
        }
        Value::Bool(b) => {
            open(out, "xsd:boolean");
            out.push_str(if *b { "true" } else { "false" });
            close(out);
        }
        Value::Double(d) => {
            open(out, "xsd:double");
            if d.is_nan() {
                out.push_str("NaN");
            } else if d.is_infinite() {
                out.push_str(if *d > 0.0 { "INF" } else { "-INF" });
            } else {
                out.push_str(ryu::Buffer::new().format_finite(*d));
            }
            close(out);
        }
        Value::String(s) => {
            if !xml_chars(s) {
                return Err("a string holds a character XML cannot carry".to_owned());
            }
            open(out, "xsd:string");
            escape_into(out, s);
            close(out);
        }
        Value::DateTime(dt) => {
            open(out, "xsd:dateTime");
            let p = dt.to_primitive();
            let (y, m, d) = (p.year(), u8::from(p.month()), p.day());
            out.push_str(&format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
                p.hour(),
                p.minute(),
                p.second()
            ));
            let nanos = p.nanosecond();
            if nanos != 0 {
                let frac = format!("{nanos:09}");
                out.push('.');
                out.push_str(frac.trim_end_matches('0'));
            }
            if let Some(o) = dt.offset() {
                if o.is_utc() {
                    out.push('Z');
                } else {
                    let (h, mi, _) = o.as_hms();
                    let sign = if o.is_negative() { '-' } else { '+' };
                    out.push_str(&format!("{sign}{:02}:{:02}", h.abs(), mi.abs()));
                }
            }
            close(out);
        }
        Value::Base64(b) => {
            open(out, "xsd:base64Binary");
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
            close(out);
        }
        Value::Array(items) => {
            open(out, "tns:Array");
            for item in items {
                write_at(out, prefix, "item", item, depth + 1)?;
            }
            close(out);
        }
        Value::Struct(s) => {
            open(out, "tns:Struct");
            for (k, v) in s.iter() {
                write_at(out, prefix, &encode_name(k), v, depth + 1)?;
            }
            close(out);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(name: &str, ty: Option<&str>, text: &str) -> Node {
        Node {
            name: name.to_owned(),
            xsi_type: ty.map(str::to_owned),
            text: text.to_owned(),
            ..Node::default()
        }
    }

    #[test]
    fn names_round_trip() {
        for n in [
            "a",
            "a b",
            "1x",
            "_x0020_",
            "snow\u{2603}man",
            "",
            "a:b",
            "x_y",
            "_",
        ] {
            let e = encode_name(n);
            assert!(is_ncname(&e), "{n:?} -> {e:?}");
            assert_eq!(decode_name(&e), n, "{e:?}");
        }
        assert_eq!(encode_name("a b"), "a_x0020_b");
        assert!(is_xml_name("date.time") && is_xml_name("caf\u{e9}") && is_xml_name("_a-1"));
        assert!(
            !is_xml_name("") && !is_xml_name("1a") && !is_xml_name("a\"b") && !is_xml_name("a&b")
        );
    }

    #[test]
    fn typed_by_xsi_then_signature_then_shape() {
        let v = to_value(leaf("a", Some("int"), " 5 "), Some("string")).unwrap();
        assert_eq!(v, Value::Int(5));
        assert_eq!(
            to_value(leaf("a", None, "5"), Some("int")).unwrap(),
            Value::Int(5)
        );
        assert_eq!(
            to_value(leaf("a", None, "5"), None).unwrap(),
            Value::String("5".into())
        );
        assert!(to_value(leaf("a", None, "x"), Some("int")).is_err());
        let long = to_value(leaf("a", Some("long"), "5"), None).unwrap();
        assert_eq!(long, Value::Int(5));
        let arr = Node {
            name: "a".into(),
            children: vec![leaf("item", Some("int"), "1"), leaf("item", None, "x")],
            ..Node::default()
        };
        assert_eq!(
            to_value(arr, None).unwrap(),
            Value::Array(vec![Value::Int(1), Value::String("x".into())])
        );
        let hexed = to_value(leaf("h", Some("hexBinary"), "6869"), None).unwrap();
        assert_eq!(hexed, Value::Base64(b"hi".to_vec()));
    }

    #[test]
    fn writes_types() {
        let mut s = Struct::new();
        s.insert("a b", Value::Array(vec![Value::Int(1), Value::Nil]));
        let mut out = String::new();
        write(&mut out, "m", "r", &Value::Struct(s)).unwrap();
        assert_eq!(
            out,
            "<m:r xsi:type=\"tns:Struct\"><m:a_x0020_b xsi:type=\"tns:Array\">\
             <m:item xsi:type=\"xsd:int\">1</m:item><m:item xsi:nil=\"true\"/>\
             </m:a_x0020_b></m:r>"
        );
        let mut out = String::new();
        write(&mut out, "m", "r", &Value::Double(f64::INFINITY)).unwrap();
        assert!(out.contains(">INF<"));
    }
}
