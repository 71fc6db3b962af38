#!/usr/bin/env python3
"""Opens N idle TCP connections to a RESP server and holds them until SIGTERM or SIGINT.

Used by benchmarks/throughput.sh for E14 (memory per idle connection). Standard library only.

    idle_connections.py --port 6379 [--host 127.0.0.1] [--count 10000] [--command none|ping|get] [--user U --password P]

Prints "opened N" once every connection is open (and has received +OK to AUTH with --user, +PONG to PING with
--command ping, a null bulk to `GET idle:<n>` with --command get: a command that needs the backend, so aclop-server
opens a backend session for the connection), then "ready" and waits. Exits non-zero on the first failure.
"""
import argparse
import resource
import signal
import socket
import sys


def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        sys.exit(f"idle_connections: RLIMIT_NOFILE is {soft}, need {needed} (raise ulimit -n)")


def bulk(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def read_line(sock, buf):
    while b"\r\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        buf += chunk
    line, _, rest = buf.partition(b"\r\n")
    return line, rest


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--command", choices=["none", "ping", "get"], default="none",
                   help="one command per connection before going idle")
    p.add_argument("--ping", action="store_const", dest="command", const="ping", help="same as --command ping")
    p.add_argument("--user")
    p.add_argument("--password")
    a = p.parse_args()

    raise_nofile(a.count + 64)
    socks = []
    try:
        for i in range(a.count):
            s = socket.create_connection((a.host, a.port), timeout=30)
            socks.append(s)
        prefix = b""
        expect = 0
        if a.user is not None:
            prefix += bulk("AUTH", a.user, a.password or "")
            expect += 1
        if a.command != "none":
            expect += 1
        if expect:
            # Send on every connection first, then collect the replies, so the server sees 10,000 near-parallel requests.
            for i, s in enumerate(socks):
                cmd = bulk("PING") if a.command == "ping" else bulk("GET", "idle:%d" % i) if a.command == "get" else b""
                s.sendall(prefix + cmd)
            for i, s in enumerate(socks):
                buf = b""
                for _ in range(expect):
                    line, buf = read_line(s, buf)
                    if line not in (b"+OK", b"+PONG", b"$-1"):
                        sys.exit(f"idle_connections: connection {i}: unexpected reply {line[:80]!r}")
    except OSError as e:
        sys.exit(f"idle_connections: after {len(socks)} connections: {e}")

    print(f"opened {len(socks)}", flush=True)
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            signal.pause()  # hold the connections until SIGTERM/SIGINT
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
