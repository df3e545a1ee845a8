//! The command line: words to a [`Command`].
//!
//! Options may stand anywhere before a `--`; after it every word is an
//! argument. A word that starts with `-` and reads as a number (`-5`,
//! `-1.5`) is an argument, not an option. Long options take their value as
//! `--name VALUE` or `--name=VALUE`, short ones as `-n VALUE`.

use std::path::PathBuf;
use std::time::Duration;

use xmlrpc_proto::{Fault, Limits, MethodCall, Value};

use crate::args::{looks_numeric, parse_arg};
use crate::call::Target;
use crate::endpoint;
use crate::help::Topic;
use crate::output::Format;

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    /// Print help on a topic (the overview when `None`).
    Help(Option<Topic>),
    /// Print the version.
    Version,
    /// `call URL METHOD [ARG...]`.
    Call {
        target: Target,
        call: MethodCall,
        format: Format,
    },
    /// `introspect URL [METHOD...]`.
    Introspect {
        target: Target,
        methods: Vec<String>,
        format: Format,
    },
    /// `decode`: stdin to JSON.
    Decode,
    /// `encode call|response|fault ...`.
    Encode(Encode),
}

/// The document `encode` prints.
#[derive(Debug, PartialEq)]
pub(crate) enum Encode {
    Call(MethodCall),
    Response(Value),
    Fault(Fault),
}

/// Options as given, before they are checked against the subcommand.
#[derive(Default)]
struct Options {
    /// Names of the options given, for "does not apply" messages.
    given: Vec<&'static str>,
    format: Option<Format>,
    timeout: Option<Duration>,
    headers: Vec<(String, String)>,
    user: Option<String>,
    password: Option<String>,
    cacert: Option<PathBuf>,
    insecure: bool,
    help: bool,
    version: bool,
}

/// The options of the command: (long name, short name, takes a value).
const OPTIONS: &[(&str, Option<&str>, bool)] = &[
    ("--help", Some("-h"), false),
    ("--version", Some("-V"), false),
    ("--format", Some("-f"), true),
    ("--timeout", Some("-t"), true),
    ("--header", Some("-H"), true),
    ("--user", Some("-u"), true),
    ("--password", Some("-p"), true),
    ("--cacert", None, true),
    ("--insecure", Some("-k"), false),
];

/// Parses the words after the program name.
///
/// # Errors
///
/// A one-line usage message.
pub(crate) fn parse(words: &[String], limits: &Limits) -> Result<Command, String> {
    let mut opts = Options::default();
    let mut positional: Vec<&str> = Vec::new();
    let mut only_positional = false;
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        if only_positional || !word.starts_with('-') || word == "-" || looks_numeric(word) {
            positional.push(word);
            continue;
        }
        if word == "--" {
            only_positional = true;
            continue;
        }
        let (name, inline) = match word.split_once('=') {
            Some((n, v)) if word.starts_with("--") => (n, Some(v)),
            _ => (word.as_str(), None),
        };
        let &(long, _, takes_value) = OPTIONS
            .iter()
            .find(|(l, s, _)| *l == name || *s == Some(name))
            .ok_or_else(|| {
                format!("unknown option {name:?} (arguments that start with '-' go after '--' or as s/...)")
            })?;
        let value = if takes_value {
            match inline {
                Some(v) => Some(v),
                None => Some(
                    iter.next()
                        .map(String::as_str)
                        .ok_or_else(|| format!("{long} needs a value"))?,
                ),
            }
        } else if inline.is_some() {
            return Err(format!("{long} takes no value"));
        } else {
            None
        };
        opts.given.push(long);
        // `value` is `Some` exactly for the options that take one.
        let value = value.unwrap_or_default();
        match long {
            "--help" => opts.help = true,
            "--version" => opts.version = true,
            "--format" => opts.format = Some(Format::parse(value)?),
            "--timeout" => opts.timeout = Some(parse_timeout(value)?),
            "--header" => opts.headers.push(parse_header(value)?),
            "--user" => opts.user = Some(value.to_owned()),
            "--password" => opts.password = Some(value.to_owned()),
            "--cacert" => opts.cacert = Some(PathBuf::from(value)),
            _ => opts.insecure = true,
        }
    }

    let (sub, rest) = match positional.split_first() {
        Some((sub, rest)) => (*sub, rest),
        None if opts.help => return Ok(Command::Help(None)),
        None if opts.version => return Ok(Command::Version),
        None => return Err("no command given (try 'xmlrpc --help')".to_owned()),
    };
    if sub == "help" {
        return match rest {
            [] => Ok(Command::Help(None)),
            [topic] => Topic::parse(topic)
                .map(|t| Command::Help(Some(t)))
                .ok_or_else(|| format!("no help on {topic:?}: no such command")),
            _ => Err("help takes at most one command name".to_owned()),
        };
    }
    let topic = Topic::parse(sub)
        .ok_or_else(|| format!("unknown command {sub:?} (try 'xmlrpc --help')"))?;
    if opts.help {
        return Ok(Command::Help(Some(topic)));
    }
    if opts.version {
        return Ok(Command::Version);
    }
    match topic {
        Topic::Call => {
            let [url, method, args @ ..] = rest else {
                return Err("call needs a URL and a METHOD (try 'xmlrpc call --help')".to_owned());
            };
            let target = target(url, &opts)?;
            let call = MethodCall::new(method_name(method)?, parse_args(args, limits)?);
            Ok(Command::Call {
                target,
                call,
                format: opts.format.unwrap_or_default(),
            })
        }
        Topic::Introspect => {
            let [url, methods @ ..] = rest else {
                return Err("introspect needs a URL (try 'xmlrpc introspect --help')".to_owned());
            };
            let format = opts.format.unwrap_or_default();
            if format == Format::Xml {
                return Err("introspect prints text or json, not xml".to_owned());
            }
            let methods = methods
                .iter()
                .map(|m| method_name(m).map(str::to_owned))
                .collect::<Result<_, _>>()?;
            Ok(Command::Introspect {
                target: target(url, &opts)?,
                methods,
                format,
            })
        }
        Topic::Decode => {
            only_help_options(&opts, "decode")?;
            if !rest.is_empty() {
                return Err("decode takes no arguments: it reads the document on stdin".to_owned());
            }
            Ok(Command::Decode)
        }
        Topic::Encode => {
            only_help_options(&opts, "encode")?;
            encode(rest, limits).map(Command::Encode)
        }
    }
}

