#!/usr/bin/env python3
"""Soak test of a conformance server (CONTRACT.md section 1), loopback only.

    scripts/soak.py                          # 10 minutes, conformance_tokio
    scripts/soak.py --duration 60 --server smol
    scripts/soak.py --binary target/release/examples/conformance_blocking

It builds the server (release, unless --profile debug or --binary), starts
it on 127.0.0.1:0 and, for --duration seconds, keeps --connections
keep-alive connections busy with mixed calls (echo, add, the async
`defer`, `system.multicall`, 64 KiB strings) while other clients are killed
in the middle of their requests (partial heads, partial bodies, whole
requests whose answers are never read), with a reset instead of a clean
close. Then it runs non-reading clients: each pipelines requests for large
answers and never reads one.

It fails (exit 1) when:
- a call is lost (no answer) or answered twice, or any answer is wrong
  (every call carries a unique value that must come back);
- the server's resident memory grows over the steady part of the run
  (last third against the middle third) by more than 10 % and 8 MiB;
- the non-reading clients make the server hold more than what its limits
  allow: one answer and one read buffer per connection (the bound used is
  4 x the answer size + 256 KiB per client, plus 16 MiB);
- the server stops answering, or does not exit cleanly at the end.

Everything is bounded: the run length, the connections, the timeouts
(30 s per answer). Only Python's standard library is used.
"""

import argparse
import asyncio
import os
import random
import resource
import socket
import struct
import subprocess
import sys
import time
import xmlrpc.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANSWER_TIMEOUT = 30.0


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def build(server, profile):
    args = ["cargo", "build", "-q", "-p", f"xmlrpc-{server}", "--example", f"conformance_{server}"]
    if profile == "release":
        args.insert(2, "--release")
    subprocess.run(args, cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, profile, "examples", f"conformance_{server}")


