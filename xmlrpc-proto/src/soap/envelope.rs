//! Reading a SOAP request envelope into a small element tree.
//!
//! One pass of quick-xml's namespace-aware reader over the (UTF-8) text,
//! with an explicit stack: no recursion, no DOCTYPE, no entity other than
//! XML's five, and the [`Limits`] of XML-RPC (body size, nesting, number
//! of elements, text length). Elements count as values do: at most
//! [`Limits::max_values`], and at most one per 15 bytes of
//! [`Limits::max_body_bytes`].

use std::borrow::Cow;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};

use super::{SoapError, SoapErrorKind, SoapVersion};
use crate::Limits;
use crate::codec::transcode;

/// Nesting of parameter elements is bounded by [`Limits::max_depth`], and
/// never deeper than this whatever the limits say: the tree is converted
/// to values recursively.
pub(crate) const MAX_NESTING: usize = 1024;

const XSI_NS: &[u8] = b"http://www.w3.org/2001/XMLSchema-instance";

/// One element of the call: the method element or a parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Node {
    /// The local name (namespaces play no part in the call).
    pub(crate) name: String,
    /// The local part of `xsi:type`, if given (`int` for `xsd:int`).
    pub(crate) xsi_type: Option<String>,
    /// `xsi:nil="true"`.
    pub(crate) nil: bool,
    /// The text directly inside.
    pub(crate) text: String,
    /// The child elements, in order.
    pub(crate) children: Vec<Self>,
}

/// A request envelope: its version and the first element of its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Envelope {
    pub(crate) version: SoapVersion,
    pub(crate) method: Node,
}

fn err(kind: SoapErrorKind, detail: impl Into<String>) -> SoapError {
    SoapError::new(kind, detail)
}

/// Reads a request envelope.
pub(crate) fn read(input: &[u8], limits: &Limits) -> Result<Envelope, SoapError> {
    if input.len() > limits.max_body_bytes {
        return Err(err(
            SoapErrorKind::TooLarge,
            format!("{} bytes, limit {}", input.len(), limits.max_body_bytes),
        ));
    }
    let (text, _) =
        transcode::to_utf8(input).map_err(|e| err(SoapErrorKind::Encoding, e.to_string()))?;
    Reader::new(&text, limits).envelope()
}

struct Reader<'a> {
    xml: NsReader<&'a [u8]>,
    max_depth: usize,
    max_nodes: usize,
    max_string: usize,
    nodes: usize,
}

