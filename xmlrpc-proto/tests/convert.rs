//! `FromValue` / `IntoValue`: one table per conversion (successes and every
//! failure message), then round trips `T -> Value -> T`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use proptest::prelude::*;
use time::macros::{datetime, offset};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};
use xmlrpc_proto::{ANY_TYPE, ConversionError, DateTime, FromValue, IntoValue, Struct, Value};

/// `from!(T, value => Ok(expected))` or `from!(T, value => Err("message"))`.
macro_rules! from {
    ($t:ty, $v:expr => Ok($want:expr)) => {
        assert_eq!(
            <$t as FromValue>::from_value($v).unwrap(),
            $want,
            "{} from {:?}",
            stringify!($t),
            $v
        )
    };
    ($t:ty, $v:expr => Err($msg:expr)) => {
        assert_eq!(
            <$t as FromValue>::from_value($v).unwrap_err().to_string(),
            $msg,
            "{} from {:?}",
            stringify!($t),
            $v
        )
    };
}

/// `into!(expr => Ok(value))` or `into!(expr => Err("message"))`.
macro_rules! into {
    ($e:expr => Ok($want:expr)) => {
        assert_eq!(
            IntoValue::into_value($e).unwrap(),
            $want,
            "{}",
            stringify!($e)
        )
    };
    ($e:expr => Err($msg:expr)) => {
        assert_eq!(
            IntoValue::into_value($e).unwrap_err().to_string(),
            $msg,
            "{}",
            stringify!($e)
        )
    };
}

fn s(text: &str) -> Value {
    Value::from(text)
}

fn dt(text: &str) -> Value {
    Value::DateTime(DateTime::parse(text).unwrap())
}

fn st(members: &[(&str, Value)]) -> Value {
    Value::Struct(
        members
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Struct>(),
    )
}

fn arr(items: &[Value]) -> Value {
    Value::Array(items.to_vec())
}

fn from_type<T: FromValue>() -> &'static str {
    T::xmlrpc_type()
}

fn into_type<T: IntoValue>() -> &'static str {
    T::xmlrpc_type()
}

#[test]
fn small_integers() {
    from!(i8, Value::Int(127) => Ok(127));
    from!(i8, Value::Int(-128) => Ok(-128));
    from!(i8, Value::Int(128) => Err("expected int in range of i8, found 128"));
    from!(i16, Value::Int(-32769) => Err("expected int in range of i16, found -32769"));
    from!(i32, Value::Int(i32::MIN) => Ok(i32::MIN));
    from!(i32, Value::I8(5) => Ok(5));
    from!(i32, Value::I8(1 << 40) => Err("expected int in range of i32, found 1099511627776"));
    from!(u16, Value::Int(65535) => Ok(65535));
    from!(u16, Value::Int(70000) => Err("expected int in range of u16, found 70000"));
    from!(u16, Value::Int(-1) => Err("expected int in range of u16, found -1"));
    from!(i32, s("5") => Err("expected int, found string"));
    from!(i32, Value::Double(5.0) => Err("expected int, found double"));
    from!(i32, Value::Bool(true) => Err("expected int, found boolean"));
    from!(i32, Value::Nil => Err("expected int, found nil"));

    into!(7_i8 => Ok(Value::Int(7)));
    into!(-7_i16 => Ok(Value::Int(-7)));
    into!(i32::MAX => Ok(Value::Int(i32::MAX)));
    into!(u16::MAX => Ok(Value::Int(65535)));

    for t in [
        from_type::<i8>(),
        from_type::<i16>(),
        from_type::<i32>(),
        from_type::<u16>(),
        into_type::<i32>(),
        into_type::<u16>(),
    ] {
        assert_eq!(t, "int");
    }
}

