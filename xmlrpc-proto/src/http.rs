//! HTTP/1.1 pieces shared by both sides: the bounded input buffer, head
//! scanning and parsing (with `httparse`), body framing (Content-Length,
//! chunked, until close) and the writing of heads.

use crate::error::{HeadError, ProtocolError};
use crate::{Headers, Version};

/// Longest chunk-size line (size, extensions) accepted.
const MAX_CHUNK_LINE: usize = 1024;

/// Bytes queued for the peer and how many of them were already written:
/// the output half of both connection state machines.
#[derive(Debug, Default)]
pub(crate) struct OutBuf {
    buf: Vec<u8>,
    pos: usize,
}

impl OutBuf {
    /// The buffer to append a message to, after dropping what was
    /// written so that it does not grow with the connection's lifetime.
    pub(crate) fn append(&mut self) -> &mut Vec<u8> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        &mut self.buf
    }

    /// The bytes not written yet; `None` when there are none.
    pub(crate) fn pending(&self) -> Option<&[u8]> {
        let pending = &self.buf[self.pos..];
        (!pending.is_empty()).then_some(pending)
    }

    /// Marks the first `n` pending bytes as written.
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
    }

    /// Whether every queued byte was written.
    pub(crate) fn is_flushed(&self) -> bool {
        self.pos >= self.buf.len()
    }
}

/// Received bytes not yet consumed. Consumed bytes are dropped lazily so
/// that consuming is O(1) and compaction is amortised.
#[derive(Debug, Default)]
pub(crate) struct InBuf {
    data: Vec<u8>,
    start: usize,
}

impl InBuf {
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.data[self.start..]
    }

    pub(crate) fn len(&self) -> usize {
        self.data.len() - self.start
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.data.len());
        if self.start == self.data.len() {
            self.data.clear();
            self.start = 0;
        }
    }

    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start >= self.data.len() / 2 {
            self.data.drain(..self.start);
            self.start = 0;
        }
        self.data.extend_from_slice(bytes);
    }

    pub(crate) fn clear(&mut self) {
        self.data = Vec::new();
        self.start = 0;
    }
}

/// Progress in finding the end of a head (the first empty line), so that
/// each byte is scanned once however the head arrives.
#[derive(Debug, Default, Clone)]
pub(crate) struct HeadScan {
    /// Bytes known not to hold the end of the head.
    scanned: usize,
    /// Bytes whose line feeds have been counted.
    counted: usize,
    lines: usize,
    checked_lines: usize,
    checked_len: usize,
}

/// What a look at a partial or complete head found.
pub(crate) enum HeadStatus {
    /// The head is complete and this long (including the empty line).
    Complete(usize),
    /// More bytes are needed.
    Partial,
}

impl HeadScan {
    /// Looks for the end of the head in `buf` (which starts at the head),
    /// enforcing `max_head` so that the verdict does not depend on how the
    /// bytes were split: the head must end within the first `max_head`
    /// bytes. At the end of the stream (`eof`) a partial head is an
    /// error.
    ///
    /// `check` runs a streaming parser on the incomplete head, so that a
    /// syntax error is answered at once rather than when the peer gives
    /// up. A streaming parser's error on a prefix is its error on the
    /// whole, so the verdict does not depend on when it runs; it runs when
    /// a line ends or the input has doubled since the last run, which keeps
    /// the total work linear.
    pub(crate) fn scan(
        &mut self,
        buf: &[u8],
        max_head: usize,
        eof: bool,
        check: impl Fn(&[u8]) -> Result<(), HeadError>,
    ) -> Result<HeadStatus, ProtocolError> {
        let window = &buf[..buf.len().min(max_head)];
        let mut pending = None;
        for i in memchr::memchr_iter(b'\n', &window[self.scanned.min(window.len())..]) {
            let j = self.scanned + i;
            if j >= self.counted {
                self.lines += 1;
                self.counted = j + 1;
            }
            match (window.get(j + 1), window.get(j + 2)) {
                (Some(b'\n'), _) => return Ok(HeadStatus::Complete(j + 2)),
                (Some(b'\r'), Some(b'\n')) => return Ok(HeadStatus::Complete(j + 3)),
                (None, _) | (Some(b'\r'), None) => {
                    pending = Some(j);
                    break;
                }
                _ => {}
            }
        }
        self.scanned = pending.unwrap_or(window.len());
        if self.lines > self.checked_lines
            || window.len() >= self.checked_len.saturating_mul(2)
            || buf.len() > max_head
            || eof
        {
            self.checked_lines = self.lines;
            self.checked_len = window.len();
            check(window).map_err(ProtocolError::BadHead)?;
        }
        if buf.len() > max_head {
            return Err(ProtocolError::HeadTooLarge { limit: max_head });
        }
        if eof {
            return Err(ProtocolError::UnexpectedEof);
        }
        Ok(HeadStatus::Partial)
    }
}

