#!/usr/bin/env python3
"""Pipelined GET flood over N connections; counts replies, including error replies (E15 denial flood).

Debian's redis-benchmark (7.0) exits on the first error reply, so it cannot time a stream of NOPERM replies. This
client sends `GET <prefix><random>` with redis-benchmark's shape (C connections, P requests in flight per connection,
N requests in total, random keys below --keyspace) and counts replies. Standard library only, one thread.

Every reply must be a single line: an error (-NOPERM ...), a status, an integer or a null bulk ($-1, a GET of a key
that does not exist). A multi-line reply is detected and reported as a failure rather than miscounted.

    resp_flood.py --port P [--user U --password PW] [--clients 50] [--pipeline 1] [--requests 100000]
                  [--keyspace 100000] [--prefix key:] [--expect error|null]

Prints one line: "ops=<replies/s> replies=<n> errors=<n> seconds=<wall> client_cpu=<cpu s / wall s> first=<reply>".
"""
import argparse
import os
import random
import selectors
import socket
import sys
import time


def bulk(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--pipeline", type=int, default=1)
    p.add_argument("--requests", type=int, default=100000)
    p.add_argument("--keyspace", type=int, default=100000)
    p.add_argument("--prefix", default="key:")
    p.add_argument("--expect", choices=["error", "null", "any"], default="any")
    a = p.parse_args()

    rng = random.Random(12345)
    # Pre-encoded batches of `pipeline` GETs with random 12-digit keys (as redis-benchmark's __rand_int__).
    batches = [
        b"".join(bulk("GET", "%s%012d" % (a.prefix, rng.randrange(a.keyspace))) for _ in range(a.pipeline))
        for _ in range(512)
    ]

    socks = []
    for _ in range(a.clients):
        s = socket.create_connection((a.host, a.port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if a.user is not None:
            s.sendall(bulk("AUTH", a.user, a.password or ""))
            r = s.recv(4096)
            if not r.startswith(b"+OK"):
                sys.exit(f"resp_flood: AUTH failed: {r[:80]!r}")
        s.setblocking(False)
        socks.append(s)

    # Probe one request synchronously: its reply shows what every reply looks like.
    probe = socks[0]
    probe.setblocking(True)
    probe.sendall(batches[0][: batches[0].index(b"*", 1) if a.pipeline > 1 else len(batches[0])])
    first = probe.recv(4096).split(b"\r\n")[0].decode(errors="replace")
    probe.setblocking(False)
    if a.expect == "error" and not first.startswith("-"):
        sys.exit(f"resp_flood: expected an error reply, got {first!r}")
    if a.expect == "null" and first != "$-1":
        sys.exit(f"resp_flood: expected a null reply, got {first!r}")

    per_conn = max(1, a.requests // (a.clients * a.pipeline))  # batches per connection
    sel = selectors.DefaultSelector()
    state = {}
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for i, s in enumerate(socks):
        state[s] = [per_conn - 1, a.pipeline, i]  # batches still to send, lines awaited, batch index
        s.send(batches[i % len(batches)])
        sel.register(s, selectors.EVENT_READ)

    replies = errors = 0
    pending = len(socks)
    while pending:
        for key, _ in sel.select():
            s = key.fileobj
            st = state[s]
            data = s.recv(65536)
            if not data:
                sys.exit("resp_flood: connection closed by the server")
            lines = data.count(b"\r\n")
            if data[0] == 0x24 and not data.startswith(b"$-1"):  # a bulk with a payload: replies would be miscounted
                sys.exit(f"resp_flood: multi-line reply {data[:40]!r}; use keys that do not exist or errors")
            errors += data.count(b"\r\n-")+ (1 if data[0] == 0x2D else 0)
            replies += lines
            st[1] -= lines
            if st[1] <= 0:
                if st[0] > 0:
                    st[0] -= 1
                    st[2] += 1
                    st[1] += a.pipeline
                    s.send(batches[st[2] % len(batches)])
                else:
                    sel.unregister(s)
                    pending -= 1
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    for s in socks:
        s.close()
    print(f"ops={replies / wall:.2f} replies={replies} errors={errors} seconds={wall:.3f} "
          f"client_cpu={cpu / wall:.2f} first={first.replace(' ', '_')[:60]}")


if __name__ == "__main__":
    main()
