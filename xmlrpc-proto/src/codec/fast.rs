//! The fast path of decoding: documents in the plain form that peers
//! write, read straight from the bytes.
//!
//! Python's `xmlrpc.client`, this crate's encoder and most other peers
//! write a narrow form of XML: a declaration, then elements spelled out
//! without attributes or prefixes, whitespace (often one line break)
//! between them, and text that uses only XML's five predefined entities.
//! This reader accepts exactly that form, by comparing each tag with the
//! few the grammar allows where it stands, with no tokenizer underneath.
//!
//! It reads a strict subset of what the full decoder reads, and gives the
//! same values for it: whatever else it meets (a comment, CDATA, a
//! character reference, an attribute, an empty-element form it does not
//! know, a value over a limit, any error) makes it give up with `None`,
//! and the caller reads the document again with the full decoder, which
//! then returns the value or the error and its offset. So the path decides
//! no verdict of its own; at worst a document is read twice.
//!
//! Its bounds are the full decoder's: nesting is kept on an explicit stack
//! no higher than [`Limits::max_depth`], `<value>`s are counted against
//! [`Limits::max_values`], text against [`Limits::max_string_bytes`].

use super::decode::{
    Acc, Build, Scalar, decode_base64, is_xml_space, parse_bool, parse_double, parse_int,
};
use crate::{DateTime, Fault, Limits};

/// An array or struct being read; its finished children wait on the
/// reader's shared stacks from `start` on, as in the full decoder.
enum Frame {
    Array { start: usize },
    Struct { start: usize },
}

/// What follows inside the innermost open array or struct.
enum Step<V> {
    /// A `<value>` was opened.
    Open,
    /// The container is complete, with its `</value>`.
    Done(V),
}

/// What the content of an opened `<value>` turned out to be.
enum Content<V> {
    Done(V),
    Array,
    Struct,
}

/// The reader. `None` from any method means "not in the plain form": the
/// caller falls back to the full decoder.
pub(super) struct Fast<'a, B: Build<'a>> {
    src: &'a str,
    pos: usize,
    max_depth: usize,
    max_values: usize,
    max_string: usize,
    values: usize,
    frames: Vec<Frame>,
    items: Vec<B::Value>,
    members: Vec<(B::Str, B::Value)>,
    names: Vec<B::Str>,
    scratch: Vec<u8>,
}

/// A whole `methodCall` in the plain form: its name and parameters.
pub(super) fn call<'a, B: Build<'a>>(
    src: &'a str,
    limits: &Limits,
) -> Option<(B::Str, Vec<B::Value>)> {
    Fast::<B>::new(src, limits).call()
}

/// A whole `methodResponse` in the plain form.
pub(super) fn response<'a, B: Build<'a>>(
    src: &'a str,
    limits: &Limits,
) -> Option<Result<B::Value, Fault>> {
    Fast::<B>::new(src, limits).response()
}