/// A parsed request head, before HTTP semantics are checked.
pub(crate) struct RawRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) version: Version,
    pub(crate) headers: Headers,
}

fn version_of(v: Option<u8>) -> Result<Version, HeadError> {
    match v {
        Some(0) => Ok(Version::Http10),
        Some(1) => Ok(Version::Http11),
        _ => Err(HeadError::UnsupportedVersion),
    }
}

fn collect_headers(raw: &[httparse::Header<'_>]) -> Headers {
    let mut headers = Headers::new();
    for h in raw {
        headers.append(h.name, h.value);
    }
    headers
}

/// Checks a prefix of a request head with the streaming parser.
pub(crate) fn check_request_prefix(buf: &[u8], max_headers: usize) -> Result<(), HeadError> {
    let mut headers = vec![httparse::EMPTY_HEADER; max_headers];
    let mut req = httparse::Request::new(&mut headers);
    req.parse(buf).map(|_| ()).map_err(HeadError::from_httparse)
}

/// Parses a complete request head.
pub(crate) fn parse_request(head: &[u8], max_headers: usize) -> Result<RawRequest, HeadError> {
    let mut headers = vec![httparse::EMPTY_HEADER; max_headers];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head).map_err(HeadError::from_httparse)? {
        httparse::Status::Complete(_) => {}
        httparse::Status::Partial => return Err(HeadError::Syntax("incomplete head")),
    }
    let version = version_of(req.version)?;
    Ok(RawRequest {
        method: req.method.unwrap_or_default().to_owned(),
        path: req.path.unwrap_or_default().to_owned(),
        version,
        headers: collect_headers(req.headers),
    })
}

/// A parsed response head.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) reason: String,
    pub(crate) version: Version,
    pub(crate) headers: Headers,
}

/// Checks a prefix of a response head with the streaming parser.
pub(crate) fn check_response_prefix(buf: &[u8], max_headers: usize) -> Result<(), HeadError> {
    let mut headers = vec![httparse::EMPTY_HEADER; max_headers];
    let mut resp = httparse::Response::new(&mut headers);
    resp.parse(buf)
        .map(|_| ())
        .map_err(HeadError::from_httparse)
}

/// Parses a complete response head.
pub(crate) fn parse_response(head: &[u8], max_headers: usize) -> Result<RawResponse, HeadError> {
    let mut headers = vec![httparse::EMPTY_HEADER; max_headers];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(head).map_err(HeadError::from_httparse)? {
        httparse::Status::Complete(_) => {}
        httparse::Status::Partial => return Err(HeadError::Syntax("incomplete head")),
    }
    let version = version_of(resp.version)?;
    Ok(RawResponse {
        status: resp.code.unwrap_or_default(),
        reason: resp.reason.unwrap_or_default().to_owned(),
        version,
        headers: collect_headers(resp.headers),
    })
}

/// The comma-separated elements of every field `name`, trimmed, empty ones
/// skipped.
pub(crate) fn list_elements<'a>(
    headers: &'a Headers,
    name: &'a str,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    headers
        .get_all(name)
        .flat_map(|v| v.split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|e| !e.is_empty())
}

/// Whether a list header `name` has the token `token` (case-insensitive).
pub(crate) fn has_token(headers: &Headers, name: &str, token: &str) -> bool {
    list_elements(headers, name).any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether the connection persists after this message, from its version
/// and `Connection` header.
pub(crate) fn keep_alive(version: Version, headers: &Headers) -> bool {
    if has_token(headers, "connection", "close") {
        return false;
    }
    match version {
        Version::Http10 => has_token(headers, "connection", "keep-alive"),
        _ => true,
    }
}

/// How a body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// Until the peer closes (responses only).
    Eof,
}

