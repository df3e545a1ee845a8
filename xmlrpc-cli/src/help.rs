//! The `--help` texts.

/// A command with its own help text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Topic {
    Call,
    Introspect,
    Decode,
    Encode,
}

impl Topic {
    /// The topic of a command name.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        match name {
            "call" => Some(Self::Call),
            "introspect" => Some(Self::Introspect),
            "decode" => Some(Self::Decode),
            "encode" => Some(Self::Encode),
            _ => None,
        }
    }
}

/// The help text of `topic`, or the overview.
pub(crate) fn text(topic: Option<Topic>) -> &'static str {
    match topic {
        None => OVERVIEW,
        Some(Topic::Call) => CALL,
        Some(Topic::Introspect) => INTROSPECT,
        Some(Topic::Decode) => DECODE,
        Some(Topic::Encode) => ENCODE,
    }
}

const OVERVIEW: &str = "\
xmlrpc: call, inspect and script XML-RPC services

Usage:
  xmlrpc call URL METHOD [ARG...]      call a procedure and print its result
  xmlrpc introspect URL [METHOD...]    list procedures, signatures and help
  xmlrpc decode < DOCUMENT             print an XML-RPC document as JSON
  xmlrpc encode call METHOD [ARG...]   print the methodCall `call` would send
  xmlrpc encode response ARG           print a methodResponse carrying ARG
  xmlrpc encode fault CODE STRING      print a methodResponse carrying a fault
  xmlrpc help [COMMAND]                show help (also: COMMAND --help)

Arguments are typed: i/5 (int), I/5 or i8/5 (i8), d/1.5 (double),
b/t b/f b/true b/false (boolean), s/text (string), n/ (nil), h/68656c6c6f
(base64 from hex), b64/aGVsbG8= (base64), dt/20260101T12:00:00 (dateTime),
array/(i/1,s/x), struct/{key:i/1,k2:s/v}. A bare word is an int (i8 beyond
32 bits) or a double when it reads as a number, else a string. See
'xmlrpc call --help' for the details.

Options (for call and introspect):
  -f, --format text|json|xml   output format (default text)
  -t, --timeout SECONDS        give up after this long
  -H, --header 'Name: value'   add a request header (repeatable)
  -u, --user USER              Basic authentication user (with --password)
  -p, --password PASSWORD      Basic authentication password
      --cacert FILE            trust the CA certificates in this PEM file
  -k, --insecure               accept any server certificate
  -h, --help                   show help
  -V, --version                show the version

Exit status: 0 result, 1 fault (\"fault CODE: STRING\" on stderr),
2 transport, HTTP or usage error (a one-line reason on stderr).

Examples:
  xmlrpc call localhost:7080 add i/2 i/3
  xmlrpc call http://127.0.0.1:7080/ echo 'struct/{a:1,b:array/(x,y)}'
  xmlrpc encode call add 2 3 | xmlrpc decode
";

const CALL: &str = "\
xmlrpc call: call a procedure and print its result

Usage: xmlrpc call [OPTIONS] URL METHOD [ARG...]

URL is http://HOST[:PORT]/PATH or https://...; one without '://' means
http://URL/RPC2 (localhost:8080 is http://localhost:8080/RPC2).
http://USER:PASS@HOST/ sets Basic authentication, as --user/--password do.

Each ARG is one value:
  i/5                 int (32 bits)
  I/5, i8/5           i8 (64 bits)
  d/1.5               double
  b/t, b/f            boolean (also b/true, b/false)
  s/text              string (s/ is the empty string)
  n/                  nil
  h/68656c6c6f        base64, the bytes given in hex
  b64/aGVsbG8=        base64, the bytes given in base64
  dt/20260101T12:00:00  dateTime.iso8601
  array/(V,V,...)     array; array/() is empty
  struct/{K:V,...}    struct; struct/{} is empty
  anything else       int if it is an integer (i8 if it needs 64 bits),
                      double if it is a decimal number, else a string
Inside array/(...) and struct/{...} a value ends at ',' ')' or '}' and a
member name at ':'. A backslash makes the next character plain text:
\\, \\) \\} \\: \\\\. At the top level a value runs to the end of the word,
so s/a,b needs no escape there. Spaces are part of values. Words that start
with '-' and are not numbers are options: put such arguments after '--' or
write them as s/-x.

