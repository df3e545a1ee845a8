#!/usr/bin/env python3
"""Scale-out behind nginx, and a graceful rolling restart that loses no call.

    scripts/nginx_rolling.py                     # conformance_tokio x 3, 2 restart rounds
    scripts/nginx_rolling.py --server blocking --rounds 1 --profile debug

It installs nginx from Debian when it is missing (`apt-get install
nginx-light`, as root), builds the conformance server (CONTRACT.md
section 1; release unless --profile debug), starts three of them on
loopback ports and an nginx in front of them (its own configuration and
files in a temporary directory; upstream keep-alive connections, HTTP/1.1
to the servers), and keeps --clients keep-alive clients calling through
nginx the whole time, every call with a unique value that must come back.

Meanwhile it restarts each server in turn, the way an operator does it:

1. take the server out of the upstream (`down`) and reload nginx, which
   lets its old workers finish their requests on their own connections;
2. wait until those old workers are gone (so no request is on its way);
3. stop the server with SIGTERM (it finishes what it was doing and
   exits 0), start a new one on the same port;
4. put it back into the upstream and reload nginx.

The clients resend a call once, on a new connection, when nginx closed
their idle kept-alive connection (as its old workers do at a reload) just
as the call went out, before any byte of the answer: what Python's
xmlrpc.client does, and RFC 9112 (section 9.3.1) allows. The count is
reported.

It fails (exit 1) if any call gets no answer, a wrong answer or an HTTP
error (nginx's 502 included), if a server does not exit cleanly, or if a
restarted server serves no call afterwards.
"""

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from soak import Stats, build, start, worker  # noqa: E402


def ensure_nginx():
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if path:
        return path
    if os.geteuid() != 0:
        sys.exit("nginx is not installed: run as root (to apt-get install it) or install nginx-light")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "nginx-light"],
                   check=True, env=env)
    # The package starts the system's own nginx: this run does not use it.
    subprocess.run(["nginx", "-s", "stop"], check=False)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 32m;
    upstream rpc {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://rpc;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, binary, ports, front):
        self.binary = binary
        self.ports = ports
        self.front = front
        self.dir = tempfile.mkdtemp(prefix="xmlrpc-nginx-")
        # nginx's workers (user `nobody` when started as root) keep large
        # bodies in temporary files under this directory.
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.down = set()
        self.write()
        self.proc = subprocess.Popen([binary, "-p", self.dir, "-c", self.conf])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", front), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        sys.exit("nginx did not start: " + open(os.path.join(self.dir, "error.log")).read())

    def write(self):
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s{' down' if p in self.down else ''};"
            for p in self.ports)
        with open(self.conf, "w") as f:
            f.write(CONF.format(dir=self.dir, servers=servers, port=self.front))

    def workers(self):
        """The pids of nginx's worker processes (old ones included)."""
        out = subprocess.run(["ps", "-o", "pid=,ppid=,args=", "-e"], capture_output=True, text=True).stdout
        return {int(l.split()[0]) for l in out.splitlines()
                if int(l.split()[1]) == self.proc.pid and "worker process" in l}

    def reload(self, drain_timeout=60):
        """Reloads the configuration and waits until the old workers have
        finished their requests and exited."""
        old = self.workers()
        self.write()
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + drain_timeout
        while old & self.workers():
            if time.monotonic() > deadline:
                raise RuntimeError("old nginx workers did not finish")
            time.sleep(0.05)

    def errors(self):
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                return [l.strip() for l in f if "[error]" in l or "[crit]" in l or "[alert]" in l]
        except OSError:
            return []

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None


async def run(args, binary, nginx_bin):
    ports = [free_port() for _ in range(3)]
    servers = {p: start(binary, f"127.0.0.1:{p}")[0] for p in ports}
    front = free_port()
    nginx = Nginx(nginx_bin, ports, front)
    stats = Stats()
    failures = []
    try:
        rng = random.Random(args.seed)
        running = [True]
        clients = [asyncio.create_task(worker("127.0.0.1", front, stats, random.Random(rng.random()),
                                              lambda: running[0], f"w{i}"))
                   for i in range(args.clients)]
        loop = asyncio.get_running_loop()
        await asyncio.sleep(args.settle)
        for r in range(args.rounds):
            for p in ports:
                t0 = time.monotonic()
                nginx.down.add(p)
                await loop.run_in_executor(None, nginx.reload)
                code = await loop.run_in_executor(None, stop_server, servers[p])
                if code != 0:
                    failures.append(f"server on {p} exited with {code}")
                servers[p] = (await loop.run_in_executor(None, start, binary, f"127.0.0.1:{p}"))[0]
                nginx.down.discard(p)
                await loop.run_in_executor(None, nginx.reload)
                print(f"round {r + 1}: restarted :{p} in {time.monotonic() - t0:.2f} s; "
                      f"{stats.answered} calls so far", flush=True)
                await asyncio.sleep(args.settle)
        # Every restarted server must be serving again.
        for p in ports:
            value = await loop.run_in_executor(
                None, lambda: xmlrpc.client.ServerProxy(f"http://127.0.0.1:{p}/RPC2").add(2, 3))
            if value != 5:
                failures.append(f"server on {p} answers add(2, 3) = {value!r}")
        # The clients finish the call they are making, then stop.
        running[0] = False
        await asyncio.gather(*clients)
    finally:
        errors = nginx.errors()
        if errors:
            failures.append(f"{len(errors)} errors in nginx's log, first: {errors[0][:300]}")
        nginx.stop()
        for proc in servers.values():
            if stop_server(proc) != 0:
                failures.append("a server did not exit cleanly at the end")
    return stats, failures


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", choices=["tokio", "smol", "blocking"], default="tokio")
    p.add_argument("--profile", choices=["release", "debug"], default="release")
    p.add_argument("--binary", help="a built conformance server (skips the build)")
    p.add_argument("--clients", type=int, default=64, help="keep-alive clients through nginx (default 64)")
    p.add_argument("--rounds", type=int, default=2, help="restarts of every server (default 2)")
    p.add_argument("--settle", type=float, default=3, help="seconds of load between restarts (default 3)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    nginx_bin = ensure_nginx()
    binary = args.binary or build(args.server, args.profile)
    t0 = time.monotonic()
    stats, failures = asyncio.run(run(args, binary, nginx_bin))
    elapsed = time.monotonic() - t0
    print(f"{stats.answered} answered of {stats.sent} sent through nginx in {elapsed:.0f} s "
          f"({stats.answered / elapsed:.0f}/s) by {args.clients} clients; "
          f"{args.rounds} rolling restarts of 3 {os.path.basename(binary)} servers; "
          f"{stats.retried} calls resent once on a new connection (nginx closed an idle "
          f"kept-alive client connection at a reload as the call went out)")
    if stats.lost or stats.sent != stats.answered:
        failures.append(f"{stats.lost} calls got no answer, {stats.sent - stats.answered} unanswered")
    if stats.wrong:
        failures.append("wrong answers or HTTP errors: " + "; ".join(stats.wrong))
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok: no call lost")


if __name__ == "__main__":
    main()