/// The body framing declared by a head: `Content-Length`, chunked
/// `Transfer-Encoding`, or neither (`None`).
pub(crate) fn declared_framing(
    version: Version,
    headers: &Headers,
) -> Result<Option<Framing>, HeadError> {
    let mut length: Option<u64> = None;
    let mut any_length = false;
    for v in headers.get_all("content-length") {
        any_length = true;
        for e in v.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
            if e.is_empty() || !e.iter().all(u8::is_ascii_digit) {
                return Err(HeadError::BadContentLength);
            }
            let mut n: u64 = 0;
            for &d in e {
                n = n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(d - b'0')))
                    .ok_or(HeadError::BadContentLength)?;
            }
            match length {
                Some(prev) if prev != n => return Err(HeadError::ConflictingContentLength),
                _ => length = Some(n),
            }
        }
    }
    if any_length && length.is_none() {
        return Err(HeadError::BadContentLength);
    }
    if headers.get("transfer-encoding").is_some() {
        if any_length {
            return Err(HeadError::LengthAndTransferEncoding);
        }
        if version == Version::Http10 {
            return Err(HeadError::TransferEncodingInHttp10);
        }
        let mut codings = list_elements(headers, "transfer-encoding");
        return match (codings.next(), codings.next()) {
            (Some(c), None) if c.eq_ignore_ascii_case(b"chunked") => Ok(Some(Framing::Chunked)),
            _ => Err(HeadError::UnsupportedTransferCoding),
        };
    }
    Ok(length.map(Framing::Length))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChunkState {
    Size { digits: usize },
    Ext,
    SizeLf,
    Data,
    DataCr,
    DataLf,
    TrailerStart,
    TrailerLine,
    TrailerLineLf,
    EndLf,
    Done,
}

/// An incremental decoder of the chunked transfer coding.
#[derive(Clone, Debug)]
pub(crate) struct Chunked {
    state: ChunkState,
    size: u64,
    line_len: usize,
    trailer_len: usize,
}

impl Chunked {
    pub(crate) fn new() -> Self {
        Self {
            state: ChunkState::Size { digits: 0 },
            size: 0,
            line_len: 0,
            trailer_len: 0,
        }
    }