fn encode(rest: &[&str], limits: &Limits) -> Result<Encode, String> {
    match rest {
        ["call", method, args @ ..] => Ok(Encode::Call(MethodCall::new(
            method_name(method)?,
            parse_args(args, limits)?,
        ))),
        ["call"] => Err("encode call needs a METHOD".to_owned()),
        ["response", arg] => Ok(Encode::Response(parse_args(&[arg], limits)?.remove(0))),
        ["response", ..] => Err("encode response needs exactly one ARG".to_owned()),
        ["fault", code, string] => {
            let code = code
                .parse::<i32>()
                .map_err(|_| format!("fault code {code:?} is not a 32-bit integer"))?;
            Ok(Encode::Fault(Fault::new(code, *string)))
        }
        ["fault", ..] => Err("encode fault needs a CODE and a STRING".to_owned()),
        [] => Err("encode needs call, response or fault (try 'xmlrpc encode --help')".to_owned()),
        [other, ..] => Err(format!(
            "encode {other:?}: expected call, response or fault"
        )),
    }
}

/// `decode` and `encode` use no option but `--help`.
fn only_help_options(opts: &Options, command: &str) -> Result<(), String> {
    match opts.given.iter().find(|&&o| o != "--help") {
        Some(o) => Err(format!("option {o} does not apply to {command}")),
        None => Ok(()),
    }
}

fn method_name(m: &str) -> Result<&str, String> {
    if m.is_empty() {
        Err("the METHOD name is empty".to_owned())
    } else {
        Ok(m)
    }
}

/// At most this many characters of a word are quoted in a message.
const QUOTE_MAX: usize = 60;

fn parse_args(args: &[&str], limits: &Limits) -> Result<Vec<Value>, String> {
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            parse_arg(a, limits.max_depth).map_err(|e| {
                let mut shown: String = a.chars().take(QUOTE_MAX).collect();
                if shown.len() < a.len() {
                    shown.push_str("...");
                }
                format!("argument {} {shown:?}: {e}", i + 1)
            })
        })
        .collect()
}

