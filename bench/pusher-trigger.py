#!/usr/bin/env python3
"""One event to each of N channels through a Pusher-compatible REST API (stdlib only).

    bench/pusher-trigger.py PREFIX N --url http://127.0.0.1:29800 [--app-id app-id --key app-key --secret app-secret]
                            [--name e] [--size 256]

Channels PREFIX0 .. PREFIX(N-1), as `hsload --subscribe N --channel-prefix PREFIX` and `throng bench --channels N`
name them, in `POST /apps/ID/events` requests of up to 100 channels each (the API's limit; docs/gateway.md), one
after another. Each request is signed as docs/gateway.md ("Signatures") describes: auth_key, auth_timestamp,
auth_version=1.0, body_md5, and auth_signature = HMAC-SHA256(secret, "POST\\n/apps/ID/events\\n" + the sorted query).
The event's data is a string of SIZE bytes. Prints one line per run; exits 1 on any answer other than 200 (with the
answer), 2 on bad usage. Defaults are the gateway's dev app (docs/gateway.md): app-id, app-key, app-secret.
"""
import argparse
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request


def signed_url(base, app_id, key, secret, body):
    path = f"/apps/{app_id}/events"
    query = {"auth_key": key, "auth_timestamp": str(int(time.time())), "auth_version": "1.0",
             "body_md5": hashlib.md5(body).hexdigest()}
    to_sign = "&".join(f"{k}={query[k]}" for k in sorted(query))  # no value here needs escaping
    signature = hmac.new(secret.encode(), f"POST\n{path}\n{to_sign}".encode(), hashlib.sha256).hexdigest()
    return f"{base.rstrip('/')}{path}?{to_sign}&auth_signature={signature}"


def main():
    ap = argparse.ArgumentParser(description="One event to each of N channels through the Pusher REST API.")
    ap.add_argument("prefix")
    ap.add_argument("channels", type=int)
    ap.add_argument("--url", required=True, help="the REST API's base, e.g. http://127.0.0.1:29800")
    ap.add_argument("--app-id", default="app-id")
    ap.add_argument("--key", default="app-key")
    ap.add_argument("--secret", default="app-secret")
    ap.add_argument("--name", default="e", help="the event's name")
    ap.add_argument("--size", type=int, default=256, help="bytes of the event's data (throng bench's --event-size)")
    ap.add_argument("--timeout", type=float, default=30, help="seconds per request")
    a = ap.parse_args()
    if a.channels < 1 or a.size < 1:
        ap.error("channels and size must be positive")
    names = [f"{a.prefix}{i}" for i in range(a.channels)]
    data = "x" * a.size
    t0 = time.monotonic()
    requests = 0
    for start in range(0, len(names), 100):
        body = json.dumps({"name": a.name, "channels": names[start:start + 100], "data": data},
                          separators=(",", ":")).encode()
        req = urllib.request.Request(signed_url(a.url, a.app_id, a.key, a.secret, body), data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=a.timeout) as r:
                status, answer = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, answer = e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            print(f"pusher-trigger: request {requests + 1} ({names[start]}..): {e}", file=sys.stderr)
            return 1
        requests += 1
        if status != 200:
            print(f"pusher-trigger: request {requests} ({names[start]}..): HTTP {status}: "
                  f"{answer[:300].decode(errors='replace')}", file=sys.stderr)
            return 1
    print(f"pusher-trigger: {a.channels} events ({a.size} B of data each) to {a.prefix}0..{a.prefix}{a.channels - 1}"
          f" in {requests} requests, {time.monotonic() - t0:.2f} s, all 200")
    return 0


if __name__ == "__main__":
    sys.exit(main())