    /// Decodes from `input`, appending data to `body`. Returns how many
    /// bytes were consumed and whether the body is complete. The body
    /// never grows past `max_body`: a chunk size that would cross it is an
    /// error as soon as its digits say so.
    pub(crate) fn decode(
        &mut self,
        input: &[u8],
        body: &mut Vec<u8>,
        max_body: usize,
        max_trailer: usize,
    ) -> Result<(usize, bool), ProtocolError> {
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            match self.state {
                ChunkState::Size { digits } => {
                    if let Some(d) = (b as char).to_digit(16) {
                        self.size = self
                            .size
                            .checked_mul(16)
                            .and_then(|s| s.checked_add(u64::from(d)))
                            .ok_or(ProtocolError::BadChunk("chunk size too large"))?;
                        let total = (body.len() as u64).saturating_add(self.size);
                        if total > max_body as u64 {
                            return Err(ProtocolError::BodyTooLarge {
                                len: total,
                                limit: max_body,
                            });
                        }
                        self.state = ChunkState::Size { digits: digits + 1 };
                    } else if digits == 0 {
                        return Err(ProtocolError::BadChunk("chunk size is not hexadecimal"));
                    } else if b == b';' || b == b' ' || b == b'\t' {
                        self.state = ChunkState::Ext;
                    } else if b == b'\r' {
                        self.state = ChunkState::SizeLf;
                    } else {
                        return Err(ProtocolError::BadChunk("chunk size is not hexadecimal"));
                    }
                    self.line_len += 1;
                    i += 1;
                }
                ChunkState::Ext => {
                    if b == b'\r' {
                        self.state = ChunkState::SizeLf;
                    } else if b == b'\n' || b == 0 {
                        return Err(ProtocolError::BadChunk("bad chunk extension"));
                    }
                    self.line_len += 1;
                    i += 1;
                }
                ChunkState::SizeLf => {
                    if b != b'\n' {
                        return Err(ProtocolError::BadChunk("chunk size line not ended by CRLF"));
                    }
                    i += 1;
                    self.line_len = 0;
                    self.state = if self.size == 0 {
                        ChunkState::TrailerStart
                    } else {
                        ChunkState::Data
                    };
                }
                ChunkState::Data => {
                    let avail = (input.len() - i) as u64;
                    let n = avail.min(self.size);
                    // n <= avail, which is a usize.
                    let n = usize::try_from(n).unwrap_or(0);
                    body.extend_from_slice(&input[i..i + n]);
                    i += n;
                    self.size -= n as u64;
                    if self.size == 0 {
                        self.state = ChunkState::DataCr;
                    }
                }
                ChunkState::DataCr | ChunkState::DataLf => {
                    let want = if self.state == ChunkState::DataCr {
                        b'\r'
                    } else {
                        b'\n'
                    };
                    if b != want {
                        return Err(ProtocolError::BadChunk("chunk data not followed by CRLF"));
                    }
                    i += 1;
                    self.state = if want == b'\r' {
                        ChunkState::DataLf
                    } else {
                        ChunkState::Size { digits: 0 }
                    };
                }
                ChunkState::TrailerStart => {
                    self.state = if b == b'\r' {
                        ChunkState::EndLf
                    } else {
                        ChunkState::TrailerLine
                    };
                    self.trailer_len += 1;
                    i += 1;
                }
                ChunkState::TrailerLine => {
                    if b == b'\r' {
                        self.state = ChunkState::TrailerLineLf;
                    } else if b == b'\n' {
                        return Err(ProtocolError::BadChunk("trailer not ended by CRLF"));
                    }
                    self.trailer_len += 1;
                    i += 1;
                }
                ChunkState::TrailerLineLf | ChunkState::EndLf => {
                    if b != b'\n' {
                        return Err(ProtocolError::BadChunk("trailer not ended by CRLF"));
                    }
                    i += 1;
                    self.trailer_len += 1;
                    if self.state == ChunkState::EndLf {
                        self.state = ChunkState::Done;
                        return Ok((i, true));
                    }
                    self.state = ChunkState::TrailerStart;
                }
                ChunkState::Done => return Ok((i, true)),
            }
            if self.line_len > MAX_CHUNK_LINE {
                return Err(ProtocolError::BadChunk("chunk size line too long"));
            }
            if self.trailer_len > max_trailer {
                return Err(ProtocolError::HeadTooLarge { limit: max_trailer });
            }
        }
        Ok((i, self.state == ChunkState::Done))
    }
}

/// Reads a body of any framing from an input buffer.
#[derive(Clone, Debug)]
pub(crate) enum BodyReader {
    Length { remaining: u64 },
    Chunked(Chunked),
    Eof,
}

impl BodyReader {
    pub(crate) fn new(framing: Framing) -> Self {
        match framing {
            Framing::Length(n) => Self::Length { remaining: n },
            Framing::Chunked => Self::Chunked(Chunked::new()),
            Framing::Eof => Self::Eof,
        }
    }

    /// Moves body bytes from `input` to `body`. Returns whether the body is
    /// complete.
    pub(crate) fn read(
        &mut self,
        input: &mut InBuf,
        body: &mut Vec<u8>,
        max_body: usize,
        max_trailer: usize,
    ) -> Result<bool, ProtocolError> {
        match self {
            Self::Length { remaining } => {
                let avail = input.as_slice();
                let n = usize::try_from((*remaining).min(avail.len() as u64)).unwrap_or(0);
                body.extend_from_slice(&avail[..n]);
                input.consume(n);
                *remaining -= n as u64;
                Ok(*remaining == 0)
            }
            Self::Chunked(c) => {
                let (n, done) = c.decode(input.as_slice(), body, max_body, max_trailer)?;
                input.consume(n);
                Ok(done)
            }
            Self::Eof => {
                let avail = input.as_slice();
                let total = (body.len() + avail.len()) as u64;
                if total > max_body as u64 {
                    return Err(ProtocolError::BodyTooLarge {
                        len: total,
                        limit: max_body,
                    });
                }
                body.extend_from_slice(avail);
                let n = avail.len();
                input.consume(n);
                Ok(false)
            }
        }
    }
}

