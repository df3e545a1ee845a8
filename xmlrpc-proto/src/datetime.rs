//! `dateTime.iso8601` values.

use std::fmt;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// An XML-RPC `dateTime.iso8601` value, kept as the text the wire carried.
///
/// XML-RPC dateTimes carry no zone by specification, and peers disagree on
/// the form, so the value keeps exactly what was received (trimmed of
/// surrounding whitespace) and is written back unchanged; equality compares
/// that text. Values made from `time` types use the compact form every peer
/// reads, `19980717T14:08:55`.
///
/// Accepted forms: `YYYYMMDDTHH:MM:SS` and `YYYY-MM-DDTHH:MM:SS`, with the
/// time also as `HHMMSS`, optional fractional seconds (`.123`, up to nine
/// digits), and an optional zone: `Z`, `±HH:MM`, `±HHMM` or `±HH`.
///
/// ```
/// use time::macros::datetime;
/// use xmlrpc_proto::DateTime;
///
/// let d = DateTime::parse("1998-07-17T14:08:55.25Z").unwrap();
/// assert_eq!(d.to_primitive(), datetime!(1998-07-17 14:08:55.25));
/// assert_eq!(d.to_offset(), Some(datetime!(1998-07-17 14:08:55.25 UTC)));
///
/// let c = DateTime::from(datetime!(1998-07-17 14:08:55));
/// assert_eq!(c.as_str(), "19980717T14:08:55");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    text: Box<str>,
}

/// Why a text is not an XML-RPC dateTime.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid dateTime.iso8601 {text:?}: {reason}")]
pub struct DateTimeError {
    text: String,
    reason: &'static str,
}

impl DateTimeError {
    /// What is wrong with the text.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Parts {
    dt: PrimitiveDateTime,
    offset: Option<UtcOffset>,
}

impl DateTime {
    /// Parses and validates `text` (surrounding whitespace is ignored).
    ///
    /// # Errors
    ///
    /// When the text is not one of the accepted forms or names a date or
    /// time that does not exist.
    pub fn parse(text: &str) -> Result<Self, DateTimeError> {
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        parse_parts(text).map_err(|reason| DateTimeError {
            text: text.chars().take(64).collect(),
            reason,
        })?;
        Ok(Self { text: text.into() })
    }