fn target(url: &str, opts: &Options) -> Result<Target, String> {
    let url = endpoint::parse(url)?;
    let basic_auth = match (&opts.user, &opts.password) {
        (Some(u), Some(p)) => Some((u.clone(), p.clone())),
        (Some(_), None) => return Err("--user needs --password".to_owned()),
        (None, Some(_)) => return Err("--password needs --user".to_owned()),
        (None, None) => url
            .username()
            .map(|u| (u.to_owned(), url.password().unwrap_or_default().to_owned())),
    };
    if basic_auth.is_some()
        && opts
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    {
        return Err(
            "--header Authorization and Basic credentials (--user or the URL) exclude each other"
                .to_owned(),
        );
    }
    // The credentials travel in `basic_auth` only.
    let endpoint = url.without_credentials();
    if opts.insecure && opts.cacert.is_some() {
        return Err("--cacert and --insecure exclude each other".to_owned());
    }
    Ok(Target {
        endpoint,
        timeout: opts.timeout,
        headers: opts.headers.clone(),
        basic_auth,
        cacert: opts.cacert.clone(),
        insecure: opts.insecure,
    })
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|t| *t > 0.0)
        .and_then(|t| Duration::try_from_secs_f64(t).ok())
        .ok_or_else(|| format!("--timeout {s:?} is not a positive number of seconds"))
}