/// The reason phrase of a status code.
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// Appends `Name: value\r\n`.
pub(crate) fn put_header(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// Appends `Content-Length: n\r\n`.
pub(crate) fn put_content_length(out: &mut Vec<u8>, n: usize) {
    let mut b = itoa::Buffer::new();
    put_header(out, "Content-Length", b.format(n).as_bytes());
}

/// Whether `name` is an HTTP token and `value` has no line break or NUL,
/// so that the pair can be written as a header field.
pub(crate) fn valid_header(name: &str, value: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        && !value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0)
}

/// Whether an `Accept-Encoding` list accepts gzip (present, `q` not 0).
#[cfg(feature = "gzip")]
pub(crate) fn accepts_gzip(headers: &Headers) -> bool {
    list_elements(headers, "accept-encoding").any(|e| {
        let mut parts = e.split(|&b| b == b';').map(<[u8]>::trim_ascii);
        let coding = parts.next().unwrap_or_default();
        if !coding.eq_ignore_ascii_case(b"gzip") && !coding.eq_ignore_ascii_case(b"x-gzip") {
            return false;
        }
        !parts.any(|p| {
            p.len() >= 2
                && p[..2].eq_ignore_ascii_case(b"q=")
                && p[2..].iter().all(|&b| b == b'0' || b == b'.')
        })
    })
}

/// The body coding named by `Content-Encoding`, if any besides identity.
pub(crate) fn content_coding(headers: &Headers) -> Option<Vec<u8>> {
    let codings: Vec<&[u8]> = list_elements(headers, "content-encoding")
        .filter(|c| !c.eq_ignore_ascii_case(b"identity"))
        .collect();
    if codings.is_empty() {
        None
    } else {
        Some(codings.join(&b","[..]))
    }
}

/// Undoes a `Content-Encoding`, never producing more than `max_body` bytes.
pub(crate) fn decode_content(
    coding: &[u8],
    body: Vec<u8>,
    max_body: usize,
) -> Result<Vec<u8>, ProtocolError> {
    #[cfg(feature = "gzip")]
    if coding.eq_ignore_ascii_case(b"gzip") || coding.eq_ignore_ascii_case(b"x-gzip") {
        return gunzip(&body, max_body);
    }
    let _ = (body, max_body);
    Err(ProtocolError::BadContentEncoding(
        String::from_utf8_lossy(coding).into_owned(),
    ))
}

/// Decompresses gzip data into at most `max` bytes.
#[cfg(feature = "gzip")]
pub(crate) fn gunzip(data: &[u8], max: usize) -> Result<Vec<u8>, ProtocolError> {
    use std::io::Read;
    let mut out = Vec::new();
    let limit = (max as u64).saturating_add(1);
    flate2::read::GzDecoder::new(data)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| ProtocolError::BadContentEncoding(format!("gzip: {e}")))?;
    if out.len() > max {
        return Err(ProtocolError::BodyTooLarge {
            len: out.len() as u64,
            limit: max,
        });
    }
    Ok(out)
}

