//! Character encodings: every document is turned into one UTF-8 `&str`
//! before parsing.
//!
//! UTF-8 input (with or without a byte order mark) is validated once and
//! borrowed. ISO-8859-1, windows-1252 and US-ASCII (from the XML declaration)
//! and UTF-16 (from its byte order mark, or from the first bytes of `<?xml`)
//! are converted into a new UTF-8 buffer. Offsets found while parsing that
//! buffer are mapped back to offsets in the original bytes by [`Origin`].

use std::borrow::Cow;

use super::decode::{DecodeError, DecodeErrorKind};

/// How the parsed text relates to the input bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// UTF-8 after `skip` bytes of byte order mark.
    Utf8 { skip: usize },
    /// One input byte per character (ISO-8859-1, windows-1252).
    SingleByte,
    /// UTF-16 after `skip` bytes of byte order mark.
    Utf16 { skip: usize },
}

impl Origin {
    /// Maps an offset in the UTF-8 `text` to an offset in the input.
    pub(crate) fn input_offset(self, text: &str, offset: usize) -> usize {
        let prefix = &text.as_bytes()[..offset.min(text.len())];
        match self {
            Self::Utf8 { skip } => skip + prefix.len(),
            // One input byte per character: count the characters before.
            Self::SingleByte => prefix.iter().filter(|&&b| b & 0xC0 != 0x80).count(),
            // Two bytes per UTF-16 unit; four-byte UTF-8 sequences are
            // surrogate pairs.
            Self::Utf16 { skip } => {
                skip + prefix
                    .iter()
                    .map(|&b| match b {
                        0x80..=0xBF => 0,
                        0xF0..=0xFF => 4,
                        _ => 2,
                    })
                    .sum::<usize>()
            }
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encodings a document may declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Declared {
    Utf8,
    Ascii,
    Latin1,
    Windows1252,
    Utf16,
}

/// Turns `input` into UTF-8 text, borrowing it when it already is.
pub(crate) fn to_utf8(input: &[u8]) -> Result<(Cow<'_, str>, Origin), DecodeError> {
    match input {
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            let skip = UTF8_BOM.len();
            match declared(rest).map_err(|e| shift(e, skip))? {
                Declared::Utf8 | Declared::Ascii => {}
                _ => {
                    return Err(DecodeError::new(DecodeErrorKind::UnsupportedEncoding, 0)
                        .with_detail("declaration contradicts the UTF-8 byte order mark"));
                }
            }
            Ok((Cow::Borrowed(utf8(rest, skip)?), Origin::Utf8 { skip }))
        }
        [0xFF, 0xFE, rest @ ..] => {
            Ok((Cow::Owned(utf16(rest, 2, true)?), Origin::Utf16 { skip: 2 }))
        }
        [0xFE, 0xFF, rest @ ..] => Ok((
            Cow::Owned(utf16(rest, 2, false)?),
            Origin::Utf16 { skip: 2 },
        )),
        // `<?` in UTF-16 without a byte order mark (XML 1.0 appendix F).
        [b'<', 0, b'?', 0, ..] => Ok((
            Cow::Owned(utf16(input, 0, true)?),
            Origin::Utf16 { skip: 0 },
        )),
        [0, b'<', 0, b'?', ..] => Ok((
            Cow::Owned(utf16(input, 0, false)?),
            Origin::Utf16 { skip: 0 },
        )),
        _ => match declared(input)? {
            Declared::Utf8 => Ok((Cow::Borrowed(utf8(input, 0)?), Origin::Utf8 { skip: 0 })),
            Declared::Ascii => match input.iter().position(|&b| b >= 0x80) {
                // ASCII is a subset of UTF-8.
                None => Ok((Cow::Borrowed(utf8(input, 0)?), Origin::Utf8 { skip: 0 })),
                Some(at) => Err(DecodeError::new(DecodeErrorKind::InvalidEncoding, at)
                    .with_detail("byte above 0x7F in a US-ASCII document")),
            },
            Declared::Latin1 => Ok((single_byte(input, char::from), Origin::SingleByte)),
            Declared::Windows1252 => Ok((single_byte(input, windows_1252), Origin::SingleByte)),
            Declared::Utf16 => Err(DecodeError::new(DecodeErrorKind::InvalidEncoding, 0)
                .with_detail("UTF-16 declared but the document has no UTF-16 byte order mark")),
        },
    }
}

fn shift(mut e: DecodeError, by: usize) -> DecodeError {
    e.set_offset(e.offset() + by);
    e
}

fn utf8(bytes: &[u8], skip: usize) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes)
        .map_err(|e| DecodeError::new(DecodeErrorKind::InvalidUtf8, skip + e.valid_up_to()))
}