#[test]
fn wide_integers() {
    from!(i64, Value::Int(-3) => Ok(-3));
    from!(i64, Value::I8(i64::MIN) => Ok(i64::MIN));
    from!(i64, Value::Double(1.0) => Err("expected int or i8, found double"));
    from!(u64, Value::I8(i64::MAX) => Ok(i64::MAX as u64));
    from!(u64, Value::Int(-1) => Err("expected int or i8 in range of u64, found -1"));
    from!(u32, Value::I8(1 << 32) => Err("expected int or i8 in range of u32, found 4294967296"));
    from!(u32, Value::I8(4_294_967_295) => Ok(u32::MAX));
    from!(usize, Value::Int(3) => Ok(3));
    from!(usize, Value::Int(-3) => Err("expected int or i8 in range of usize, found -3"));
    from!(isize, Value::I8(-3) => Ok(-3));
    from!(i128, Value::I8(-3) => Ok(-3));
    from!(u128, s("3") => Err("expected int or i8, found string"));

    into!(5_i64 => Ok(Value::Int(5)));
    into!(i64::from(i32::MIN) - 1 => Ok(Value::I8(-2_147_483_649)));
    into!(i64::MIN => Ok(Value::I8(i64::MIN)));
    into!(u32::MAX => Ok(Value::I8(4_294_967_295)));
    into!(5_u64 => Ok(Value::Int(5)));
    into!(i64::MAX as u64 => Ok(Value::I8(i64::MAX)));
    into!(u64::MAX => Err("expected integer in range of i8, found 18446744073709551615"));
    into!(3_usize => Ok(Value::Int(3)));
    into!(-3_isize => Ok(Value::Int(-3)));
    into!(i128::MIN => Err(format!("expected integer in range of i8, found {}", i128::MIN)));
    into!(u128::from(u64::MAX) => Err("expected integer in range of i8, found 18446744073709551615"));

    for t in [
        from_type::<i64>(),
        from_type::<u32>(),
        from_type::<u64>(),
        from_type::<usize>(),
        into_type::<i64>(),
        into_type::<isize>(),
    ] {
        assert_eq!(t, "i8");
    }
}

#[test]
fn booleans_and_nil() {
    from!(bool, Value::Bool(true) => Ok(true));
    from!(bool, Value::Int(1) => Err("expected boolean, found int"));
    into!(false => Ok(Value::Bool(false)));
    assert_eq!(from_type::<bool>(), "boolean");

    from!((), Value::Nil => Ok(()));
    from!((), Value::Int(0) => Err("expected nil, found int"));
    into!(() => Ok(Value::Nil));
    assert_eq!(into_type::<()>(), "nil");
}

#[test]
fn doubles() {
    from!(f64, Value::Double(1.5) => Ok(1.5));
    from!(f64, Value::Int(-2) => Ok(-2.0));
    from!(f64, Value::I8(1 << 53) => Ok(9_007_199_254_740_992.0));
    from!(f64, Value::I8(-(1 << 53)) => Ok(-9_007_199_254_740_992.0));
    from!(f64, Value::I8((1 << 53) + 1) =>
        Err("expected double, found i8 9007199254740993, which a double cannot hold exactly"));
    from!(f64, s("1.5") => Err("expected double, found string"));
    from!(f32, Value::Double(0.5) => Ok(0.5_f32));
    from!(f32, Value::Int(3) => Ok(3.0_f32));
    from!(f32, Value::Double(1e300) => Err("expected double in range of f32, found 1e300"));

    into!(2.5_f64 => Ok(Value::Double(2.5)));
    into!(0.25_f32 => Ok(Value::Double(0.25)));
    into!(f64::NAN => Err("expected a finite double, found NaN"));
    into!(f64::INFINITY => Err("expected a finite double, found inf"));
    into!(f32::NEG_INFINITY => Err("expected a finite double, found -inf"));
    assert_eq!(from_type::<f64>(), "double");
    assert_eq!(into_type::<f32>(), "double");
}

