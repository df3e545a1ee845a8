//! The UserLand XML-RPC validator suite (`validator1.*`).

use xmlrpc_proto::dispatch::Dispatcher;
use xmlrpc_proto::{Fault, Struct, Value};

use crate::FAILURE;

/// Member `key` of `s` as an integer.
fn int_member(proc_name: &str, s: &Struct, key: &str) -> Result<i64, Fault> {
    s.get(key).and_then(Value::as_i64).ok_or_else(|| {
        Fault::new(
            FAILURE,
            format!("validator1.{proc_name}: expected an int member {key:?}"),
        )
    })
}

/// `moe + larry + curly` of `s`.
fn stooges(proc_name: &str, s: &Struct) -> Result<i64, Fault> {
    Ok(int_member(proc_name, s, "moe")?
        + int_member(proc_name, s, "larry")?
        + int_member(proc_name, s, "curly")?)
}

/// An `int` when the number fits 32 bits, else an `i8`.
fn int_value(n: i64) -> Value {
    i32::try_from(n).map_or(Value::I8(n), Value::Int)
}

fn nested_entry<'a>(s: &'a Struct, path: &[&str]) -> Option<&'a Struct> {
    let mut cur = s;
    for key in path {
        cur = cur.get(key)?.as_struct()?;
    }
    Some(cur)
}

/// The eight validator procedures, to nest under `validator1`.
pub(crate) fn dispatcher() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.register("arrayOfStructsTest", |items: Vec<Struct>| {
        items.iter().try_fold(0i64, |acc, s| {
            Ok::<i64, Fault>(acc + int_member("arrayOfStructsTest", s, "curly")?)
        })
    })
    .help("Returns the sum of the curly members of an array of structs.");
    d.register("countTheEntities", |s: String| {
        let count = |c: char| i32::try_from(s.matches(c).count()).unwrap_or(i32::MAX);
        let mut out = Struct::with_capacity(5);
        out.insert("ctLeftAngleBrackets", count('<'));
        out.insert("ctRightAngleBrackets", count('>'));
        out.insert("ctAmpersands", count('&'));
        out.insert("ctApostrophes", count('\''));
        out.insert("ctQuotes", count('"'));
        out
    })
    .help("Counts the <, >, &, ' and \" characters of a string.");
    d.register("easyStructTest", |s: Struct| stooges("easyStructTest", &s))
        .help("Returns moe + larry + curly of a struct.");
    d.register("echoStructTest", |s: Struct| s)
        .help("Returns its struct argument.");
    d.register(
        "manyTypesTest",
        |a: Value, b: Value, c: Value, d: Value, e: Value, f: Value| vec![a, b, c, d, e, f],
    )
    .help("Returns its six arguments as an array.");
    d.register("moderateSizeArrayCheck", |items: Vec<String>| {
        match (items.first(), items.last()) {
            (Some(first), Some(last)) => Ok(format!("{first}{last}")),
            _ => Err(Fault::new(
                FAILURE,
                "validator1.moderateSizeArrayCheck: expected a non-empty array",
            )),
        }
    })
    .help("Returns the first and the last string of an array, concatenated.");
    d.register("nestedStructTest", |s: Struct| {
        let day = nested_entry(&s, &["2000", "04", "01"]).ok_or_else(|| {
            Fault::new(
                FAILURE,
                "validator1.nestedStructTest: no entry for 2000-04-01",
            )
        })?;
        stooges("nestedStructTest", day)
    })
    .help("Returns moe + larry + curly of the entry for 2000-04-01 of a calendar struct.");
    d.register("simpleStructReturnTest", |n: i32| {
        let n = i64::from(n);
        let mut out = Struct::with_capacity(3);
        out.insert("times10", int_value(n * 10));
        out.insert("times100", int_value(n * 100));
        out.insert("times1000", int_value(n * 1000));
        out
    })
    .help("Returns a struct with its argument times 10, 100 and 1000.");
    d
}
