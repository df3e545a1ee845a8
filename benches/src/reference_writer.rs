//! A tight writer of XML-RPC documents: the write ceiling.
//!
//! It writes the compact form that Python's `xmlrpc.client` writes, without
//! the line breaks: `<int>`, `<string>` always spelled out, `&`, `<` and `>`
//! escaped, base64 on one line. It does no validation (a NaN double is
//! written as `NaN`) and recurses on nesting: it only ever writes the
//! benchmark's own payloads.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use xmlrpc_proto::{Fault, MethodCall, Value};

const DECL: &[u8] = b"<?xml version=\"1.0\"?>\n";

/// Appends a `methodCall` document to `out`.
pub fn write_call(call: &MethodCall, out: &mut Vec<u8>) {
    out.extend_from_slice(DECL);
    out.extend_from_slice(b"<methodCall><methodName>");
    escape(&call.name, out);
    out.extend_from_slice(b"</methodName><params>");
    for p in &call.params {
        out.extend_from_slice(b"<param>");
        write_value(p, out);
        out.extend_from_slice(b"</param>");
    }
    out.extend_from_slice(b"</params></methodCall>\n");
}

/// Appends a `methodResponse` document to `out`.
pub fn write_response(response: &Result<Value, Fault>, out: &mut Vec<u8>) {
    out.extend_from_slice(DECL);
    match response {
        Ok(v) => {
            out.extend_from_slice(b"<methodResponse><params><param>");
            write_value(v, out);
            out.extend_from_slice(b"</param></params></methodResponse>\n");
        }
        Err(f) => {
            out.extend_from_slice(
                b"<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>",
            );
            out.extend_from_slice(itoa::Buffer::new().format(f.code).as_bytes());
            out.extend_from_slice(
                b"</int></value></member><member><name>faultString</name><value><string>",
            );
            escape(&f.string, out);
            out.extend_from_slice(
                b"</string></value></member></struct></value></fault></methodResponse>\n",
            );
        }
    }
}

/// Appends one `<value>` element to `out`.
pub fn write_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Int(i) => {
            out.extend_from_slice(b"<value><int>");
            out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
            out.extend_from_slice(b"</int></value>");
        }
        Value::I8(i) => {
            out.extend_from_slice(b"<value><i8>");
            out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
            out.extend_from_slice(b"</i8></value>");
        }
        Value::Bool(b) => {
            out.extend_from_slice(if *b {
                b"<value><boolean>1</boolean></value>"
            } else {
                b"<value><boolean>0</boolean></value>"
            });
        }
        Value::String(s) => {
            out.extend_from_slice(b"<value><string>");
            escape(s, out);
            out.extend_from_slice(b"</string></value>");
        }
        Value::Double(d) => {
            out.extend_from_slice(b"<value><double>");
            out.extend_from_slice(ryu::Buffer::new().format(*d).as_bytes());
            out.extend_from_slice(b"</double></value>");
        }
        Value::DateTime(d) => {
            out.extend_from_slice(b"<value><dateTime.iso8601>");
            out.extend_from_slice(d.as_str().as_bytes());
            out.extend_from_slice(b"</dateTime.iso8601></value>");
        }
        Value::Base64(bytes) => {
            out.extend_from_slice(b"<value><base64>");
            let start = out.len();
            out.resize(start + bytes.len().div_ceil(3) * 4, 0);
            let n = STANDARD
                .encode_slice(bytes, &mut out[start..])
                .expect("the buffer was sized for the padded encoding");
            out.truncate(start + n);
            out.extend_from_slice(b"</base64></value>");
        }
        Value::Struct(s) => {
            out.extend_from_slice(b"<value><struct>");
            for (name, member) in s.iter() {
                out.extend_from_slice(b"<member><name>");
                escape(name, out);
                out.extend_from_slice(b"</name>");
                write_value(member, out);
                out.extend_from_slice(b"</member>");
            }
            out.extend_from_slice(b"</struct></value>");
        }
        Value::Array(a) => {
            out.extend_from_slice(b"<value><array><data>");
            for e in a {
                write_value(e, out);
            }
            out.extend_from_slice(b"</data></array></value>");
        }
        Value::Nil => out.extend_from_slice(b"<value><nil/></value>"),
    }
}

/// Bytes that need an entity in text.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t
};

/// Appends `s` with `&`, `<` and `>` escaped. A table lookup per byte beats
/// a vectorised search on the short strings of XML-RPC documents.
fn escape(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    let mut last = 0;
    while let Some(p) = bytes[last..].iter().position(|&b| SPECIAL[usize::from(b)]) {
        let i = last + p;
        out.extend_from_slice(&bytes[last..i]);
        out.extend_from_slice(match bytes[i] {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            _ => b"&gt;",
        });
        last = i + 1;
    }
    out.extend_from_slice(&bytes[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmlrpc_proto::Struct;

    fn text(v: &Value) -> String {
        let mut out = Vec::new();
        write_value(v, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_markup_and_keeps_non_ascii() {
        assert_eq!(
            text(&Value::from("a&b<c>d é☃")),
            "<value><string>a&amp;b&lt;c&gt;d é☃</string></value>"
        );
    }

    #[test]
    fn writes_every_type() {
        let mut s = Struct::new();
        s.insert("k&", Value::Int(-7));
        let v = Value::Array(vec![
            Value::I8(1 << 40),
            Value::Bool(true),
            Value::Double(1.5),
            Value::DateTime(xmlrpc_proto::DateTime::parse("20260101T12:00:00").unwrap()),
            Value::Base64(b"hello".to_vec()),
            Value::Struct(s),
            Value::Nil,
        ]);
        assert_eq!(
            text(&v),
            "<value><array><data><value><i8>1099511627776</i8></value>\
             <value><boolean>1</boolean></value><value><double>1.5</double></value>\
             <value><dateTime.iso8601>20260101T12:00:00</dateTime.iso8601></value>\
             <value><base64>aGVsbG8=</base64></value>\
             <value><struct><member><name>k&amp;</name><value><int>-7</int></value></member></struct></value>\
             <value><nil/></value></data></array></value>"
        );
    }

    #[test]
    fn writes_documents() {
        let mut out = Vec::new();
        write_call(
            &MethodCall::new("add", vec![Value::Int(1), Value::Int(2)]),
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<?xml version=\"1.0\"?>\n<methodCall><methodName>add</methodName><params>\
             <param><value><int>1</int></value></param><param><value><int>2</int></value></param>\
             </params></methodCall>\n"
        );
        let mut out = Vec::new();
        write_response(&Err(Fault::new(4, "x<y")), &mut out);
        assert!(String::from_utf8(out).unwrap().contains(
            "<name>faultCode</name><value><int>4</int></value></member><member><name>faultString</name><value><string>x&lt;y</string>"
        ));
    }
}