#[test]
fn strings() {
    from!(String, s("héllo") => Ok("héllo".to_owned()));
    from!(String, Value::Base64(vec![]) => Err("expected string, found base64"));
    from!(String, dt("19980717T14:08:55") => Err("expected string, found dateTime.iso8601"));
    from!(Box<str>, s("x") => Ok(Box::<str>::from("x")));
    from!(Cow<'static, str>, s("x") => Ok(Cow::<str>::Borrowed("x")));
    from!(char, s("☃") => Ok('☃'));
    from!(char, s("ab") => Err("expected string of one character, found string of 2 characters"));
    from!(char, s("") => Err("expected string of one character, found string of 0 characters"));
    from!(char, Value::Int(1) => Err("expected string, found int"));

    into!("a" => Ok(s("a")));
    into!("a".to_owned() => Ok(s("a")));
    into!(&"a".to_owned() => Ok(s("a")));
    into!(Box::<str>::from("a") => Ok(s("a")));
    into!(Cow::Borrowed("a") => Ok(s("a")));
    into!('c' => Ok(s("c")));
    assert_eq!(from_type::<String>(), "string");
    assert_eq!(into_type::<&str>(), "string");
}

#[test]
fn bytes() {
    let b = || Value::Base64(vec![1, 2, 3]);
    from!(Vec<u8>, b() => Ok(vec![1, 2, 3]));
    from!(Vec<u8>, arr(&[Value::Int(1)]) => Err("expected base64, found array"));
    from!(Vec<u8>, s("AQID") => Err("expected base64, found string"));
    from!(Box<[u8]>, b() => Ok(vec![1, 2, 3].into_boxed_slice()));
    from!([u8; 3], b() => Ok([1, 2, 3]));
    from!([u8; 2], b() => Err("expected base64 of 2 bytes, found base64 of 3 bytes"));

    into!(vec![1_u8, 2, 3] => Ok(b()));
    into!(&[1_u8, 2, 3][..] => Ok(b()));
    into!([1_u8, 2, 3] => Ok(b()));
    into!(&vec![1_u8, 2, 3] => Ok(b()));
    into!(vec![1_u8, 2, 3].into_boxed_slice() => Ok(b()));
    assert_eq!(from_type::<Vec<u8>>(), "base64");
    assert_eq!(into_type::<[u8; 4]>(), "base64");
}

#[test]
fn sequences() {
    let ints = || arr(&[Value::Int(1), Value::Int(2)]);
    from!(Vec<i32>, ints() => Ok(vec![1, 2]));
    from!(Vec<i32>, arr(&[]) => Ok(Vec::<i32>::new()));
    from!(Vec<i32>, arr(&[Value::Int(1), s("x")]) => Err("[1]: expected int, found string"));
    from!(Vec<i32>, st(&[]) => Err("expected array, found struct"));
    from!(VecDeque<i32>, ints() => Ok(VecDeque::from([1, 2])));
    from!(BTreeSet<i32>, arr(&[Value::Int(2), Value::Int(1), Value::Int(2)]) => Ok(BTreeSet::from([1, 2])));
    from!(HashSet<i32>, ints() => Ok(HashSet::from([1, 2])));
    from!(Box<[i32]>, ints() => Ok(vec![1, 2].into_boxed_slice()));
    from!([i32; 2], ints() => Ok([1, 2]));
    from!([i32; 3], ints() => Err("expected array of 3 elements, found array of 2 elements"));
    from!([i32; 2], arr(&[Value::Int(1)]) => Err("expected array of 2 elements, found array of 1 element"));
    from!([i32; 2], arr(&[Value::Int(1), Value::Nil]) => Err("[1]: expected int, found nil"));
    from!(Vec<Vec<String>>, arr(&[arr(&[]), arr(&[s("a"), Value::Int(1)])]) =>
        Err("[1][1]: expected string, found int"));

    into!(vec![1_i32, 2] => Ok(ints()));
    into!(VecDeque::from([1_i32, 2]) => Ok(ints()));
    into!([1_i32, 2] => Ok(ints()));
    into!(&[1_i32, 2][..] => Ok(ints()));
    into!(BTreeSet::from([2_i32, 1]) => Ok(ints()));
    into!(vec![1_i32, 2].into_boxed_slice() => Ok(ints()));
    into!(vec![0, u64::MAX] => Err("[1]: expected integer in range of i8, found 18446744073709551615"));
    into!(vec![vec![1.0], vec![f64::NAN]] => Err("[1][0]: expected a finite double, found NaN"));
    assert_eq!(from_type::<Vec<String>>(), "array");
    assert_eq!(into_type::<[i32; 2]>(), "array");
    assert_eq!(into_type::<HashSet<i32>>(), "array");
}

#[test]
fn tuples() {
    let pair = || arr(&[Value::Int(1), s("x")]);
    from!((i32, String), pair() => Ok((1, "x".to_owned())));
    from!((i32,), arr(&[Value::Int(1)]) => Ok((1,)));
    from!((i32, String), arr(&[Value::Int(1)]) => Err("expected array of 2 elements, found array of 1 element"));
    from!((i32, String), arr(&[Value::Int(1), s("x"), Value::Nil]) =>
        Err("expected array of 2 elements, found array of 3 elements"));
    from!((i32, i32), pair() => Err("[1]: expected int, found string"));
    from!((i32, String), st(&[]) => Err("expected array, found struct"));
    let twelve: Vec<Value> = (0..12).map(Value::Int).collect();
    from!((i16, i16, i16, i16, i16, i16, i16, i16, i16, i16, i16, i64), Value::Array(twelve.clone()) =>
        Ok((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)));

    into!((1_i32, "x") => Ok(pair()));
    into!((1_u8 as u16,) => Ok(arr(&[Value::Int(1)])));
    into!((0_u16, 1_u16, 2_u16, 3_u16, 4_u16, 5_u16, 6_u16, 7_u16, 8_u16, 9_u16, 10_u16, 11_i64) =>
        Ok(Value::Array(twelve)));
    into!(("x", u64::MAX) => Err("[1]: expected integer in range of i8, found 18446744073709551615"));
    assert_eq!(from_type::<(i32, String)>(), "array");
}

#[test]
fn options() {
    from!(Option<i32>, Value::Nil => Ok(None));
    from!(Option<i32>, Value::Int(3) => Ok(Some(3)));
    from!(Option<i32>, s("3") => Err("expected int, found string"));
    from!(Vec<Option<String>>, arr(&[Value::Nil, s("a")]) => Ok(vec![None, Some("a".to_owned())]));

    into!(None::<i32> => Ok(Value::Nil));
    into!(Some("a") => Ok(s("a")));
    into!(Some(u64::MAX) => Err("expected integer in range of i8, found 18446744073709551615"));
    assert_eq!(from_type::<Option<String>>(), "string");
    assert_eq!(into_type::<Option<i64>>(), "i8");
}

#[test]
fn maps() {
    let m = || st(&[("b", Value::Int(2)), ("a", Value::Int(1))]);
    from!(HashMap<String, i32>, m() => Ok(HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)])));
    from!(BTreeMap<String, i32>, m() => Ok(BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)])));
    from!(HashMap<String, i32>, st(&[("a", Value::Int(1)), ("b", s("x"))]) => Err("b: expected int, found string"));
    from!(HashMap<String, i32>, arr(&[]) => Err("expected struct, found array"));
    from!(Vec<HashMap<String, String>>, arr(&[st(&[]), st(&[]), st(&[("name", Value::Int(1))])]) =>
        Err("[2].name: expected string, found int"));
    from!(BTreeMap<String, Vec<(i32, bool)>>, st(&[("k", arr(&[arr(&[Value::Int(1), Value::Bool(true)]), arr(&[Value::Int(1), Value::Int(0)])]))]) =>
        Err("k[1][1]: expected boolean, found int"));
    from!(BTreeMap<String, BTreeMap<String, i32>>, st(&[("a", st(&[("b", Value::Nil)]))]) =>
        Err("a.b: expected int, found nil"));

    into!(BTreeMap::from([("b", 2_i32), ("a", 1)]) => Ok(st(&[("a", Value::Int(1)), ("b", Value::Int(2))])));
    into!(HashMap::from([("a".to_owned(), 1_i32)]) => Ok(st(&[("a", Value::Int(1))])));
    into!(BTreeMap::from([("k", u64::MAX)]) => Err("k: expected integer in range of i8, found 18446744073709551615"));
    assert_eq!(from_type::<HashMap<String, i32>>(), "struct");
    assert_eq!(into_type::<BTreeMap<&str, i32>>(), "struct");

    // A large map stays a struct with every member, in linear time.
    let big: BTreeMap<String, i32> = (0..10_000).map(|i| (format!("k{i:05}"), i)).collect();
    let v = big.clone().into_value().unwrap();
    assert_eq!(v.as_struct().unwrap().len(), 10_000);
    assert_eq!(BTreeMap::<String, i32>::from_value(v).unwrap(), big);
}