/// Compresses with gzip.
#[cfg(feature = "gzip")]
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4 + 64),
        flate2::Compression::default(),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(fields: &[(&str, &str)]) -> Headers {
        let mut h = Headers::new();
        for (n, v) in fields {
            h.append(*n, *v);
        }
        h
    }

    macro_rules! framing {
        ($($name:ident: $fields:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(declared_framing(Version::Http11, &headers(&$fields)), $want);
            }
        )*};
    }

    framing! {
        no_framing: [] => Ok(None);
        length: [("Content-Length", "12")] => Ok(Some(Framing::Length(12)));
        same_twice: [("Content-Length", "5"), ("content-length", "5")] => Ok(Some(Framing::Length(5)));
        same_listed: [("Content-Length", "5, 5")] => Ok(Some(Framing::Length(5)));
        differ: [("Content-Length", "5"), ("Content-Length", "6")] => Err(HeadError::ConflictingContentLength);
        negative: [("Content-Length", "-1")] => Err(HeadError::BadContentLength);
        plus: [("Content-Length", "+1")] => Err(HeadError::BadContentLength);
        hex: [("Content-Length", "0x10")] => Err(HeadError::BadContentLength);
        empty: [("Content-Length", "")] => Err(HeadError::BadContentLength);
        huge: [("Content-Length", "99999999999999999999999")] => Err(HeadError::BadContentLength);
        max_u64: [("Content-Length", "18446744073709551615")] => Ok(Some(Framing::Length(u64::MAX)));
        chunked: [("Transfer-Encoding", "Chunked")] => Ok(Some(Framing::Chunked));
        both: [("Content-Length", "3"), ("Transfer-Encoding", "chunked")] => Err(HeadError::LengthAndTransferEncoding);
        gzip_chunked: [("Transfer-Encoding", "gzip, chunked")] => Err(HeadError::UnsupportedTransferCoding);
        identity: [("Transfer-Encoding", "identity")] => Err(HeadError::UnsupportedTransferCoding);
    }

    #[test]
    fn te_in_http10() {
        let h = headers(&[("Transfer-Encoding", "chunked")]);
        assert_eq!(
            declared_framing(Version::Http10, &h),
            Err(HeadError::TransferEncodingInHttp10)
        );
    }

    fn dechunk_split(input: &[u8], at: usize) -> Result<(Vec<u8>, usize), ProtocolError> {
        let mut c = Chunked::new();
        let mut body = Vec::new();
        let (n1, done) = c.decode(&input[..at], &mut body, 100, 100)?;
        if done {
            return Ok((body, n1));
        }
        assert_eq!(n1, at);
        let (n2, _) = c.decode(&input[at..], &mut body, 100, 100)?;
        Ok((body, n1 + n2))
    }

    #[test]
    fn chunked_every_split() {
        let input = b"3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\nNEXT";
        for at in 0..=input.len() {
            let (body, used) = dechunk_split(input, at).unwrap();
            assert_eq!(body, b"abc0123456789abcdef");
            assert_eq!(used, input.len() - 4);
        }
    }

    #[test]
    fn chunked_errors() {
        let cases: &[(&[u8], ProtocolError)] = &[
            (
                b"x\r\n",
                ProtocolError::BadChunk("chunk size is not hexadecimal"),
            ),
            (
                b"3z\r\n",
                ProtocolError::BadChunk("chunk size is not hexadecimal"),
            ),
            (
                b"3\r\nabcX",
                ProtocolError::BadChunk("chunk data not followed by CRLF"),
            ),
            (
                b"3\nabc",
                ProtocolError::BadChunk("chunk size is not hexadecimal"),
            ),
            (
                b"65",
                ProtocolError::BodyTooLarge {
                    len: 101,
                    limit: 100,
                },
            ),
            (
                b"fffffffffffffffff",
                ProtocolError::BodyTooLarge {
                    len: 0xfff,
                    limit: 100,
                },
            ),
        ];
        for (input, want) in cases {
            let mut c = Chunked::new();
            let mut body = Vec::new();
            let got = c.decode(input, &mut body, 100, 100).unwrap_err();
            if let ProtocolError::BodyTooLarge { .. } = want {
                assert!(matches!(got, ProtocolError::BodyTooLarge { .. }), "{got:?}");
            } else {
                assert_eq!(&got, want);
            }
        }
        let mut c = Chunked::new();
        let mut body = Vec::new();
        let r = c.decode(b"fffffffffffffffff", &mut body, usize::MAX, 100);
        assert!(r.is_err());
    }

    #[test]
    fn scan_finds_end_once() {
        let head = b"POST / HTTP/1.1\r\nHost: x\r\n\r\nBODY";
        for split in 0..head.len() {
            let mut s = HeadScan::default();
            let check = |b: &[u8]| check_request_prefix(b, 8);
            let first = s.scan(&head[..split], 1000, false, check).unwrap();
            if let HeadStatus::Complete(n) = first {
                assert_eq!(n, head.len() - 4);
                continue;
            }
            match s.scan(head, 1000, false, check).unwrap() {
                HeadStatus::Complete(n) => assert_eq!(n, head.len() - 4),
                HeadStatus::Partial => panic!("head not found at split {split}"),
            }
        }
    }

    #[test]
    fn content_lengths_written() {
        let mut out = Vec::new();
        put_content_length(&mut out, 1234);
        assert_eq!(out, b"Content-Length: 1234\r\n");
        assert!(valid_header("X-A", "b c"));
        assert!(!valid_header("X A", "b"));
        assert!(!valid_header("X", "a\r\nb: c"));
    }
}
