#!/usr/bin/env python3
"""hsload's held-connection frame reader against frames cut across reads, and its --stats (stdlib only).

    bench/hsload/test-frames.py [HSLOAD]        (default bench/hsload/target/hsload; exit 0 when every case passes)

A fake server answers one upgrade, then writes frames in pieces with pauses between them, so that hsload reads each
piece separately, and checks what hsload counted (its summary line) and that every ping got its pong with the
same payload. The cases, in order on one connection:
  - a 300-byte text cut inside its 2-byte header, then inside its payload;
  - a ping with a 20-byte payload cut inside the payload (the pong must carry all 20 bytes);
  - a 3,000-byte text (16-bit length) cut inside its extended length;
  - a 70,000-byte text (64-bit length) cut after 5 header bytes, its payload in 3 pieces;
  - an empty ping in the same piece as the end of that text;
  - a whole pusher:error text, then a pusher_internal:subscription_succeeded cut after its first 30 bytes (before its
    event's name ended: kept until more arrives);
  - a ping cut after its first byte.

Then --stats, on a second connection (--subscribe 5 --index-base 3: channel bench-3): a subscription_succeeded for
bench-3, then benchmark events as `throng bench` publishes them (data {"t":…,"s":…,"k":…,"p":"…"} escaped in a JSON
string), each stamped 5 ms before it is sent:
  - step 0: s 1 whole; s 2 cut after 40 bytes (before its t); s 3 (3,000 bytes, the channel before the data) cut
    after 74 bytes, inside its numbers (kept, under the 192 bytes hsload keeps of a cut text, until the rest comes);
    s 3 again (a duplicate: out of order); s 6 (a gap of 2); s 7 with the data as a JSON object instead of a string;
  - step 2: s 8 and s 9 in one piece, with the channel before the data (Soketi's order);
  - an event whose data has no stamps (unreadable), a pusher:ping and a connection_established (not benchmark events).
The statistics file must count 6 events in step 0 (1 out of order, 2 missing), 2 in step 2 (none missing), 1
unreadable, one subscription on channel 3, and latencies of 5 ms and more (the pauses between pieces add to them: an
event is stamped when the case is built), none below 5 ms nor above 1 s.
"""
import base64
import hashlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 127]) + n.to_bytes(8, "big")
    return head + payload


def read_frame(sock, buf):
    """One masked client frame from sock: (opcode, payload, rest of buf)."""
    while True:
        if len(buf) >= 2:
            n = buf[1] & 0x7F
            hl = 2 + (2 if n == 126 else 8 if n == 127 else 0) + 4
            if len(buf) >= hl:
                if n == 126:
                    n = int.from_bytes(buf[2:4], "big")
                elif n == 127:
                    n = int.from_bytes(buf[2:10], "big")
                if len(buf) >= hl + n:
                    mask = buf[hl - 4:hl]
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(buf[hl:hl + n]))
                    return buf[0] & 0x0F, payload, buf[hl + n:]
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("hsload closed")
        buf += chunk


def serve(listener, result):
    conn, _ = listener.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    head, rest = head.split(b"\r\n\r\n", 1)
    key = re.search(rb"Sec-WebSocket-Key: *(\S+)", head).group(1)
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    opcode, payload, rest = read_frame(conn, rest)  # the subscribe
    result["subscribe"] = (opcode, payload)

    def pieces(*parts):
        for p in parts:
            conn.sendall(p)
            time.sleep(0.15)  # long enough for hsload to read each piece on its own

    t1 = frame(1, b'{"event":"e","data":"' + b"a" * 270 + b'"}')
    pieces(t1[:1], t1[1:100], t1[100:])
    ping20 = frame(9, bytes(range(20)))
    pieces(ping20[:7], ping20[7:])
    t2 = frame(1, b"b" * 3000)
    pieces(t2[:3], t2[3:])
    t3 = frame(1, b"c" * 70000)
    pieces(t3[:5], t3[5:30000], t3[30000:60000], t3[60000:] + frame(9, b""))
    err = frame(1, b'{"event":"pusher:error","data":{"code":4001,"message":"test"}}')
    ok = frame(1, b'{"event":"pusher_internal:subscription_succeeded","channel":"bench-0","data":"{}"}')
    pieces(err + ok[:30], ok[30:])
    ping0 = frame(9, b"xy")
    pieces(ping0[:1], ping0[1:])
    pongs = []
    for _ in range(3):
        opcode, payload, rest = read_frame(conn, rest)
        pongs.append((opcode, payload))
    result["pongs"] = pongs
    try:
        while conn.recv(4096):  # held until hsload closes (its --hold-for)
            pass
    except OSError:
        pass
    conn.close()