#[test]
fn long_member_names_are_shortened_in_paths() {
    let name = "n".repeat(1000);
    let err = HashMap::<String, i32>::from_value(st(&[(&name, Value::Nil)])).unwrap_err();
    assert_eq!(err.path(), format!("{}…", "n".repeat(64)));
    assert_eq!(err.message(), "expected int, found nil");
}

#[test]
fn values_and_structs() {
    let v = st(&[("a", arr(&[Value::Nil]))]);
    from!(Value, v.clone() => Ok(v.clone()));
    into!(v.clone() => Ok(v.clone()));
    into!(&v => Ok(v.clone()));
    from!(Struct, v.clone() => Ok(v.as_struct().unwrap().clone()));
    from!(Struct, Value::Nil => Err("expected struct, found nil"));
    into!(Struct::new() => Ok(st(&[])));
    from!(Box<i32>, Value::Int(1) => Ok(Box::new(1)));
    into!(Box::new(1_i32) => Ok(Value::Int(1)));
    assert_eq!(from_type::<Value>(), ANY_TYPE);
    assert_eq!(into_type::<Value>(), "value");
    assert_eq!(from_type::<Struct>(), "struct");
}

#[test]
fn datetimes() {
    let naive = || dt("19980717T14:08:55");
    let zoned = || dt("1998-07-17T14:08:55+02:00");
    from!(DateTime, naive() => Ok(DateTime::parse("19980717T14:08:55").unwrap()));
    from!(DateTime, s("19980717T14:08:55") => Err("expected dateTime.iso8601, found string"));
    from!(PrimitiveDateTime, naive() => Ok(datetime!(1998-07-17 14:08:55)));
    from!(PrimitiveDateTime, zoned() => Ok(datetime!(1998-07-17 14:08:55)));
    from!(PrimitiveDateTime, Value::Int(0) => Err("expected dateTime.iso8601, found int"));
    from!(OffsetDateTime, naive() => Ok(datetime!(1998-07-17 14:08:55 UTC)));
    from!(OffsetDateTime, zoned() => Ok(datetime!(1998-07-17 14:08:55 +2)));
    assert_eq!(
        OffsetDateTime::from_value(zoned()).unwrap().offset(),
        offset!(+2)
    );

    into!(DateTime::parse("19980717T14:08:55").unwrap() => Ok(naive()));
    into!(datetime!(1998-07-17 14:08:55) => Ok(naive()));
    into!(datetime!(1998-07-17 14:08:55.5) => Ok(dt("19980717T14:08:55.5")));
    into!(datetime!(1998-07-17 14:08:55 +2) => Ok(dt("19980717T14:08:55+02:00")));
    into!(datetime!(1998-07-17 14:08:55 -0:30) => Ok(dt("19980717T14:08:55-00:30")));
    into!(datetime!(1998-07-17 14:08:55 UTC) => Ok(dt("19980717T14:08:55Z")));
    // An offset with seconds cannot be written: the same instant in UTC.
    into!(datetime!(1998-07-17 14:08:55 +0:00:30) => Ok(dt("19980717T14:08:25Z")));
    into!(datetime!(-0001-12-31 00:00:00) => Err("expected dateTime with a year in 0..=9999, found year -1"));
    into!(datetime!(-0001-12-31 00:00:00 +1) => Err("expected dateTime with a year in 0..=9999, found year -1"));
    assert_eq!(from_type::<OffsetDateTime>(), "dateTime.iso8601");
    assert_eq!(into_type::<PrimitiveDateTime>(), "dateTime.iso8601");
}

