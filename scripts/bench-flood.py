#!/usr/bin/env python3
"""Holds thousands of connections to a printfarm server the way a hostile client would, and measures whether the
server still answers: half of them send half a request head, half declare a 2 GB JSON body and send nothing. Every
second it times GET /healthz on a fresh connection. Loopback only.

    printfarm serve --data-dir /tmp/flood --port 18090 &
    scripts/bench-flood.py --port 18090 --connections 19000 --seconds 60
"""
import argparse, errno, selectors, socket, statistics, time

def healthz(port, timeout):
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: farm\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk: break
                data += chunk
            ok = data.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    return ok, time.monotonic() - start

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=19000)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    selector = selectors.DefaultSelector()
    opened = closed_by_server = refused = 0
    held = {}
    heads = [b"GET /api/v1/intents HTTP/1.1\r\nHost: farm\r\n",
             b"POST /api/v1/intents HTTP/1.1\r\nHost: farm\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n{"]
    latencies, failures = [], 0
    start = time.monotonic(); next_probe = start
    while time.monotonic() - start < args.seconds:
        # Open (non-blocking) until the target is held.
        while len(held) < args.connections:
            s = socket.socket(); s.setblocking(False)
            code = s.connect_ex(("127.0.0.1", args.port))
            if code not in (0, errno.EINPROGRESS):
                s.close(); refused += 1; break
            held[s.fileno()] = (s, heads[opened % 2], False)
            selector.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
            opened += 1
        for key, events in selector.select(timeout=0.05):
            s, head, sent = held[key.fd]
            if events & selectors.EVENT_WRITE and not sent:
                try: s.send(head)
                except OSError: pass
                held[key.fd] = (s, head, True)
                selector.modify(s, selectors.EVENT_READ)
            elif events & selectors.EVENT_READ:
                try: data = s.recv(65536)
                except OSError: data = b""
                if not data:
                    selector.unregister(s); del held[key.fd]; s.close(); closed_by_server += 1
        if time.monotonic() >= next_probe:
            ok, seconds = healthz(args.port, 30)
            latencies.append(seconds); failures += 0 if ok else 1
            next_probe = time.monotonic() + 1
    for s, _, _ in held.values(): s.close()
    after_ok, after = healthz(args.port, 30)
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    print(f"held up to {args.connections} connections for {args.seconds:.0f} s: opened {opened}, closed by the server {closed_by_server}, "
          f"connect failures {refused}")
    print(f"/healthz during the flood: {len(latencies)} probes, {failures} failed; p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, max {latencies[-1]*1000:.0f} ms")
    print(f"/healthz after the flood: {'200' if after_ok else 'FAILED'} in {after*1000:.0f} ms")

if __name__ == "__main__":
    main()