/// Converts a single-byte encoding; ASCII-only input is borrowed as is.
fn single_byte(input: &[u8], map: impl Fn(u8) -> char) -> Cow<'_, str> {
    let high = input.iter().filter(|&&b| b >= 0x80).count();
    if high == 0 {
        // All bytes are ASCII, hence valid UTF-8; the fallback never runs.
        return match std::str::from_utf8(input) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Owned(input.iter().map(|&b| map(b)).collect()),
        };
    }
    // Each high byte becomes at most three UTF-8 bytes.
    let mut out = String::with_capacity(input.len() + 2 * high);
    out.extend(input.iter().map(|&b| map(b)));
    Cow::Owned(out)
}

/// windows-1252 as the WHATWG Encoding Standard defines it (the five
/// unassigned bytes map to the C1 controls of the same value).
fn windows_1252(b: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => char::from_u32(u32::from(HIGH[usize::from(b - 0x80)]))
            // Every entry of the table is a BMP code point outside the
            // surrogates; the fallback never runs.
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(b),
    }
}

fn utf16(bytes: &[u8], skip: usize, little_endian: bool) -> Result<String, DecodeError> {
    if bytes.len() % 2 != 0 {
        return Err(
            DecodeError::new(DecodeErrorKind::InvalidEncoding, skip + bytes.len() - 1)
                .with_detail("odd number of bytes in a UTF-16 document"),
        );
    }
    let units = bytes.chunks_exact(2).map(|p| {
        if little_endian {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    // Each unit becomes at most three UTF-8 bytes (a pair, four).
    let mut out = String::with_capacity(bytes.len() / 2 * 3);
    let mut at = skip;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => {
                out.push(c);
                at += 2 * c.len_utf16();
            }
            Err(_) => {
                return Err(DecodeError::new(DecodeErrorKind::InvalidEncoding, at)
                    .with_detail("unpaired surrogate in a UTF-16 document"));
            }
        }
    }
    Ok(out)
}

/// Reads the `encoding` of an XML declaration at the very start of `input`.
fn declared(input: &[u8]) -> Result<Declared, DecodeError> {
    // The declaration is short; never scan a large body for its end.
    const MAX_DECL: usize = 256;
    let Some(decl) = input.strip_prefix(b"<?xml") else {
        return Ok(Declared::Utf8);
    };
    let window = &decl[..decl.len().min(MAX_DECL)];
    let Some(end) = find(window, b"?>") else {
        return Ok(Declared::Utf8);
    };
    let decl = &window[..end];
    let Some(at) = find(decl, b"encoding") else {
        return Ok(Declared::Utf8);
    };
    let rest = trim_start(&decl[at + b"encoding".len()..]);
    let Some(rest) = rest.strip_prefix(b"=") else {
        return Ok(Declared::Utf8);
    };
    let rest = trim_start(rest);
    let name = match rest {
        [q @ (b'"' | b'\''), tail @ ..] => match tail.iter().position(|b| b == q) {
            Some(n) => &tail[..n],
            None => return Ok(Declared::Utf8),
        },
        _ => return Ok(Declared::Utf8),
    };
    let offset = b"<?xml".len() + at;
    let lower = name.to_ascii_lowercase();
    Ok(match lower.as_slice() {
        b"utf-8" | b"utf8" => Declared::Utf8,
        b"us-ascii" | b"ascii" | b"ansi_x3.4-1968" | b"iso646-us" => Declared::Ascii,
        b"iso-8859-1" | b"iso8859-1" | b"iso_8859-1" | b"latin1" | b"latin-1" | b"l1"
        | b"cp819" | b"ibm819" => Declared::Latin1,
        b"windows-1252" | b"cp1252" => Declared::Windows1252,
        b"utf-16" | b"utf16" | b"utf-16le" | b"utf-16be" => Declared::Utf16,
        _ => {
            let shown = String::from_utf8_lossy(&name[..name.len().min(40)]).into_owned();
            return Err(
                DecodeError::new(DecodeErrorKind::UnsupportedEncoding, offset)
                    .with_detail(format!("{shown:?}")),
            );
        }
    })
}

/// A naive search: the haystack is a few dozen bytes.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back() {
        let (text, origin) = to_utf8(b"<?xml version='1.0' encoding='latin1'?>\xE9\xE9x").unwrap();
        let at = text.rfind('x').unwrap();
        assert_eq!(origin.input_offset(&text, at), 41);

        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a\u{1F600}x".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let (text, origin) = to_utf8(&utf16).unwrap();
        let at = text.rfind('x').unwrap();
        assert_eq!(origin.input_offset(&text, at), 2 + 2 + 4);
    }

    #[test]
    fn windows_1252_table() {
        assert_eq!(windows_1252(0x80), '\u{20AC}');
        assert_eq!(windows_1252(0x9F), '\u{0178}');
        assert_eq!(windows_1252(0xE9), '\u{E9}');
    }
}