#[test]
fn error_api() {
    let e = ConversionError::mismatch("int", &Value::Nil);
    assert_eq!(e.to_string(), "expected int, found nil");
    assert_eq!(e.path(), "");
    let e = ConversionError::expected("x", 3).at_member("m").at_index(0);
    assert_eq!(e.to_string(), "[0].m: expected x, found 3");
    assert_eq!(ConversionError::custom("boom").message(), "boom");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("[0].m"));
}

// ---------------------------------------------------------------- round trips

fn round_trip<T: IntoValue + FromValue + Clone + PartialEq + std::fmt::Debug>(x: T) {
    let v = x.clone().into_value().unwrap();
    assert_eq!(T::from_value(v).unwrap(), x);
}

fn arb_primitive() -> impl Strategy<Value = PrimitiveDateTime> {
    (
        0..=9999_i32,
        1..=365_u16,
        0..86_400_u32,
        0..1_000_000_000_u32,
    )
        .prop_map(|(y, day, secs, nanos)| {
            let date = Date::from_ordinal_date(y, day).unwrap();
            let time = Time::from_hms_nano(
                (secs / 3600) as u8,
                (secs / 60 % 60) as u8,
                (secs % 60) as u8,
                nanos,
            )
            .unwrap();
            PrimitiveDateTime::new(date, time)
        })
}