/// `Name: value`: the name an HTTP token, the value trimmed and free of
/// line breaks. Headers that frame the body are refused.
fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| format!("--header {s:?} is not 'Name: value'"))?;
    let is_tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(is_tchar) {
        return Err(format!(
            "--header name {name:?} is not a valid HTTP header name"
        ));
    }
    let value = value.trim_matches([' ', '\t']);
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!("--header {name} value contains control characters"));
    }
    if ["content-length", "transfer-encoding"]
        .iter()
        .any(|f| name.eq_ignore_ascii_case(f))
    {
        return Err(format!(
            "--header {name} cannot be set: xmlrpc frames the body itself"
        ));
    }
    if ["host", "content-type"]
        .iter()
        .any(|f| name.eq_ignore_ascii_case(f))
    {
        return Err(format!(
            "--header {name} cannot be set: xmlrpc sends it from the URL and the body"
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Command, String> {
        let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        parse(&words, &Limits::default())
    }

    fn ok(words: &[&str]) -> Command {
        parse_words(words).unwrap_or_else(|e| panic!("{words:?}: {e}"))
    }

    fn err(words: &[&str]) -> String {
        match parse_words(words) {
            Ok(c) => panic!("{words:?} parsed as {c:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn call_with_options_anywhere() {
        let Command::Call {
            target,
            call,
            format,
        } = ok(&[
            "--format=json",
            "call",
            "-t",
            "2.5",
            "localhost:7080",
            "add",
            "-5",
            "--header",
            "X-A:  b c ",
            "-1.5",
            "-H",
            "X-B:",
            "--",
            "--x",
        ])
        else {
            panic!()
        };
        assert_eq!(format, Format::Json);
        assert_eq!(target.endpoint.to_string(), "http://localhost:7080/RPC2");
        assert_eq!(target.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(
            target.headers,
            vec![("X-A".into(), "b c".into()), ("X-B".into(), String::new())]
        );
        assert_eq!(
            call,
            MethodCall::new(
                "add",
                vec![Value::Int(-5), Value::Double(-1.5), Value::from("--x")]
            )
        );
    }

    #[test]
    fn auth_and_tls() {
        let Command::Call { target, .. } = ok(&["call", "https://a:b@h/", "m"]) else {
            panic!()
        };
        assert_eq!(target.basic_auth, Some(("a".into(), "b".into())));
        assert_eq!(target.endpoint.username(), None);
        assert!(
            !target.endpoint.to_string().contains('b'),
            "{}",
            target.endpoint
        );
        let Command::Call { target, .. } = ok(&[
            "call",
            "https://a:b@h/",
            "m",
            "-u",
            "x",
            "-p",
            "y",
            "--cacert",
            "ca.pem",
        ]) else {
            panic!()
        };
        assert_eq!(target.basic_auth, Some(("x".into(), "y".into())));
        assert_eq!(target.cacert, Some(PathBuf::from("ca.pem")));
        let Command::Call { target, .. } = ok(&["call", "https://h/", "m", "-k"]) else {
            panic!()
        };
        assert!(target.insecure);
    }

    #[test]
    fn other_commands() {
        assert_eq!(ok(&["decode"]), Command::Decode);
        assert_eq!(ok(&["--help"]), Command::Help(None));
        assert_eq!(ok(&["help"]), Command::Help(None));
        assert_eq!(ok(&["help", "call"]), Command::Help(Some(Topic::Call)));
        assert_eq!(ok(&["encode", "-h"]), Command::Help(Some(Topic::Encode)));
        assert_eq!(ok(&["call", "--help"]), Command::Help(Some(Topic::Call)));
        assert_eq!(ok(&["-V"]), Command::Version);
        assert_eq!(
            ok(&["encode", "call", "m", "i/1"]),
            Command::Encode(Encode::Call(MethodCall::new("m", vec![Value::Int(1)])))
        );
        assert_eq!(
            ok(&["encode", "response", "n/"]),
            Command::Encode(Encode::Response(Value::Nil))
        );
        assert_eq!(
            ok(&["encode", "fault", "-12", "oops"]),
            Command::Encode(Encode::Fault(Fault::new(-12, "oops")))
        );
        let Command::Introspect {
            methods, format, ..
        } = ok(&["introspect", "h", "add", "echo", "-f", "json"])
        else {
            panic!()
        };
        assert_eq!(
            (methods, format),
            (vec!["add".to_owned(), "echo".to_owned()], Format::Json)
        );
    }

    #[test]
    fn usage_errors() {
        for (words, needle) in [
            (&[][..], "no command"),
            (&["frob"], "unknown command"),
            (&["help", "frob"], "no such command"),
            (&["help", "a", "b"], "at most one"),
            (&["call"], "needs a URL and a METHOD"),
            (&["call", "h"], "needs a URL and a METHOD"),
            (&["call", "h", ""], "empty"),
            (&["call", "ftp://h/", "m"], "scheme"),
            (&["call", "h", "m", "i/x"], "argument 1 \"i/x\""),
            (&["call", "h", "m", "1", "array/("], "argument 2"),
            (&["call", "h", "m", "--frob"], "unknown option \"--frob\""),
            (&["call", "h", "m", "-x"], "unknown option"),
            (&["call", "h", "m", "--format"], "--format needs a value"),
            (&["call", "h", "m", "--format", "yaml"], "unknown format"),
            (&["call", "h", "m", "--insecure=1"], "takes no value"),
            (&["call", "h", "m", "-t", "0"], "positive"),
            (&["call", "h", "m", "-t", "-1"], "positive"),
            (&["call", "h", "m", "-t", "nan"], "positive"),
            (&["call", "h", "m", "-t", "1e300"], "positive"),
            (&["call", "h", "m", "-H", "novalue"], "Name: value"),
            (&["call", "h", "m", "-H", "bad name: x"], "header name"),
            (&["call", "h", "m", "-H", ": x"], "header name"),
            (&["call", "h", "m", "-H", "A: x\r\nB: y"], "control"),
            (
                &["call", "h", "m", "-H", "content-length: 5"],
                "frames the body",
            ),
            (&["call", "h", "m", "-H", "Host: x"], "from the URL"),
            (&["call", "h", "m", "-H", "content-type: x"], "from the URL"),
            (
                &["call", "http://a:b@h/", "m", "-H", "Authorization: x"],
                "exclude each other",
            ),
            (&["call", "h", "m", "-u", "x"], "--user needs --password"),
            (&["call", "h", "m", "-p", "x"], "--password needs --user"),
            (&["call", "h", "m", "-k", "--cacert", "f"], "exclude"),
            (&["introspect"], "needs a URL"),
            (&["introspect", "h", "-f", "xml"], "not xml"),
            (&["decode", "x"], "no arguments"),
            (
                &["decode", "-f", "json"],
                "--format does not apply to decode",
            ),
            (&["encode"], "call, response or fault"),
            (&["encode", "frob"], "expected call, response or fault"),
            (&["encode", "call"], "needs a METHOD"),
            (&["encode", "response"], "exactly one"),
            (&["encode", "response", "1", "2"], "exactly one"),
            (&["encode", "response", "b/x"], "argument 1"),
            (&["encode", "fault", "x", "y"], "32-bit"),
            (&["encode", "fault", "1"], "CODE and a STRING"),
            (
                &["encode", "-t", "1", "call", "m"],
                "--timeout does not apply to encode",
            ),
        ] {
            let e = err(words);
            assert!(e.contains(needle), "{words:?}: {e:?} lacks {needle:?}");
            assert!(!e.contains('\n'), "{e:?}");
        }
    }

    #[test]
    fn long_arguments_are_shortened_in_messages() {
        let long = format!("i/{}", "9".repeat(500));
        let e = err(&["call", "h", "m", &long]);
        assert!(e.len() < 300, "{e}");
        assert!(e.contains("..."), "{e}");
    }
}
