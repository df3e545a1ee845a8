#!/usr/bin/env python3
"""Writes the Python interop corpus of xmlrpc-proto.

Each fixture is a document written by Python's own ``xmlrpc.client.dumps``,
saved as ``xmlrpc-proto/tests/data/python/NAME.xml``, next to
``NAME.json``: what the document holds, in the JSON form of
``xmlrpc_proto::json`` (the CONTRACT's ``decode`` output). The test
``xmlrpc-proto/tests/interop_python.rs`` decodes every XML file and checks
that it holds exactly the values of its JSON file.

Run:  python3 scripts/gen_python_fixtures.py [OUTPUT_DIR]
The output is committed; re-running it must give the same files (a test
checks that).
"""

import base64
import datetime
import json
import pathlib
import sys
import xmlrpc.client as xc

OUT = pathlib.Path(__file__).resolve().parent.parent / "xmlrpc-proto" / "tests" / "data" / "python"
if len(sys.argv) > 1:
    # Another output folder: used by the test that checks the committed
    # corpus is what this script writes.
    OUT = pathlib.Path(sys.argv[1])


def to_json(v):
    """A Python value as the contract's JSON value."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        return v
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, (bytes, bytearray)):
        return {"base64": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, xc.Binary):
        return {"base64": base64.b64encode(v.data).decode("ascii")}
    if isinstance(v, xc.DateTime):
        return {"dateTime.iso8601": v.value}
    if isinstance(v, datetime.datetime):
        return {"dateTime.iso8601": v.strftime("%Y%m%dT%H:%M:%S")}
    raise TypeError(type(v))


def call(name, method, params, allow_none=False):
    xml = xc.dumps(tuple(params), method, allow_none=allow_none)
    doc = {"methodCall": {"methodName": method, "params": to_json(list(params))}}
    return name, xml, doc


def response(name, value, allow_none=False):
    xml = xc.dumps((value,), methodresponse=True, allow_none=allow_none)
    doc = {"methodResponse": {"params": [to_json(value)]}}
    return name, xml, doc


def fault(name, code, string):
    xml = xc.dumps(xc.Fault(code, string), methodresponse=True)
    doc = {"methodResponse": {"fault": {"faultCode": code, "faultString": string}}}
    return name, xml, doc


def nested(depth):
    v = "bottom"
    for i in range(depth):
        v = [v] if i % 2 else {"level%d" % i: v}
    return v


FIXTURES = [
    call("call_no_params", "ping", []),
    call(
        "call_scalars",
        "scalars",
        [1, 0, -1, -2147483648, 2147483647, True, False, "hello", "", 1.5, -0.0, 0.1,
         3.0, 1e16, 1e-07, 1.7976931348623157e308, 5e-324, -123456.789],
    ),
    call(
        "call_unicode",
        "unicode",
        ["snowman \u2603", "emoji \U0001F600", "caf\u00e9", "\u4e2d\u6587", "\u00a0nbsp",
         "\u200b zero width", "\ufeff bom"],
    ),
    call(
        "call_escapes",
        "escapes",
        ["a & b", "<tag>", "]]>", "quote \" and '", "tab\tnew\nline", "&amp; literal",
         "  leading and trailing  ", "<![CDATA[x]]>", "&#65;"],
    ),
    call("call_method_name_chars", "a.b:c/d_e", [1]),
    call("call_system_listmethods", "system.listMethods", []),
    call(
        "call_nested",
        "nested",
        [{"a": [1, "two", {"b": [3.5, False]}], "c": {}, "d": []}, [[[]], [{}]]],
    ),
    call(
        "call_base64",
        "base64",
        [b"", b"hello", bytes(range(256)), xc.Binary(b"\x00\xff" * 100)],
    ),
    call(
        "call_datetime",
        "datetime",
        [xc.DateTime("19980717T14:08:55"), datetime.datetime(2026, 1, 1, 12, 0, 0)],
    ),
    call("call_allow_none", "nil", [None, [None], {"n": None}], allow_none=True),
    call("call_struct_keys", "keys", [{"a&b": 1, "<k>": 2, "\u00fc": 3, "": 4, " ": 5}]),
    call("call_many_params", "many", list(range(300))),
    response("response_string", "South Dakota"),
    response("response_int", 42),
    response("response_empty_string", ""),
    response("response_empty_array", []),
    response("response_empty_struct", {}),
    response("response_struct", {"faultless": 1, "items": [1, 2, 3], "name": "x"}),
    response("response_nil", None, allow_none=True),
    response("response_deep", nested(40)),
    response("response_big_array", [{"i": i, "s": str(i), "d": i / 4} for i in range(200)]),
    response("response_long_string", "0123456789abcdef" * 2000),
    fault("fault_simple", 4, "Too many parameters."),
    fault("fault_escapes", -32601, "unknown method <x> & \u2603"),
    fault("fault_empty", 0, ""),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    names = set()
    for name, xml, doc in FIXTURES:
        assert name not in names, name
        names.add(name)
        # The fixture must read back in Python to the expected values.
        try:
            params, method = xc.loads(xml)
            if method is None:
                got = {"methodResponse": {"params": to_json(list(params))}}
            else:
                got = {"methodCall": {"methodName": method, "params": to_json(list(params))}}
        except xc.Fault as f:
            got = {"methodResponse": {"fault": {"faultCode": f.faultCode,
                                                "faultString": f.faultString}}}
        assert got == doc, name
        (OUT / (name + ".xml")).write_text(xml, encoding="utf-8", newline="\n")
        (OUT / (name + ".json")).write_text(
            json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
        )
    print("wrote %d fixtures to %s" % (len(FIXTURES), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