/// Where the reader is inside the envelope.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Envelope,
    Header,
    Body,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, limits: &Limits) -> Self {
        let mut xml = NsReader::from_str(text);
        let config = xml.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = true;
        Self {
            xml,
            max_depth: limits.max_depth.min(MAX_NESTING),
            // No more elements than an XML-RPC document of the largest
            // allowed size could hold values (one per 15 bytes): an
            // element is lighter on the wire than a value, not in memory.
            max_nodes: limits.max_values.min(limits.max_body_bytes / 15 + 1),
            max_string: limits.max_string_bytes,
            nodes: 0,
        }
    }

    fn syntax(&self, e: &quick_xml::Error) -> SoapError {
        let text: String = e.to_string().chars().take(120).collect();
        err(
            SoapErrorKind::Syntax,
            format!("{text} at byte {}", self.xml.error_position()),
        )
    }

    /// The next event, with the namespace of its element (if it is one).
    /// Comments and processing instructions are skipped; a DOCTYPE is an
    /// error.
    fn next(&mut self) -> Result<(Option<Vec<u8>>, Event<'a>), SoapError> {
        loop {
            let (ns, event) = match self.xml.read_resolved_event() {
                Ok((ns, event)) => {
                    let ns = match ns {
                        ResolveResult::Bound(n) => Some(n.as_ref().to_vec()),
                        _ => None,
                    };
                    (ns, event)
                }
                Err(e) => return Err(self.syntax(&e)),
            };
            match event {
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
                Event::DocType(_) => {
                    return Err(err(SoapErrorKind::DocType, "a DOCTYPE is not allowed"));
                }
                other => return Ok((ns, other)),
            }
        }
    }

    fn envelope(mut self) -> Result<Envelope, SoapError> {
        let version = loop {
            match self.next()? {
                (ns, Event::Start(e)) => {
                    if e.local_name().as_ref() != b"Envelope" {
                        return Err(err(
                            SoapErrorKind::NotEnvelope,
                            format!("root element <{}>", name_of(e.name())),
                        ));
                    }
                    break match ns.as_deref().and_then(SoapVersion::from_namespace) {
                        Some(v) => v,
                        None => {
                            return Err(err(
                                SoapErrorKind::VersionMismatch,
                                format!(
                                    "envelope namespace {:?}",
                                    String::from_utf8_lossy(ns.as_deref().unwrap_or_default())
                                ),
                            ));
                        }
                    };
                }
                (_, Event::Text(t)) if is_space(&t) => {}
                (_, Event::Eof) => {
                    return Err(err(SoapErrorKind::NotEnvelope, "empty document"));
                }
                _ => {
                    return Err(err(
                        SoapErrorKind::NotEnvelope,
                        "content before the envelope",
                    ));
                }
            }
        };
        let env_ns = version.envelope_namespace().as_bytes();
        let mut place = Place::Envelope;
        let mut method = None;
        loop {
            match self.next()? {
                (ns, Event::Start(e)) => {
                    let in_env = ns.as_deref() == Some(env_ns);
                    let local = e.local_name().as_ref().to_vec();
                    match place {
                        Place::Envelope if in_env && local == b"Header" && method.is_none() => {
                            place = Place::Header;
                        }
                        Place::Envelope if in_env && local == b"Body" && method.is_none() => {
                            place = Place::Body;
                        }
                        Place::Envelope => {
                            return Err(err(
                                SoapErrorKind::NotEnvelope,
                                format!("unexpected <{}> in the envelope", name_of(e.name())),
                            ));
                        }
                        Place::Header => {
                            if self.must_understand(&e, env_ns) {
                                return Err(err(
                                    SoapErrorKind::MustUnderstand,
                                    format!("header <{}> is not understood", name_of(e.name())),
                                ));
                            }
                            self.skip()?;
                        }
                        Place::Body if method.is_none() => method = Some(self.tree(&e)?),
                        // Only the first element of the body is the call.
                        Place::Body => self.skip()?,
                    }
                }
                (_, Event::End(_)) => match place {
                    Place::Header => place = Place::Envelope,
                    Place::Body => {
                        return match method {
                            Some(method) => {
                                self.rest()?;
                                Ok(Envelope { version, method })
                            }
                            None => Err(err(SoapErrorKind::NoMethod, "the body is empty")),
                        };
                    }
                    Place::Envelope => {
                        return Err(err(
                            SoapErrorKind::NotEnvelope,
                            "an envelope without a body",
                        ));
                    }
                },
                (_, Event::Text(t)) if is_space(&t) => {}
                (_, Event::Eof) => {
                    return Err(err(SoapErrorKind::Syntax, "unexpected end of document"));
                }
                _ => {
                    return Err(err(
                        SoapErrorKind::NotEnvelope,
                        "text where the envelope allows only elements",
                    ));
                }
            }
        }
    }

    /// After the body: the end of the envelope, then nothing but
    /// whitespace and comments.
    fn rest(&mut self) -> Result<(), SoapError> {
        let mut closed = false;
        loop {
            match self.next()? {
                (_, Event::End(_)) if !closed => closed = true,
                (_, Event::Text(t)) if is_space(&t) => {}
                (_, Event::Eof) if closed => return Ok(()),
                (_, Event::Eof) => {
                    return Err(err(SoapErrorKind::Syntax, "unexpected end of document"));
                }
                _ => {
                    return Err(err(SoapErrorKind::NotEnvelope, "content after the body"));
                }
            }
        }
    }

    /// Whether a header element asks to be understood.
    fn must_understand(&self, e: &BytesStart<'_>, env_ns: &[u8]) -> bool {
        e.attributes().flatten().any(|a| {
            let (ns, local) = self.xml.resolve_attribute(a.key);
            matches!(ns, ResolveResult::Bound(n) if n.as_ref() == env_ns)
                && local.as_ref() == b"mustUnderstand"
                && matches!(&*a.value, b"1" | b"true")
        })
    }

    /// Skips the element just started, whatever it holds (bounded by the
    /// depth limit like the rest).
    fn skip(&mut self) -> Result<(), SoapError> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                (_, Event::Start(_)) => {
                    depth += 1;
                    if depth > self.max_depth + 2 {
                        return Err(err(
                            SoapErrorKind::DepthLimit,
                            "nesting deeper than the limit",
                        ));
                    }
                }
                (_, Event::End(_)) => depth -= 1,
                (_, Event::Eof) => {
                    return Err(err(SoapErrorKind::Syntax, "unexpected end of document"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The element just started and everything inside it.
    fn tree(&mut self, start: &BytesStart<'_>) -> Result<Node, SoapError> {
        let mut stack = vec![self.node(start)?];
        loop {
            match self.next()? {
                (_, Event::Start(e)) => {
                    // The method element is level 0; its params are level 1.
                    if stack.len() > self.max_depth {
                        return Err(err(
                            SoapErrorKind::DepthLimit,
                            format!("nesting deeper than {} levels", self.max_depth),
                        ));
                    }
                    let node = self.node(&e)?;
                    stack.push(node);
                }
                (_, Event::End(_)) => {
                    let done = stack.pop().unwrap_or_default();
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                (_, Event::Text(t)) => {
                    let text = std::str::from_utf8(t.as_ref())
                        .map_err(|_| err(SoapErrorKind::Encoding, "invalid UTF-8"))?;
                    self.push_text(&mut stack, text)?;
                }
                (_, Event::CData(t)) => {
                    let text = std::str::from_utf8(t.as_ref())
                        .map_err(|_| err(SoapErrorKind::Encoding, "invalid UTF-8"))?;
                    self.push_text(&mut stack, text)?;
                }
                (_, Event::GeneralRef(r)) => {
                    let c = resolve(&r)?;
                    let mut b = [0; 4];
                    self.push_text(&mut stack, c.encode_utf8(&mut b))?;
                }
                (_, Event::Eof) => {
                    return Err(err(SoapErrorKind::Syntax, "unexpected end of document"));
                }
                _ => {}
            }
        }
    }

    fn push_text(&self, stack: &mut [Node], text: &str) -> Result<(), SoapError> {
        if let Some(node) = stack.last_mut() {
            if node.text.len() + text.len() > self.max_string {
                return Err(err(
                    SoapErrorKind::StringLimit,
                    format!("text of <{}> longer than the limit", node.name),
                ));
            }
            node.text.push_str(text);
        }
        Ok(())
    }

    fn node(&mut self, e: &BytesStart<'_>) -> Result<Node, SoapError> {
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            return Err(err(
                SoapErrorKind::ValueLimit,
                "more elements than the limit",
            ));
        }
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let mut node = Node {
            name,
            ..Node::default()
        };
        for a in e.attributes() {
            let a = a.map_err(|e| err(SoapErrorKind::Syntax, e.to_string()))?;
            let (ns, local) = self.xml.resolve_attribute(a.key);
            let local = local.as_ref();
            let value = a
                .unescape_value()
                .map_err(|e| err(SoapErrorKind::Syntax, e.to_string()))?;
            let xsi = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == XSI_NS);
            if xsi && local == b"type" {
                let t = value.rsplit(':').next().unwrap_or_default().trim();
                node.xsi_type = Some(t.to_owned());
            } else if xsi && local == b"nil" {
                node.nil = matches!(value.trim(), "true" | "1");
            } else if matches!(ns, ResolveResult::Unbound) && local == b"href" {
                return Err(err(
                    SoapErrorKind::BadParams,
                    "multi-reference values (href) are not supported",
                ));
            }
        }
        Ok(node)
    }
}

fn name_of(q: QName<'_>) -> Cow<'_, str> {
    let b = q.into_inner();
    String::from_utf8_lossy(&b[..b.len().min(64)])
}

fn is_space(t: &[u8]) -> bool {
    t.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

fn resolve(r: &quick_xml::events::BytesRef<'_>) -> Result<char, SoapError> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) if super::value::xml_char(c) => Ok(c),
            _ => Err(err(SoapErrorKind::Syntax, "invalid character reference")),
        };
    }
    match r.as_ref() {
        b"lt" => Ok('<'),
        b"gt" => Ok('>'),
        b"amp" => Ok('&'),
        b"apos" => Ok('\''),
        b"quot" => Ok('"'),
        name => Err(err(
            SoapErrorKind::Syntax,
            format!(
                "unknown entity &{};",
                String::from_utf8_lossy(&name[..name.len().min(64)])
            ),
        )),
    }
}