    /// Validates `text` without keeping it: the text without its
    /// surrounding whitespace, or why it is not a dateTime.
    pub(crate) fn check(text: &str) -> Result<&str, &'static str> {
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        parse_parts(text).map(|_| text)
    }

    /// A dateTime from text that [`DateTime::check`] accepted.
    pub(crate) fn from_checked(text: &str) -> Self {
        debug_assert!(parse_parts(text).is_ok());
        Self { text: text.into() }
    }

    /// The text as received (or as formatted, for values made from `time`
    /// types).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn parts(&self) -> Parts {
        // The text was validated by every constructor.
        parse_parts(&self.text).expect("DateTime holds validated text")
    }

    /// The date and time as written, ignoring any zone.
    #[must_use]
    pub fn to_primitive(&self) -> PrimitiveDateTime {
        self.parts().dt
    }

    /// The zone written after the time, if any (`Z` is UTC).
    #[must_use]
    pub fn offset(&self) -> Option<UtcOffset> {
        self.parts().offset
    }

    /// The instant, when the text names a zone; `None` when it has none
    /// (the usual XML-RPC case: see [`DateTime::assume_offset`]).
    #[must_use]
    pub fn to_offset(&self) -> Option<OffsetDateTime> {
        let p = self.parts();
        p.offset.map(|o| p.dt.assume_offset(o))
    }

    /// The instant, taking `offset` for a text that names no zone.
    #[must_use]
    pub fn assume_offset(&self, offset: UtcOffset) -> OffsetDateTime {
        let p = self.parts();
        p.dt.assume_offset(p.offset.unwrap_or(offset))
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({:?})", &*self.text)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn format_compact(dt: PrimitiveDateTime, offset: Option<UtcOffset>) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(32);
    let d = dt.date();
    let t = dt.time();
    // Writing to a String cannot fail.
    let _ = write!(
        s,
        "{:04}{:02}{:02}T{:02}:{:02}:{:02}",
        d.year(),
        u8::from(d.month()),
        d.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nanos = t.nanosecond();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    if let Some(o) = offset {
        if o.is_utc() {
            s.push('Z');
        } else {
            let (h, m, _) = o.as_hms();
            let sign = if o.is_negative() { '-' } else { '+' };
            let _ = write!(s, "{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs());
        }
    }
    s
}

/// A naive date and time, written in the compact form with no zone.
///
/// Years outside 0000..=9999 cannot be written in the wire form; they are
/// clamped to that range.
impl From<PrimitiveDateTime> for DateTime {
    fn from(dt: PrimitiveDateTime) -> Self {
        let dt = clamp_year(dt);
        Self {
            text: format_compact(dt, None).into(),
        }
    }
}

/// An instant, written in the compact form in its own offset, with the
/// offset (`Z` for UTC) appended.
///
/// The wire form carries offsets to the minute: an instant whose offset has
/// seconds is written in UTC instead, so that it names the same instant.
impl From<OffsetDateTime> for DateTime {
    fn from(dt: OffsetDateTime) -> Self {
        let dt = if dt.offset().seconds_past_minute() == 0 {
            dt
        } else {
            dt.to_offset(UtcOffset::UTC)
        };
        let p = clamp_year(PrimitiveDateTime::new(dt.date(), dt.time()));
        let offset = dt.offset();
        Self {
            text: format_compact(p, Some(offset)).into(),
        }
    }
}

fn clamp_year(dt: PrimitiveDateTime) -> PrimitiveDateTime {
    if dt.year() < 0 {
        PrimitiveDateTime::new(
            Date::from_calendar_date(0, Month::January, 1).unwrap_or(dt.date()),
            Time::MIDNIGHT,
        )
    } else if dt.year() > 9999 {
        PrimitiveDateTime::new(
            Date::from_calendar_date(9999, Month::December, 31).unwrap_or(dt.date()),
            Time::from_hms_nano(23, 59, 59, 999_999_999).unwrap_or(Time::MIDNIGHT),
        )
    } else {
        dt
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Result<u32, &'static str> {
        let end = self.i + n;
        let s = self.b.get(self.i..end).ok_or("too short")?;
        let mut v = 0u32;
        for &c in s {
            if !c.is_ascii_digit() {
                return Err("expected a digit");
            }
            v = v * 10 + u32::from(c - b'0');
        }
        self.i = end;
        Ok(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
}

fn parse_parts(text: &str) -> Result<Parts, &'static str> {
    let mut c = Cursor {
        b: text.as_bytes(),
        i: 0,
    };
    let year = c.digits(4)?;
    let dashed = c.eat(b'-');
    let month = c.digits(2)?;
    if dashed && !c.eat(b'-') {
        return Err("expected '-' in the date");
    }
    let day = c.digits(2)?;
    if !c.eat(b'T') && !c.eat(b't') {
        return Err("expected 'T' between date and time");
    }
    let hour = c.digits(2)?;
    let colons = c.eat(b':');
    let minute = c.digits(2)?;
    if colons && !c.eat(b':') {
        return Err("expected ':' in the time");
    }
    let second = c.digits(2)?;
    let mut nanos = 0u32;
    if c.eat(b'.') || c.eat(b',') {
        let start = c.i;
        while c.peek().is_some_and(|d| d.is_ascii_digit()) {
            let d = u32::from(c.b[c.i] - b'0');
            let pos = c.i - start;
            if pos < 9 {
                nanos += d * 10u32.pow(8 - pos as u32);
            }
            c.i += 1;
        }
        if c.i == start {
            return Err("expected digits after the decimal point");
        }
    }
    let offset = match c.peek() {
        None => None,
        Some(b'Z' | b'z') => {
            c.i += 1;
            Some(UtcOffset::UTC)
        }
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let h = c.digits(2)?;
            let m = if c.eat(b':') || c.peek().is_some() {
                c.digits(2)?
            } else {
                0
            };
            let (h, m) = (h as i8, m as i8);
            let (h, m) = if sign == b'-' { (-h, -m) } else { (h, m) };
            Some(UtcOffset::from_hms(h, m, 0).map_err(|_| "zone offset out of range")?)
        }
        Some(_) => return Err("unexpected characters after the time"),
    };
    if c.i != c.b.len() {
        return Err("unexpected characters after the zone");
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or("month out of range")?;
    let date = Date::from_calendar_date(year as i32, month, day as u8)
        .map_err(|_| "day out of range for the month")?;
    // A leap second (`:60`) is accepted as the last instant of its minute.
    let (second, nanos) = if second == 60 {
        (59, 999_999_999)
    } else {
        (second, nanos)
    };
    let time = Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanos)
        .map_err(|_| "time out of range")?;
    Ok(Parts {
        dt: PrimitiveDateTime::new(date, time),
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn accepted_forms() {
        for (text, dt, off) in [
            ("19980717T14:08:55", datetime!(1998-07-17 14:08:55), None),
            ("1998-07-17T14:08:55", datetime!(1998-07-17 14:08:55), None),
            ("19980717T140855", datetime!(1998-07-17 14:08:55), None),
            (
                "1998-07-17T14:08:55.123456",
                datetime!(1998-07-17 14:08:55.123456),
                None,
            ),
            (
                "19980717T14:08:55Z",
                datetime!(1998-07-17 14:08:55),
                Some(UtcOffset::UTC),
            ),
            (
                "19980717T14:08:55+02:00",
                datetime!(1998-07-17 14:08:55),
                Some(offset!(+2)),
            ),
            (
                "19980717T14:08:55-0530",
                datetime!(1998-07-17 14:08:55),
                Some(offset!(-5:30)),
            ),
            (
                " 19980717T14:08:55.5-03 ",
                datetime!(1998-07-17 14:08:55.5),
                Some(offset!(-3)),
            ),
        ] {
            let d = DateTime::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(d.to_primitive(), dt, "{text}");
            assert_eq!(d.offset(), off, "{text}");
            assert_eq!(d.as_str(), text.trim());
        }
    }

    #[test]
    fn rejected_forms() {
        for text in [
            "",
            "1998",
            "19981317T14:08:55",
            "19980230T14:08:55",
            "19980717 14:08:55",
            "19980717T25:08:55",
            "19980717T14:08:55.",
            "19980717T14:08:55+99:00",
            "19980717T14:08:55junk",
            "1998-0717T14:08:55",
            "19980717T14:0855",
            "१९९८0717T14:08:55",
        ] {
            assert!(DateTime::parse(text).is_err(), "{text:?} should fail");
        }
    }

    #[test]
    fn from_time_types_is_compact() {
        assert_eq!(
            DateTime::from(datetime!(2026-01-01 12:00:00)).as_str(),
            "20260101T12:00:00"
        );
        assert_eq!(
            DateTime::from(datetime!(2026-01-01 12:00:00.5 +01:00)).as_str(),
            "20260101T12:00:00.5+01:00"
        );
        assert_eq!(
            DateTime::from(datetime!(2026-01-01 12:00:00 UTC)).as_str(),
            "20260101T12:00:00Z"
        );
        let odd = datetime!(2026-01-01 12:00:30 +00:00:30);
        let d = DateTime::from(odd);
        assert_eq!(d.as_str(), "20260101T12:00:00Z");
        assert_eq!(d.to_offset(), Some(odd));
    }
}