Options:
  -f, --format FORMAT   text (default): readable, typed, indented
                        json: one line of JSON (int, double as 3.0, null
                        for nil, {\"base64\": ...}, {\"dateTime.iso8601\": ...})
                        xml: the methodResponse body exactly as received
  -t, --timeout SECONDS         give up after this long (connecting,
                                TLS, sending and receiving; default:
                                wait, 30 s at most to connect)
  -H, --header 'Name: value'    add a request header (repeatable); a
                                User-Agent replaces the default one;
                                Host, Content-Type and Content-Length
                                are set by xmlrpc
  -u, --user USER, -p, --password PASSWORD   Basic authentication
      --cacert FILE             also trust the CA certificates (or the
                                self-signed certificate) in this PEM file
  -k, --insecure                accept any server certificate

Exit status: 0 result, 1 fault (\"fault CODE: STRING\" on stderr),
2 transport, HTTP or usage error (a one-line reason on stderr).

Examples:
  xmlrpc call localhost:7080 add i/2 i/3
      int 5
  xmlrpc call -f json http://127.0.0.1:7080/ echo 'array/(1,2.5,x,n/)'
      [1, 2.5, \"x\", null]
  xmlrpc call http://127.0.0.1:7080/ dict 'struct/{a\\:b:1}' 'a:b'
  xmlrpc call -f xml --timeout 5 -H 'X-Trace: 1' https://host/RPC2 fault
  xmlrpc call --cacert ca.pem -u alice -p secret https://host:8443/ echo x
";

const INTROSPECT: &str = "\
xmlrpc introspect: list procedures with their signatures and help

Usage: xmlrpc introspect [OPTIONS] URL [METHOD...]

Asks system.listMethods (or takes the METHODs given), then
system.methodSignature and system.methodHelp for each. Text output is one
line per signature, 'name(type, ...) -> type' ('name(...)' when the server
gives none), then the help indented. JSON output is an array of
{\"name\", \"signatures\", \"help\"} objects, values as the server sent
them (null when it answered a fault). URL and options as for call
(--format text or json).

Exit status: 0 listed; 1 when system.listMethods answers a fault (the
server offers no introspection: a one-line reason on stderr); 2 transport,
HTTP or usage error.

Examples:
  xmlrpc introspect localhost:7080
      add(int, int) -> int
      add(double, double) -> double
          This function add two numbers.
      ...
  xmlrpc introspect -f json http://127.0.0.1:7080/ add echo
";

const DECODE: &str = "\
xmlrpc decode: print an XML-RPC document as one line of JSON

Usage: xmlrpc decode < DOCUMENT

Reads one methodCall or methodResponse on stdin and prints
  {\"methodCall\": {\"methodName\": NAME, \"params\": [...]}}
  {\"methodResponse\": {\"params\": [VALUE]}}
  {\"methodResponse\": {\"fault\": {\"faultCode\": N, \"faultString\": S}}}
with values as in 'xmlrpc call --format json'. A malformed document exits
with status 2 and prints the reason and its byte offset on stderr.

Examples:
  xmlrpc decode < call.xml
  xmlrpc encode call add 2 3 | xmlrpc decode
      {\"methodCall\": {\"methodName\": \"add\", \"params\": [2, 3]}}
";

const ENCODE: &str = "\
xmlrpc encode: print an XML-RPC document

Usage:
  xmlrpc encode call METHOD [ARG...]   the methodCall that call would send
  xmlrpc encode response ARG           a methodResponse carrying ARG
  xmlrpc encode fault CODE STRING      a methodResponse carrying a fault

ARGs are typed as for call (see 'xmlrpc call --help'); nil (n/) and i8
(I/5) are written as <nil/> and <i8>. The document is printed exactly as
it would be sent, without a trailing newline.

Examples:
  xmlrpc encode call add i/2 i/3
  xmlrpc encode response 'struct/{a:1,b:s/x}'
  xmlrpc encode fault 12 hello
  xmlrpc encode call echo n/ | xmlrpc decode
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_has_usage_and_examples() {
        for t in [
            None,
            Some(Topic::Call),
            Some(Topic::Introspect),
            Some(Topic::Decode),
            Some(Topic::Encode),
        ] {
            let s = text(t);
            assert!(s.contains("Usage"), "{t:?}");
            assert!(s.contains("Examples:\n  xmlrpc "), "{t:?}");
            assert!(s.lines().all(|l| l.chars().count() <= 80), "{t:?}");
        }
    }
}