def start(binary, listen="127.0.0.1:0"):
    proc = subprocess.Popen(
        [binary, "--listen", listen, "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on http://"):
        proc.kill()
        sys.exit(f"unexpected first line {line!r}")
    host, port = line[len("listening on http://"):].rstrip("/").rsplit(":", 1)
    return proc, host, int(port)


def request(body, path="/RPC2"):
    head = (f"POST {path} HTTP/1.1\r\nHost: soak\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    return head + body


class Stats:
    def __init__(self):
        self.sent = 0
        self.answered = 0
        self.wrong = []
        self.lost = 0
        self.kills = 0
        self.reconnects = 0
        self.retried = 0

    def fail(self, what):
        if len(self.wrong) < 20:
            self.wrong.append(what)


async def read_answer(reader):
    """One HTTP response: (status, body, whether the peer closes after it)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = None
    close = False
    for l in lines[1:]:
        name, _, value = l.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and "close" in value.lower():
            close = True
    if length is None:
        raise ValueError("answer without Content-Length")
    body = await reader.readexactly(length)
    return status, body, close


def make_call(rng, serial):
    """A call and the value its answer must hold."""
    token = f"c{serial}-{rng.getrandbits(32):08x}"
    kind = rng.random()
    if kind < 0.35:
        return xmlrpc.client.dumps((token,), "echo").encode(), token
    if kind < 0.55:
        a, b = rng.randrange(-10**6, 10**6), rng.randrange(-10**6, 10**6)
        return xmlrpc.client.dumps((a, b), "add").encode(), a + b
    if kind < 0.75:
        return xmlrpc.client.dumps((token,), "defer").encode(), token
    if kind < 0.92:
        calls = [{"methodName": "echo", "params": [f"{token}/{i}"]} for i in range(3)]
        return (xmlrpc.client.dumps((calls,), "system.multicall").encode(),
                [[f"{token}/{i}"] for i in range(3)])
    big = token + "x" * (64 * 1024)
    return xmlrpc.client.dumps((big,), "echo").encode(), big


async def exchange(reader, writer, data):
    writer.write(data)
    return await asyncio.wait_for(read_answer(reader), ANSWER_TIMEOUT)


def nothing_received(e):
    return (isinstance(e, asyncio.IncompleteReadError) and not e.partial) or isinstance(
        e, (ConnectionResetError, BrokenPipeError))


async def worker(host, port, stats, rng, stop_at, serial, path="/RPC2"):
    """One keep-alive connection making calls until `stop_at` (a time, or
    a function that says whether to go on), one at a time; now and then it
    closes and reconnects.

    Like Python's xmlrpc.client (and RFC 9112, section 9.3.1), a call sent
    on a reused connection that the peer closed before sending any byte of
    the answer is sent again once, on a new connection: the peer closed an
    idle connection as the call went out, and it was never read."""
    going = stop_at if callable(stop_at) else (lambda: time.monotonic() < stop_at)
    reader = writer = None
    n = 0
    while going():
        reused = writer is not None
        if writer is None:
            reader, writer = await asyncio.open_connection(host, port)
        body, expected = make_call(rng, f"{serial}.{n}")
        n += 1
        data = request(body, path)
        stats.sent += 1
        try:
            try:
                status, answer, close = await exchange(reader, writer, data)
            except (asyncio.IncompleteReadError, ConnectionError) as e:
                if not (reused and nothing_received(e)):
                    raise
                writer.close()
                stats.retried += 1
                reader, writer = await asyncio.open_connection(host, port)
                status, answer, close = await exchange(reader, writer, data)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError) as e:
            stats.lost += 1
            stats.fail(f"call {serial}.{n}: no answer ({type(e).__name__})")
            writer.close()
            writer = None
            continue
        stats.answered += 1
        if close:
            writer.close()
            writer = None
        try:
            (value,), _ = xmlrpc.client.loads(answer)
        except Exception as e:  # a fault or a broken body
            stats.fail(f"call {serial}.{n}: HTTP {status}: {e!r}"[:200])
            continue
        if value != expected:
            stats.fail(f"call {serial}.{n}: wrong value {str(value)[:80]!r}")
        if writer is not None and rng.random() < 0.02:
            writer.close()
            writer = None
            stats.reconnects += 1
        await asyncio.sleep(rng.random() * 0.05)
    if writer is not None:
        writer.close()


def abort(writer):
    """Closes with a reset (SO_LINGER 0), as a killed process's socket."""
    sock = writer.get_extra_info("socket")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


async def killer(host, port, stats, rng, stop_at):
    """Clients killed mid-request: part of a head, part of a body, or a
    whole request whose answer is never read."""
    while time.monotonic() < stop_at:
        body, _ = make_call(rng, "k")
        data = request(body)
        cut = rng.choice([rng.randrange(1, 40), len(data) - rng.randrange(1, len(body)), len(data)])
        try:
            _, writer = await asyncio.open_connection(host, port)
            writer.write(data[:cut])
            await writer.drain()
            await asyncio.sleep(rng.random() * 0.02)
            abort(writer)
            stats.kills += 1
        except ConnectionError:
            pass
        await asyncio.sleep(rng.random() * 0.05)


async def sampler(pid, samples, stop_at, every=2.0):
    while time.monotonic() < stop_at:
        samples.append((time.monotonic(), rss_kib(pid)))
        await asyncio.sleep(every)


async def soak(host, port, pid, args):
    stats = Stats()
    samples = []
    rng = random.Random(args.seed)
    stop_at = time.monotonic() + args.duration
    tasks = [asyncio.create_task(worker(host, port, stats, random.Random(rng.random()), stop_at, i))
             for i in range(args.connections - args.killers)]
    tasks += [asyncio.create_task(killer(host, port, stats, random.Random(rng.random()), stop_at))
              for _ in range(args.killers)]
    tasks.append(asyncio.create_task(sampler(pid, samples, stop_at)))
    await asyncio.gather(*tasks)
    return stats, samples


async def non_readers(host, port, pid, args):
    """Clients that pipeline requests for large answers and read none,
    while a few normal clients go on calling."""
    answer_size = args.answer_kib * 1024
    body = xmlrpc.client.dumps(("y" * answer_size,), "echo").encode()
    data = request(body) * args.pipeline
    writers = []
    for _ in range(args.non_readers):
        _, w = await asyncio.open_connection(host, port, limit=1024)
        w.transport.pause_reading()
        w.write(data)
        writers.append(w)
    base = rss_kib(pid)
    peak = base
    stats = Stats()
    stop_at = time.monotonic() + args.hold
    rng = random.Random(args.seed + 1)
    normal = [asyncio.create_task(worker(host, port, stats, random.Random(rng.random()), stop_at, f"n{i}"))
              for i in range(8)]
    while time.monotonic() < stop_at:
        peak = max(peak, rss_kib(pid))
        await asyncio.sleep(0.5)
    await asyncio.gather(*normal)
    for w in writers:
        abort(w)
    return base, peak, stats, len(body)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=600, help="seconds of mixed calls (default 600)")
    p.add_argument("--connections", type=int, default=1000, help="connections at once (default 1000)")
    p.add_argument("--killers", type=int, default=20, help="of which clients killed mid-request (default 20)")
    p.add_argument("--non-readers", type=int, default=50, help="clients that never read (default 50)")
    p.add_argument("--pipeline", type=int, default=40, help="requests each non-reader sends (default 40)")
    p.add_argument("--answer-kib", type=int, default=256, help="size of their answers (default 256 KiB)")
    p.add_argument("--hold", type=float, default=45, help="seconds the non-readers are held (default 45)")
    p.add_argument("--server", choices=["tokio", "smol", "blocking"], default="tokio")
    p.add_argument("--profile", choices=["release", "debug"], default="release")
    p.add_argument("--binary", help="a built conformance server (skips the build)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rss-log", help="write the RSS samples (seconds, KiB) to this file")
    args = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    binary = args.binary or build(args.server, args.profile)
    proc, host, port = start(binary)
    failures = []
    try:
        t0 = time.monotonic()
        stats, samples = asyncio.run(soak(host, port, proc.pid, args))
        elapsed = time.monotonic() - t0
        rss = [kib for _, kib in samples]
        if args.rss_log:
            with open(args.rss_log, "w") as f:
                for t, kib in samples:
                    f.write(f"{t - samples[0][0]:.1f} {kib}\n")
        third = max(1, len(rss) // 3)
        middle = sorted(rss[third:2 * third] or rss)[len(rss[third:2 * third] or rss) // 2]
        last = sorted(rss[2 * third:] or rss)[len(rss[2 * third:] or rss) // 2]
        print(f"server      {os.path.basename(binary)} ({args.profile if not args.binary else 'given'})")
        print(f"mixed calls {stats.answered} answered of {stats.sent} sent in {elapsed:.0f} s "
              f"({stats.answered / elapsed:.0f}/s) over {args.connections - args.killers} connections, "
              f"{stats.reconnects} reconnects, {stats.retried} resent")
        print(f"killed      {stats.kills} clients mid-request")
        print(f"RSS         start {rss[0] if rss else 0} KiB, middle third {middle} KiB, "
              f"last third {last} KiB, max {max(rss) if rss else 0} KiB")
        if stats.retried:
            failures.append(f"the server closed {stats.retried} kept-alive connections under a call")
        if stats.lost or stats.answered != stats.sent:
            failures.append(f"{stats.lost} calls lost, {stats.sent - stats.answered} unanswered")
        if stats.wrong:
            failures.append("wrong answers: " + "; ".join(stats.wrong))
        if last > middle * 1.10 and last - middle > 8 * 1024:
            failures.append(f"RSS grew from {middle} KiB to {last} KiB")

        base, peak, nstats, body_len = asyncio.run(non_readers(host, port, proc.pid, args))
        bound = base + args.non_readers * (4 * args.answer_kib + 256) + 16 * 1024
        print(f"non-readers {args.non_readers} clients x {args.pipeline} requests of "
              f"{body_len // 1024} KiB for {args.answer_kib} KiB answers: RSS {base} -> peak {peak} KiB "
              f"(bound {bound} KiB); meanwhile {nstats.answered}/{nstats.sent} normal calls answered")
        if peak > bound:
            failures.append(f"non-readers held {peak - base} KiB (bound {bound - base} KiB)")
        if nstats.answered != nstats.sent or nstats.wrong or nstats.answered == 0:
            failures.append(f"normal calls beside non-readers: {nstats.answered}/{nstats.sent}, "
                            f"{nstats.wrong[:3]}")
        alive = xmlrpc.client.ServerProxy(f"http://{host}:{port}/RPC2").add(2, 3)
        if alive != 5:
            failures.append(f"after the run add(2, 3) = {alive!r}")
    finally:
        proc.stdin.close()
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
    if code != 0:
        failures.append(f"server exit status {code}")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
