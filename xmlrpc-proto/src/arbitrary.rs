//! `arbitrary::Arbitrary` for the value model (feature `arbitrary`), so that
//! fuzzers can generate values, calls and faults.
//!
//! Generated values nest at most 8 arrays and structs deep, and
//! every array element and struct member costs at least one input byte, so
//! the size of what is built is bounded by the length of the input.
//!
//! A generated [`DateTime`] is always valid, in the compact form
//! `YYYYMMDDTHH:MM:SS`, with a year in 0..=9999. Strings and doubles are
//! unrestricted: a value may hold text or numbers (control characters, NaN)
//! that the encoder refuses to write.

use arbitrary::{Arbitrary, Error, Result, Unstructured};
use time::{Date, Month, PrimitiveDateTime, Time};

use crate::{DateTime, Fault, MethodCall, Struct, Value};

/// How many arrays and structs deep a generated value nests at most.
const MAX_DEPTH: usize = 8;

/// A value whose containers sit `depth` levels deep.
fn value(u: &mut Unstructured<'_>, depth: usize) -> Result<Value> {
    let kinds = if depth < MAX_DEPTH { 10 } else { 8 };
    Ok(match u.choose_index(kinds)? {
        0 => Value::Int(u.arbitrary()?),
        1 => Value::I8(u.arbitrary()?),
        2 => Value::Bool(u.arbitrary()?),
        3 => Value::String(u.arbitrary()?),
        4 => Value::Double(u.arbitrary()?),
        5 => Value::DateTime(u.arbitrary()?),
        6 => Value::Base64(u.arbitrary()?),
        7 => Value::Nil,
        8 => Value::Array(values(u, depth + 1)?),
        _ => Value::Struct(members(u, depth + 1)?),
    })
}

/// Elements while the input says to go on: one byte per element at least.
fn values(u: &mut Unstructured<'_>, depth: usize) -> Result<Vec<Value>> {
    let mut items = Vec::new();
    while u.arbitrary::<bool>()? {
        items.push(value(u, depth)?);
    }
    Ok(items)
}

fn members(u: &mut Unstructured<'_>, depth: usize) -> Result<Struct> {
    let mut members = Vec::new();
    while u.arbitrary::<bool>()? {
        let name: String = u.arbitrary()?;
        members.push((name, value(u, depth)?));
    }
    Ok(Struct::from_members(members))
}

/// Any variant, nesting at most 8 arrays and structs deep.
impl<'a> Arbitrary<'a> for Value {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        value(u, 0)
    }
}

/// Members with any names (repeated names follow [`Struct::insert`]).
impl<'a> Arbitrary<'a> for Struct {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        members(u, 1)
    }
}

/// A valid date and time in the compact form, years 0..=9999.
impl<'a> Arbitrary<'a> for DateTime {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let year = u.int_in_range(0..=9999)?;
        let month = Month::try_from(u.int_in_range(1..=12)?).map_err(|_| Error::IncorrectFormat)?;
        let day = u.int_in_range(1..=31)?;
        // Every month has a 28th: fall back to it past the month's end.
        let date = Date::from_calendar_date(year, month, day)
            .or_else(|_| Date::from_calendar_date(year, month, 28))
            .map_err(|_| Error::IncorrectFormat)?;
        let time = Time::from_hms(
            u.int_in_range(0..=23)?,
            u.int_in_range(0..=59)?,
            u.int_in_range(0..=59)?,
        )
        .map_err(|_| Error::IncorrectFormat)?;
        Ok(Self::from(PrimitiveDateTime::new(date, time)))
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (0, Some(8))
    }
}

/// Any name, and parameters as [`Value`]s.
impl<'a> Arbitrary<'a> for MethodCall {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let name: String = u.arbitrary()?;
        let mut params = Vec::new();
        while u.arbitrary::<bool>()? {
            params.push(value(u, 0)?);
        }
        Ok(Self { name, params })
    }
}

impl<'a> Arbitrary<'a> for Fault {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Self {
            code: u.arbitrary()?,
            string: u.arbitrary()?,
        })
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        arbitrary::size_hint::and(i32::size_hint(depth), String::size_hint(depth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(v: &Value) -> usize {
        let mut max = 0;
        let mut stack = vec![(v, 0)];
        while let Some((v, d)) = stack.pop() {
            max = max.max(d);
            match v {
                Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
                Value::Struct(s) => stack.extend(s.iter().map(|(_, x)| (x, d + 1))),
                _ => {}
            }
        }
        max
    }

    fn count(v: &Value) -> usize {
        let mut n = 0;
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            n += 1;
            match v {
                Value::Array(a) => stack.extend(a),
                Value::Struct(s) => stack.extend(s.iter().map(|(_, x)| x)),
                _ => {}
            }
        }
        n
    }

    /// A deterministic byte stream (xorshift), so the test needs no seed.
    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect()
    }

    #[test]
    fn bounded_depth_and_size() {
        for seed in 0..2000 {
            let data = bytes(seed, 512);
            let v = Value::arbitrary(&mut Unstructured::new(&data)).unwrap();
            assert!(depth(&v) <= MAX_DEPTH, "{v:?}");
            assert!(count(&v) <= data.len() + 1);
        }
        // Always nesting: the bound holds on the deepest input too.
        let deep = [8u8, 1].repeat(64);
        let v = Value::arbitrary(&mut Unstructured::new(&deep)).unwrap();
        assert_eq!(depth(&v), MAX_DEPTH);
    }

    #[test]
    fn datetimes_are_valid_and_compact() {
        for seed in 0..2000 {
            let data = bytes(seed, 16);
            let d = DateTime::arbitrary(&mut Unstructured::new(&data)).unwrap();
            let text = d.as_str();
            assert_eq!(text.len(), 17, "{text}");
            assert_eq!(DateTime::parse(text).unwrap(), d);
        }
        let d = DateTime::arbitrary(&mut Unstructured::new(&[])).unwrap();
        assert_eq!(d.as_str(), "00000101T00:00:00");
    }

    #[test]
    fn empty_input_gives_small_values() {
        let mut u = Unstructured::new(&[]);
        assert_eq!(Value::arbitrary(&mut u).unwrap(), Value::Int(0));
        assert_eq!(
            MethodCall::arbitrary(&mut u).unwrap(),
            MethodCall::new("", vec![])
        );
        assert_eq!(Fault::arbitrary(&mut u).unwrap(), Fault::new(0, ""));
        assert_eq!(Struct::arbitrary(&mut u).unwrap(), Struct::new());
    }
}