#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a, B: Build<'a>> Fast<'a, B> {
    fn new(src: &'a str, limits: &Limits) -> Self {
        Self {
            src,
            pos: 0,
            max_depth: limits.max_depth,
            max_values: limits.max_values,
            max_string: limits.max_string_bytes,
            values: 0,
            frames: Vec::new(),
            items: Vec::new(),
            members: Vec::new(),
            names: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The bytes from the current position on.
    #[inline]
    fn rest(&self) -> &'a [u8] {
        self.src.as_bytes().get(self.pos..).unwrap_or_default()
    }

    /// Skips whitespace.
    #[inline]
    fn ws(&mut self) {
        let n = self.rest().iter().take_while(|&&b| is_space(b)).count();
        self.pos += n;
    }

    /// Consumes `lit` if the input continues with it.
    #[inline]
    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    /// Consumes `lit`, or gives up.
    #[inline]
    fn expect(&mut self, lit: &[u8]) -> Option<()> {
        self.eat(lit).then_some(())
    }

    /// Skips whitespace, then consumes `lit` or gives up.
    #[inline]
    fn ws_expect(&mut self, lit: &[u8]) -> Option<()> {
        self.ws();
        self.expect(lit)
    }

    /// Text up to the next `<` (not consumed), with the five predefined
    /// entities resolved; line ends are normalised when `text` (strings
    /// and names), kept otherwise (typed scalars, whose whitespace does
    /// not matter). Gives up on any other reference and at the end of the
    /// input.
    #[inline]
    fn text(&mut self, limit: usize, text: bool) -> Option<Acc<'a>> {
        let src = self.src;
        let mut acc = Acc::Empty;
        loop {
            let rest = self.rest();
            let i = memchr::memchr2(b'<', b'&', rest)?;
            if i > 0 {
                // `<` and `&` are ASCII: the cut is at a character boundary.
                let piece = src.get(self.pos..self.pos + i)?;
                if text {
                    acc.push(piece);
                } else {
                    acc.push_raw(piece);
                }
            }
            self.pos += i;
            if rest[i] == b'<' {
                break;
            }
            let (c, n) = match rest.get(i + 1..)? {
                [b'a', b'm', b'p', b';', ..] => ('&', 5),
                [b'l', b't', b';', ..] => ('<', 4),
                [b'g', b't', b';', ..] => ('>', 4),
                [b'q', b'u', b'o', b't', b';', ..] => ('"', 6),
                [b'a', b'p', b'o', b's', b';', ..] => ('\'', 6),
                _ => return None,
            };
            acc.push_char(c);
            self.pos += n;
            if acc.len() > limit {
                return None;
            }
        }
        (acc.len() <= limit).then_some(acc)
    }

    /// The raw text of a typed scalar, up to the next `<` (not consumed);
    /// gives up on a reference.
    #[inline]
    fn scalar_text(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        let i = memchr::memchr2(b'<', b'&', rest)?;
        if rest[i] != b'<' {
            return None;
        }
        let s = self.src.get(self.pos..self.pos + i)?;
        self.pos += i;
        Some(s)
    }

    #[inline]
    fn count_value(&mut self) -> Option<()> {
        self.values += 1;
        (self.values <= self.max_values).then_some(())
    }

    /// The declaration, if any, and the whitespace after it.
    fn prolog(&mut self) -> Option<()> {
        let rest = self.rest();
        if let [b'<', b'?', b'x', b'm', b'l', b, ..] = *rest {
            if !is_space(b) {
                return None;
            }
            // Up to the first `>`, which must close `?>`; no markup inside.
            let end = memchr::memchr2(b'>', b'<', &rest[1..])? + 1;
            if rest[end] != b'>' || rest[end - 1] != b'?' {
                return None;
            }
            self.pos += end + 1;
        }
        self.ws();
        Some(())
    }

    /// Nothing but whitespace up to the end.
    fn epilog(&mut self) -> Option<()> {
        self.ws();
        self.rest().is_empty().then_some(())
    }

    fn call(&mut self) -> Option<(B::Str, Vec<B::Value>)> {
        self.prolog()?;
        self.expect(b"<methodCall>")?;
        self.ws_expect(b"<methodName>")?;
        let name = B::text(self.text(self.max_string, true)?);
        self.expect(b"</methodName>")?;
        self.ws();
        let mut params = Vec::new();
        if self.eat(b"<params>") {
            loop {
                self.ws();
                if !self.eat(b"<param>") {
                    break;
                }
                params.push(self.param()?);
            }
            self.expect(b"</params>")?;
            self.ws();
        }
        self.expect(b"</methodCall>")?;
        self.epilog()?;
        Some((name, params))
    }

    fn response(&mut self) -> Option<Result<B::Value, Fault>> {
        self.prolog()?;
        self.expect(b"<methodResponse>")?;
        self.ws();
        let out = if self.eat(b"<params>") {
            self.ws_expect(b"<param>")?;
            let value = self.param()?;
            self.ws_expect(b"</params>")?;
            Ok(value)
        } else {
            self.expect(b"<fault>")?;
            self.ws_expect(b"<value>")?;
            self.count_value()?;
            let value = self.value()?;
            self.ws_expect(b"</fault>")?;
            Err(B::fault(value).ok()?)
        };
        self.ws_expect(b"</methodResponse>")?;
        self.epilog()?;
        Some(out)
    }

    /// A `<param>`'s value and its `</param>`; `<param>` was just read.
    fn param(&mut self) -> Option<B::Value> {
        self.ws_expect(b"<value>")?;
        self.count_value()?;
        let value = self.value()?;
        self.ws_expect(b"</param>")?;
        Some(value)
    }

    /// A whole value; its `<value>` has just been read and counted.
    fn value(&mut self) -> Option<B::Value> {
        'open: loop {
            let mut step = match self.value_content()? {
                Content::Done(v) => Step::Done(v),
                Content::Array => {
                    self.open(Frame::Array {
                        start: self.items.len(),
                    })?;
                    self.next_in_top()?
                }
                Content::Struct => {
                    self.open(Frame::Struct {
                        start: self.members.len(),
                    })?;
                    self.next_in_top()?
                }
            };
            loop {
                let v = match step {
                    Step::Open => continue 'open,
                    Step::Done(v) => v,
                };
                match self.frames.last() {
                    None => return Some(v),
                    Some(Frame::Array { .. }) => self.items.push(v),
                    Some(Frame::Struct { .. }) => {
                        // Each member's name is pushed before its value.
                        let name = self.names.pop()?;
                        self.members.push((name, v));
                        self.ws_expect(b"</member>")?;
                    }
                }
                step = self.next_in_top()?;
            }
        }
    }

    fn open(&mut self, frame: Frame) -> Option<()> {
        if self.frames.len() >= self.max_depth {
            return None;
        }
        self.frames.push(frame);
        Some(())
    }

    /// What follows in the innermost open array or struct.
    fn next_in_top(&mut self) -> Option<Step<B::Value>> {
        self.ws();
        match self.frames.last()? {
            Frame::Array { .. } => {
                if self.eat(b"<value>") {
                    self.count_value()?;
                    return Some(Step::Open);
                }
                self.expect(b"</data>")?;
                self.ws_expect(b"</array>")?;
                self.ws_expect(b"</value>")?;
                let Some(Frame::Array { start }) = self.frames.pop() else {
                    return None;
                };
                let items = if start == 0 {
                    std::mem::take(&mut self.items)
                } else {
                    self.items.split_off(start.min(self.items.len()))
                };
                Some(Step::Done(B::array(items)))
            }
            Frame::Struct { .. } => {
                if self.eat(b"<member>") {
                    self.ws_expect(b"<name>")?;
                    let name = B::text(self.text(self.max_string, true)?);
                    self.expect(b"</name>")?;
                    self.names.push(name);
                    self.ws_expect(b"<value>")?;
                    self.count_value()?;
                    return Some(Step::Open);
                }
                self.expect(b"</struct>")?;
                self.ws_expect(b"</value>")?;
                let Some(Frame::Struct { start }) = self.frames.pop() else {
                    return None;
                };
                let start = start.min(self.members.len());
                Some(Step::Done(B::structure(self.members.drain(start..))))
            }
        }
    }

    /// The content of a `<value>` whose start tag was just read.
    fn value_content(&mut self) -> Option<Content<B::Value>> {
        if self.rest().first() != Some(&b'<') {
            // An untyped string, or whitespace before the type element.
            let text = self.text(self.max_string, true)?;
            if self.eat(b"</value>") {
                return Some(Content::Done(B::string(B::text(text))));
            }
            if !is_xml_space(text.as_str().as_bytes()) {
                return None;
            }
        } else if self.eat(b"</value>") {
            return Some(Content::Done(B::string(B::text(Acc::Empty))));
        }
        let value = match *self.rest() {
            [b'<', b'i', b'n', b't', b'>', ..] => {
                self.pos += 5;
                let v = parse_int(self.scalar_text()?).ok()?;
                self.expect(b"</int>")?;
                B::scalar(Scalar::Int(v))
            }
            [b'<', b's', b't', b'r', b'i', b'n', b'g', b'>', ..] => {
                self.pos += 8;
                let text = self.text(self.max_string, true)?;
                self.expect(b"</string>")?;
                B::string(B::text(text))
            }
            [b'<', b's', b't', b'r', b'u', b'c', b't', b'>', ..] => {
                self.pos += 8;
                return Some(Content::Struct);
            }
            [b'<', b'a', b'r', b'r', b'a', b'y', b'>', ..] => {
                self.pos += 7;
                self.ws_expect(b"<data>")?;
                return Some(Content::Array);
            }
            [b'<', b'd', b'o', b'u', b'b', b'l', b'e', b'>', ..] => {
                self.pos += 8;
                let v = parse_double(self.scalar_text()?)?;
                self.expect(b"</double>")?;
                B::scalar(Scalar::Double(v))
            }
            [b'<', b'b', b'o', b'o', b'l', b'e', b'a', b'n', b'>', ..] => {
                self.pos += 9;
                let v = parse_bool(self.scalar_text()?)?;
                self.expect(b"</boolean>")?;
                B::scalar(Scalar::Bool(v))
            }
            [b'<', b'i', b'4', b'>', ..] => {
                self.pos += 4;
                let v = parse_int(self.scalar_text()?).ok()?;
                self.expect(b"</i4>")?;
                B::scalar(Scalar::Int(v))
            }
            [b'<', b'i', b'8', b'>', ..] => {
                self.pos += 4;
                let v = parse_int(self.scalar_text()?).ok()?;
                self.expect(b"</i8>")?;
                B::scalar(Scalar::I8(v))
            }
            [b'<', b'b', b'a', b's', b'e', b'6', b'4', b'>', ..] => {
                self.pos += 8;
                let at = self.pos;
                let text = self.scalar_text()?;
                let v = decode_base64(text, at, self.max_string, &mut self.scratch).ok()?;
                self.expect(b"</base64>")?;
                B::scalar(Scalar::Base64(v))
            }
            [
                b'<',
                b'd',
                b'a',
                b't',
                b'e',
                b'T',
                b'i',
                b'm',
                b'e',
                b'.',
                b'i',
                b's',
                b'o',
                b'8',
                b'6',
                b'0',
                b'1',
                b'>',
                ..,
            ] => {
                self.pos += 18;
                let text = self.scalar_text()?;
                DateTime::check(text).ok()?;
                self.expect(b"</dateTime.iso8601>")?;
                B::datetime(Acc::One(text))
            }
            [b'<', b'n', b'i', b'l', b'/', b'>', ..] => {
                self.pos += 6;
                B::scalar(Scalar::Nil)
            }
            _ => return None,
        };
        self.ws_expect(b"</value>")?;
        Some(Content::Done(value))
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode::{Own, Parser, parse};
    use super::super::transcode::Origin;
    use super::*;

    /// Documents in the plain form, as peers write them: the fast path
    /// must read every one.
    const PLAIN: &[&str] = &[
        "<?xml version='1.0'?>\n<methodCall>\n<methodName>add</methodName>\n<params>\n\
         <param>\n<value><int>1</int></value>\n</param>\n<param>\n<value><int>2</int></value>\n\
         </param>\n</params>\n</methodCall>\n",
        "<methodCall><methodName>ping</methodName></methodCall>",
        "<methodCall><methodName>ping</methodName><params></params></methodCall>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodCall>\r\n\
         <methodName>a.b&amp;c</methodName>\r\n<params>\r\n<param>\r\n\
         <value><array><data>\r\n<value><i4>-7</i4></value>\r\n<value><i8>123456789012</i8></value>\r\n\
         <value><boolean>1</boolean></value>\r\n<value><double>-1.5e3</double></value>\r\n\
         <value><string>Tom &amp; Jerry &lt;&gt; &quot;&apos; caf\u{e9}</string></value>\r\n\
         <value>untyped\r\ntext</value>\r\n<value></value>\r\n<value><string></string></value>\r\n\
         <value><dateTime.iso8601>20240101T10:20:30</dateTime.iso8601></value>\r\n\
         <value><base64>\r\naGVsbG8gd29ybGQ=\r\n</base64></value>\r\n<value><nil/></value>\r\n\
         <value><struct>\r\n<member>\r\n<name>a</name>\r\n<value><int>1</int></value>\r\n</member>\r\n\
         <member>\r\n<name>a</name>\r\n<value><int>2</int></value>\r\n</member>\r\n</struct></value>\r\n\
         <value><array><data>\r\n</data></array></value>\r\n<value><struct>\r\n</struct></value>\r\n\
         <value>\n  <int> 42 </int>\n</value>\r\n\
         </data></array></value>\r\n</param>\r\n</params>\r\n</methodCall>\r\n",
        "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n\
         <member>\n<name>x</name>\n<value><array><data>\n<value><struct>\n<member>\n<name>y</name>\n\
         <value><string>deep</string></value>\n</member>\n</struct></value>\n</data></array></value>\n\
         </member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n",
        "<methodResponse><params><param><value>hi</value></param></params></methodResponse>",
        "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n\
         <name>faultCode</name>\n<value><int>4</int></value>\n</member>\n<member>\n\
         <name>faultString</name>\n<value><string>Too many parameters.</string></value>\n\
         </member>\n</struct></value>\n</fault>\n</methodResponse>\n",
    ];

    /// Every document the fast path reads, the full decoder reads to the
    /// same value.
    fn agree(doc: &str, limits: &Limits) -> bool {
        let origin = Origin::Utf8 { skip: 0 };
        let fast_call = call::<Own>(doc, limits);
        let fast_response = response::<Own>(doc, limits);
        let read = fast_call.is_some() || fast_response.is_some();
        if let Some(fast) = fast_call {
            let full = parse::<Own, _>(doc, origin, limits, Parser::call);
            assert_eq!(full, Ok(fast), "{doc:?}");
        }
        if let Some(fast) = fast_response {
            let full = parse::<Own, _>(doc, origin, limits, Parser::response);
            assert_eq!(full, Ok(fast), "{doc:?}");
        }
        read
    }

    #[test]
    fn plain_documents_take_the_fast_path() {
        for doc in PLAIN {
            assert!(agree(doc, &Limits::default()), "{doc:?}");
        }
    }

    #[test]
    fn other_forms_fall_back() {
        let base =
            "<methodResponse><params><param><value>X</value></param></params></methodResponse>";
        for inner in [
            "<![CDATA[a]]>",
            "a&#65;",
            "a&nbsp;",
            "<!-- c -->a",
            "<string/>",
            "<i4 >1</i4>",
            "<int>1</int >",
            "<int a='1'>1</int>",
            "<ex:i8>1</ex:i8>",
            "<array><value/></array>",
            "<array><data/></array>",
            "<int>x</int>",
            "<int>99999999999</int>",
            "<double>nan</double>",
            "<boolean>2</boolean>",
            "<base64>!!</base64>",
            "<dateTime.iso8601>x</dateTime.iso8601>",
            "<nil>x</nil>",
            "<unknown/>",
            "a<int>1</int>",
            "<int>1</int>x",
            "<struct><member><value>1</value></member></struct>",
        ] {
            let doc = base.replace('X', inner);
            assert!(!agree(&doc, &Limits::default()), "{doc:?}");
        }
        for doc in [
            " <?xml version='1.0'?><methodCall><methodName>a</methodName></methodCall>",
            "<?xml-stylesheet?><methodCall><methodName>a</methodName></methodCall>",
            "<?xml version='1.0'?><!DOCTYPE x><methodCall><methodName>a</methodName></methodCall>",
            "<methodCall><methodName>a</methodName></methodCall><!-- -->",
            "<methodCall><methodName>a</methodName></methodCall>x",
            "<methodCall><methodName>a</methodName><params/></methodCall>",
            "<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
            "<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>",
        ] {
            assert!(!agree(doc, &Limits::default()), "{doc:?}");
        }
    }

    #[test]
    fn limits_fall_back() {
        let doc = PLAIN[4];
        let mut limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(!agree(doc, &limits));
        limits.max_depth = 3;
        assert!(agree(doc, &limits));
        limits.max_values = 3;
        assert!(!agree(doc, &limits));
        limits.max_values = 4;
        assert!(agree(doc, &limits));
        limits.max_string_bytes = 3;
        assert!(!agree(doc, &limits));
        limits.max_string_bytes = 4;
        assert!(agree(doc, &limits));
    }

    /// A reproducible source of mutations.
    struct Rng(proptest::test_runner::TestRng);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            use proptest::prelude::RngCore;
            (self.0.next_u64() % n as u64) as usize
        }
    }

    /// Mutated plain documents: whatever the fast path still reads, the
    /// full decoder reads the same way, under tight limits too.
    #[test]
    fn mutations_agree_with_the_full_decoder() {
        const BYTES: &[u8] = b"<>/&;#x? \n\r\t=a1-.e:!['\"";
        let tight = Limits {
            max_depth: 2,
            max_values: 6,
            max_string_bytes: 5,
            ..Limits::default()
        };
        let mut rng = Rng(proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ));
        let (mut tried, mut read) = (0, 0);
        for doc in PLAIN {
            // Every truncation.
            for cut in 0..doc.len() {
                if let Some(d) = doc.get(..cut) {
                    agree(d, &Limits::default());
                }
            }
            for _ in 0..3000 {
                let mut b = doc.as_bytes().to_vec();
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(b.len() + 1);
                    match rng.below(4) {
                        0 => b.insert(at, BYTES[rng.below(BYTES.len())]),
                        1 if at < b.len() => {
                            let n = 1 + rng.below(8).min(b.len() - at - 1);
                            b.drain(at..at + n);
                        }
                        2 if at < b.len() => b[at] = BYTES[rng.below(BYTES.len())],
                        _ => {
                            // A copy of another piece of the document.
                            let from = rng.below(b.len());
                            let n = rng.below(24).min(b.len() - from);
                            let piece = b[from..from + n].to_vec();
                            b.splice(at..at, piece);
                        }
                    }
                }
                let Ok(d) = std::str::from_utf8(&b) else {
                    continue;
                };
                tried += 1;
                read += usize::from(agree(d, &Limits::default()));
                agree(d, &tight);
            }
        }
        // Both outcomes were exercised.
        assert!(read > tried / 100 && read < tried, "{read} of {tried}");
    }
}