fn arb_offset() -> impl Strategy<Value = OffsetDateTime> {
    (arb_primitive(), -(25 * 60 + 59)..=(25 * 60 + 59_i32)).prop_map(|(p, minutes)| {
        let o = UtcOffset::from_hms((minutes / 60) as i8, (minutes % 60) as i8, 0).unwrap();
        p.assume_offset(o)
    })
}

proptest! {
    #[test]
    fn integers_round_trip(a: i8, b: i16, c: i32, d: u16, e: i64, f: u32, g in 0..=i64::MAX as u64, h: isize) {
        round_trip(a);
        round_trip(b);
        round_trip(c);
        round_trip(d);
        round_trip(e);
        round_trip(f);
        round_trip(g);
        round_trip(h);
        // `int` exactly when the number fits 32 bits.
        let v = e.into_value().unwrap();
        prop_assert_eq!(matches!(v, Value::Int(_)), i32::try_from(e).is_ok());
    }

    #[test]
    fn scalars_round_trip(b: bool, x in proptest::num::f64::NORMAL | proptest::num::f64::ZERO | proptest::num::f64::SUBNORMAL, s: String, c: char, bytes: Vec<u8>) {
        round_trip(b);
        round_trip(x);
        round_trip(s.clone());
        round_trip(c);
        round_trip(bytes);
        round_trip(Some(s));
        round_trip(None::<String>);
    }

    #[test]
    fn containers_round_trip(
        v: Vec<i64>,
        t: (i32, String, bool, Option<u16>),
        m in prop::collection::hash_map(".{0,8}", any::<i32>(), 0..16),
        b in prop::collection::btree_map(
            ".{0,8}",
            prop::collection::vec(proptest::option::of(".{0,8}"), 0..4),
            0..8,
        ),
        a: [u8; 4],
        nested in prop::collection::vec((".{0,8}", any::<Vec<u8>>()), 0..8),
    ) {
        round_trip(v);
        round_trip(t);
        round_trip(m);
        round_trip(b);
        round_trip(a);
        round_trip(nested);
    }

    #[test]
    fn datetimes_round_trip(p in arb_primitive(), o in arb_offset()) {
        round_trip(p);
        round_trip(o);
        // The instant, and the offset it was written in, are kept.
        let back = OffsetDateTime::from_value(o.into_value().unwrap()).unwrap();
        prop_assert_eq!(back.offset(), o.offset());
    }

    #[test]
    fn conversions_never_panic(v in arb_value()) {
        // Whatever arrives, a conversion gives a value or an error.
        let _ = i32::from_value(v.clone());
        let _ = Vec::<String>::from_value(v.clone());
        let _ = HashMap::<String, Vec<Option<f64>>>::from_value(v.clone());
        let _ = <(i64, Value, [u8; 2])>::from_value(v.clone());
        prop_assert_eq!(Value::from_value(v.clone()).unwrap(), v.clone());
        prop_assert_eq!(v.clone().into_value().unwrap(), v);
    }
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        ".{0,8}".prop_map(Value::String),
        any::<f64>().prop_map(Value::Double),
        any::<Vec<u8>>().prop_map(Value::Base64),
        Just(Value::Nil),
        Just(dt("19980717T14:08:55")),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((".{0,4}", inner), 0..8)
                .prop_map(|m| Value::Struct(Struct::from_members(m))),
        ]
    })
}