def stats_case(hsload):
    """--stats against a fake server: the counts and latencies of the statistics file (the docstring's cases)."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    result = {}

    def event(seq, step, size=256, as_object=False, channel_first=False):
        t = time.time_ns() // 1000 - 5000  # published 5 ms ago
        data = '{"t":%d,"s":%d,"k":%d,"p":"' % (t, seq, step)
        data += "x" * max(0, size - len(data) - 2) + '"}'
        value = data if as_object else '"' + data.replace('"', '\\"') + '"'
        if channel_first:
            return frame(1, ('{"event":"bench","channel":"bench-3","data":%s}' % value).encode())
        return frame(1, ('{"event":"bench","data":%s,"channel":"bench-3"}' % value).encode())

    def serve_stats():
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(4096)
        head, rest = head.split(b"\r\n\r\n", 1)
        key = re.search(rb"Sec-WebSocket-Key: *(\S+)", head).group(1)
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        result["subscribe"] = read_frame(conn, rest)[1]

        def pieces(*parts):
            for part in parts:
                conn.sendall(part)
                time.sleep(0.15)

        pieces(frame(1, b'{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"1.2\\"}"}'),
               frame(1, b'{"event":"pusher_internal:subscription_succeeded","data":"{}","channel":"bench-3"}'))
        pieces(event(1, 0))
        e2 = event(2, 0)
        pieces(e2[:40], e2[40:])
        e3 = event(3, 0, size=3000, channel_first=True)  # its numbers end ~85 bytes in
        pieces(e3[:74], e3[74:])
        pieces(event(3, 0), event(6, 0), event(7, 0, as_object=True))
        pieces(event(8, 2, channel_first=True) + event(9, 2, channel_first=True))
        pieces(frame(1, b'{"event":"bench","data":"{\\"hello\\":1}","channel":"bench-3"}'),
               frame(1, b'{"event":"pusher:ping","data":"{}"}'))
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        conn.close()

    server = threading.Thread(target=serve_stats, daemon=True)
    server.start()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stats")
        run = subprocess.run([hsload, "-q", "--hold", "--hold-for", "3", "-n", "1", "-c", "1", "--subscribe", "5",
                              "--index-base", "3", "--stats", path, "--path", "/app/k", f"127.0.0.1:{port}"],
                             capture_output=True, text=True, timeout=30)
        server.join(5)
        lines = open(path).read().splitlines()
    failures = []
    if result.get("subscribe") != b'{"event":"pusher:subscribe","data":{"channel":"bench-3"}}':
        failures.append(f"subscribe frame {result.get('subscribe')}")
    if not lines or lines[0].split()[:2] != ["hsload-stats", "1"] or lines[-1] != "end":
        failures.append(f"not a whole statistics file: {lines[:1]} ... {lines[-1:]}")
    pairs = {}  # "step 0" -> {"recv": "5", ...}
    for line in lines[1:-1]:
        words = line.split()
        name, words = (words[0] + " " + words[1], words[2:]) if words[0] in ("step", "channels") else (words[0], words[1:])
        pairs[name] = dict(zip(words[0::2], words[1::2]))
    want = {("time", "phase"): "done", ("handshakes", "ok"): "1", ("pusher", "subscribed"): "1",
            ("pusher", "unreadable"): "1", ("pusher", "unknown_channel"): "0", ("channels 5", "acks"): "3:1",
            ("step 0", "recv"): "6", ("step 0", "ooo"): "1", ("step 0", "gaps"): "2",
            ("step 2", "recv"): "2", ("step 2", "ooo"): "0", ("step 2", "gaps"): "0"}
    for (line, key), value in want.items():
        got = pairs.get(line, {}).get(key)
        if got != value:
            failures.append(f"{line} {key} = {got}, want {value}")
    if int(pairs.get("pusher", {}).get("ramp_us", 0)) <= 0:
        failures.append("ramp_us not set")
    for step, n in (("step 0", 6), ("step 2", 2)):
        buckets = [tuple(map(int, b.split(":"))) for b in pairs.get(step, {}).get("hist", "").split(",") if b]
        if sum(c for _, c in buckets) != n or any(low < 4900 or low > 1000000 for low, _ in buckets):
            failures.append(f"{step} latency buckets {buckets}: want {n} between 5 ms and 1 s")
    if failures:
        print("\n".join(lines), run.stdout, run.stderr)
    return failures


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    hsload = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "target", "hsload")
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    result = {}
    server = threading.Thread(target=serve, args=(listener, result), daemon=True)
    server.start()
    run = subprocess.run([hsload, "-q", "--hold", "--hold-for", "3", "-n", "1", "-c", "1", "--subscribe", "1",
                          "--path", "/app/k", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=30)
    server.join(5)
    summary = dict(kv.split("=", 1) for line in run.stdout.splitlines() if line.startswith("summary ")
                   for kv in line.split()[1:])
    want = {"texts": "5", "pusher_errors": "1", "subscribed": "1", "pings": "3", "pongs": "3", "unparsed": "0",
            "held": "1", "dropped": "0", "texts_by_conn": "0:0,1:0,2:0,3:0,4+:1"}
    failures = [f"{k}={summary.get(k)}, want {v}" for k, v in want.items() if summary.get(k) != v]
    if int(summary.get("partial", 0)) < 7:
        failures.append(f"partial={summary.get('partial')}, want at least 7 (one per cut)")
    sub = result.get("subscribe")
    if sub != (1, b'{"event":"pusher:subscribe","data":{"channel":"bench-0"}}'):
        failures.append(f"subscribe frame {sub}")
    if result.get("pongs") != [(10, bytes(range(20))), (10, b""), (10, b"xy")]:
        failures.append(f"pongs {result.get('pongs')}")
    if failures:
        print(run.stdout, run.stderr)
    stats_failures = stats_case(hsload)
    for f in failures + stats_failures:
        print("FAIL", f)
    if failures or stats_failures:
        return 1
    print("test-frames: every case passed (texts 5, pusher:error 1, subscribed, 3 pongs with their payloads, "
          f"{summary['partial']} reads ended inside a frame; --stats: steps 0 and 2 counted and timed, 1 out of "
          "order, 2 missing, 1 unreadable, channel 3 subscribed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
