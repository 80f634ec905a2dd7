#!/usr/bin/env python3
"""Scale and fault recovery of the printer connections: N virtual printers (a separate process) and one `printfarm serve`.

Scale (default): every printer is registered, gets a run through the farm's own dispatch (plate → run → claim →
upload → start), and prints; measured are the time until all are idle, the server's CPU (% of one core) and resident
memory over a steady window while all print, and how soon a state change on a machine (a pause) is in the farm's
event stream (p50/p99).
Faults (--fault-minutes M): the virtual printers drop their connections at random (--drop-rate of them per minute,
seeded) while each works through --queue runs; at the end every run must be finished, every run's file started on
its machine exactly once, and every desync flag cleared; the time each desync stood is reported.
Usage: scripts/bench-fleet.py [--printers 1000] [--window 60]   |   scripts/bench-fleet.py --printers 100 --fault-minutes 10
Build first: swift build -c release --product printfarm (or pass --bin .build/debug, which is much slower).
"""
import argparse, json, os, random, signal, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def call(method, url, key=None, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if key: req.add_header("Authorization", f"Bearer {key}")
    if data is not None: req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        text = r.read()
        return json.loads(text) if text else None

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick

def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
    return 0

def upload(port, path, name):
    boundary = "bench" + str(random.random())[2:]
    data = open(path, "rb").read()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"root\"\r\n\r\ngcodes\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\nprintfarm\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/server/files/upload", data=body, method="POST")
    req.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    urllib.request.urlopen(req, timeout=30).read()

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--printers", type=int, default=1000)
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--pauses", type=int, default=100)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--fault-minutes", type=float, default=0)
    parser.add_argument("--drop-rate", type=float, default=0.05, help="share of printers dropping their connection per minute")
    parser.add_argument("--queue", type=int, default=4, help="runs per printer in the fault run")
    parser.add_argument("--speed", type=float, default=1)
    parser.add_argument("--print-minutes", type=float, default=0, help="make the recorded cube a print this long (its estimated time), so progress events come at a real print's pace")
    args = parser.parse_args()
    exe = os.path.join(args.bin, "printfarm")
    gcode = "Tests/PrinterLinkTests/Recordings/gcode/cube_10x10x2.gcode"
    data = tempfile.mkdtemp(prefix="printfarm-bench-fleet-")
    if args.print_minutes:
        text = open(gcode).read().replace("; estimated printing time (normal mode) = 1m 23s", f"; estimated printing time (normal mode) = {int(args.print_minutes)}m 0s")
        gcode = os.path.join(data, "long.gcode")
        open(gcode, "w").write(text)
    base, port = 21000 + random.randint(0, 20000), free_port()
    api = f"http://127.0.0.1:{port}/api/v1"
    key = subprocess.run([exe, "keys", "create", "--data-dir", data, "--name", "bench", "--scope", "admin"], capture_output=True, text=True, check=True).stdout.strip()
    virtual = [exe, "virtual-printers", "--count", str(args.printers), "--base-port", str(base), "--speed", str(args.speed)]
    if args.fault_minutes:
        virtual += ["--faults-per-hour", str(args.drop_rate * 60), "--fault-kinds", "disconnect", "--fault-seed", "7"]
    printers = subprocess.Popen(virtual, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printers.stdout.readline()
    server = subprocess.Popen([exe, "serve", "--data-dir", data, "--port", str(port), "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try: call("GET", f"http://127.0.0.1:{port}/healthz"); break
            except Exception: time.sleep(0.1)
        capabilities = {"buildVolume": {"x": 250, "y": 210, "z": 210}, "nozzleDiameters": [0.4], "enclosure": False, "hardenedNozzle": False, "materials": ["PLA"]}
        started = time.time()
        ids = [call("POST", f"{api}/printers", key, {"name": f"v{i}", "connector": "virtual", "address": f"http://127.0.0.1:{base + i}", "capabilities": capabilities})["id"] for i in range(args.printers)]
        def pages(collection):
            found, after = [], None
            while True:
                page = call("GET", f"{api}/{collection}{'&' if '?' in collection else '?'}limit=500" + (f"&after={after}" if after else ""), key)
                found += page["items"]
                after = page.get("next")
                if not after: return found
        while True:
            idle = sum(1 for p in pages("printers") if p["status"] == "idle")
            if idle == args.printers or time.time() - started > 300: break
            time.sleep(1)
        print(f"{idle}/{args.printers} printers idle {time.time() - started:.1f} s after the first registration")

        # One plate of the recorded cube for every run: an intent, its plan, the G-code artifact.
        intent = call("POST", f"{api}/intents", key, {"lineItems": [{"quantity": 1, "material": "PLA"}], "externalReference": "bench"})
        spec = {"profile": "bench", "orientation": {"x": 0, "y": 0, "z": 0}, "supports": "none", "requirements": {"enclosure": False, "hardenedNozzle": False}, "postProcessing": []}
        plan = call("POST", f"{api}/plans", key, {"intentID": intent["id"], "lineItemID": intent["lineItems"][0]["id"], "spec": spec})
        req = urllib.request.Request(f"{api}/artifacts?name=cube.gcode", data=open(gcode, "rb").read(), method="POST")
        req.add_header("Authorization", f"Bearer {key}"); req.add_header("Content-Type", "application/octet-stream")
        sha = json.loads(urllib.request.urlopen(req, timeout=30).read())["sha256"]
        plate = call("POST", f"{api}/plates", key, {"items": [{"planID": plan["id"], "revision": 1, "copies": 1}], "gcode": sha})
        queue = args.queue if args.fault_minutes else 1
        runs = [call("POST", f"{api}/runs", key, {"plateID": plate["id"], "printerID": printer})["id"] for _ in range(queue) for printer in ids]
        t = time.time()
        while True:
            busy = sum(1 for p in pages("printers") if p["status"] == "busy")
            if busy >= args.printers * 0.99 or time.time() - t > 120: break
            time.sleep(1)
        print(f"{busy}/{args.printers} printers printing a farm run {time.time() - t:.1f} s after {len(runs)} runs were scheduled")
        if args.fault_minutes:
            return faults(args, api, key, base, ids, runs, pages, printers)

        cpu0, t0 = cpu_seconds(server.pid), time.time()
        vcpu0 = cpu_seconds(printers.pid)
        metrics0 = appended(port, key)
        time.sleep(args.window)
        rate = (appended(port, key) - metrics0) / (time.time() - t0)
        cpu = (cpu_seconds(server.pid) - cpu0) / (time.time() - t0) * 100
        vcpu = (cpu_seconds(printers.pid) - vcpu0) / (time.time() - t0) * 100
        busy = sum(1 for p in pages("printers") if p["status"] == "busy")
        print(f"steady state while {busy} print: server CPU {cpu:.1f} % of one core, RSS {rss_mb(server.pid):.0f} MB, {rate:.0f} events/s recorded; virtual printers' process CPU {vcpu:.1f} %")
        # Latency: pause a printing machine, time until its printer.stateObserved is in the event feed.
        after = 0
        while True:
            page = call("GET", f"{api}/events?limit=1000&after={after}", key)
            if not page["events"]: break
            after = page["next"]
        # The live stream (Server-Sent Events), read in a thread: when each paused observation arrives there.
        streamed = {}
        def listen():
            req = urllib.request.Request(f"{api}/events/stream")
            req.add_header("Authorization", f"Bearer {key}")
            with urllib.request.urlopen(req, timeout=600) as stream:
                for raw in stream:
                    line = raw.decode().strip()
                    if line.startswith("data:") and "stateObserved" in line:
                        e = json.loads(line[5:])
                        if e.get("data", {}).get("state") == "paused": streamed.setdefault(e["subject"], time.time())
        threading.Thread(target=listen, daemon=True).start()
        time.sleep(1)
        latencies, recorded, live = [], [], []
        for i in range(min(args.pauses, args.printers)):
            t = time.time()
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{base + i}/printer/print/pause", method="POST"), timeout=30).read()
            seen = None
            while seen is None and time.time() - t < 10:
                page = call("GET", f"{api}/events?limit=1000&after={after}", key)
                for e in page["events"]:
                    if e["type"].endswith("printer.stateObserved.v1") and e.get("data", {}).get("state") == "paused" and e["subject"].endswith(ids[i]):
                        seen = time.time()
                        recorded.append(iso(e["time"]) - t)
                if page["events"]: after = page["next"]
                if seen is None: time.sleep(0.005)
            latencies.append((seen or time.time()) - t)
            waited = time.time()
            while f"printer-{ids[i]}" not in streamed and time.time() - waited < 5: time.sleep(0.005)
            arrived = streamed.get(f"printer-{ids[i]}")
            if arrived: live.append(arrived - t)
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
        print(f"pause → event in the feed, {len(latencies)} samples: p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, max {latencies[-1]*1000:.0f} ms")
        recorded.sort()
        if recorded:
            r = lambda q: recorded[min(len(recorded) - 1, int(q * len(recorded)))] * 1000
            print(f"pause → event recorded (its time stamp), {len(recorded)} samples: p50 {r(0.5):.0f} ms, p99 {r(0.99):.0f} ms")
        live.sort()
        if live:
            l = lambda q: live[min(len(live) - 1, int(q * len(live)))] * 1000
            print(f"pause → event arrived on the live stream (SSE), {len(live)} samples: p50 {l(0.5):.0f} ms, p99 {l(0.99):.0f} ms")
    finally:
        for process in (server, printers):
            process.send_signal(signal.SIGTERM)
            try: process.wait(timeout=30)
            except subprocess.TimeoutExpired: process.kill(); process.wait()

def faults(args, api, key, base, ids, runs, pages, printers):
    deadline = time.time() + args.fault_minutes * 60
    offline_seen = set()
    while time.time() < deadline:
        for p in pages("printers"):
            if p["status"] == "offline": offline_seen.add(p["id"])
        time.sleep(2)
    print(f"{args.fault_minutes:g} min of random drops: {len(offline_seen)} of {len(ids)} printers seen offline by 2-s samples", flush=True)
    # Let the queues drain (the drops go on), then check every run against the machines' own history.
    t = time.time()
    while time.time() - t < 900:
        statuses = [r["status"] for r in pages("runs")]
        if all(s in ("completed", "failed", "cancelled", "interrupted") for s in statuses): break
        time.sleep(5)
    counts = {}
    for s in statuses: counts[s] = counts.get(s, 0) + 1
    print(f"runs after the queues drained ({time.time() - t:.0f} s after the drops window): {counts}", flush=True)
    starts = {}
    for i in range(len(ids)):
        for job in call("GET", f"http://127.0.0.1:{base + i}/server/history/list?limit=1000", None)["result"]["jobs"]:
            starts[job["filename"]] = starts.get(job["filename"], 0) + 1
    twice = [f for f, n in starts.items() if n > 1]
    mine = sum(1 for f in starts if f.startswith("printfarm/run-"))
    print(f"{mine} run files started on the machines, {len(twice)} of them more than once", flush=True)
    # Desyncs: time each flag stood, from the printer events.
    events, after = [], 0
    while True:
        page = call("GET", f"{api}/events?limit=1000&after={after}", key)
        if not page["events"]: break
        events += page["events"]; after = page["next"]
    opened, stood, open_now = {}, [], 0
    for e in events:
        if e["type"].endswith("printer.desynced.v1"): opened[e["subject"]] = e["time"]
        if e["type"].endswith("printer.resynced.v1") and e["subject"] in opened:
            stood.append(iso(e["time"]) - iso(opened.pop(e["subject"])))
    drops = sum(1 for e in events if e["type"].endswith("printer.stateObserved.v1") and e.get("data", {}).get("state") == "offline")
    print(f"{drops} offline observations; {len(stood)} desyncs healed (longest {max(stood, default=0):.1f} s), {len(opened)} still flagged")

def appended(port, key):
    """Events appended so far, from the server's own metrics."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics")
    req.add_header("Authorization", f"Bearer {key}")
    for line in urllib.request.urlopen(req, timeout=30).read().decode().splitlines():
        if line.startswith("printfarm_events_appended_total"): return float(line.split()[-1])
    return 0

def iso(text):
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

if __name__ == "__main__":
    main()
