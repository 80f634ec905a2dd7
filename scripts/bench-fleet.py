#!/usr/bin/env python3
"""Scale of the printer connections: N virtual printers (a separate process) registered with one `printfarm serve`.

Measures, on this machine: the time until every printer shows idle, the server's CPU (% of one core) and resident
memory over a steady window while the printers print, and how soon a state change on a machine (a pause) is visible
in the farm's event stream (p50/p99 over many pauses). Usage: scripts/bench-fleet.py [--printers 1000] [--window 60]
Build first: swift build -c release (or pass --bin .build/debug for a debug build, which is much slower).
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
    args = parser.parse_args()
    exe = os.path.join(args.bin, "printfarm")
    gcode = "Tests/PrinterLinkTests/Recordings/gcode/cube_10x10x2.gcode"
    data = tempfile.mkdtemp(prefix="printfarm-bench-fleet-")
    base, port = 21000 + random.randint(0, 20000), free_port()
    key = subprocess.run([exe, "keys", "create", "--data-dir", data, "--name", "bench", "--scope", "admin"], capture_output=True, text=True, check=True).stdout.strip()
    # Speed 1: a print lasts ~2.5 min of heating and printing, longer than the window.
    printers = subprocess.Popen([exe, "virtual-printers", "--count", str(args.printers), "--base-port", str(base), "--speed", "1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printers.stdout.readline()
    server = subprocess.Popen([exe, "serve", "--data-dir", data, "--port", str(port), "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try: call("GET", f"http://127.0.0.1:{port}/healthz"); break
            except Exception: time.sleep(0.1)
        capabilities = {"buildVolume": {"x": 250, "y": 210, "z": 210}, "nozzleDiameters": [0.4], "enclosure": False, "hardenedNozzle": False, "materials": ["PLA"]}
        started = time.time()
        ids = []
        for i in range(args.printers):
            ids.append(call("POST", f"http://127.0.0.1:{port}/api/v1/printers", key, {"name": f"v{i}", "connector": "moonraker", "address": f"http://127.0.0.1:{base + i}", "capabilities": capabilities})["id"])
        def statuses():
            found, after = {}, None
            while True:
                page = call("GET", f"http://127.0.0.1:{port}/api/v1/printers?limit=500" + (f"&after={after}" if after else ""), key)
                for p in page["items"]: found[p["id"]] = p["status"]
                after = page.get("next")
                if not after: return found
        while True:
            s = statuses()
            idle = sum(1 for v in s.values() if v == "idle")
            if idle == args.printers or time.time() - started > 300: break
            time.sleep(1)
        print(f"{idle}/{args.printers} printers idle {time.time() - started:.1f} s after the first registration")
        for i in range(args.printers):
            upload(base + i, gcode, "bench.gcode")
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{base + i}/printer/print/start?filename=printfarm/bench.gcode", method="POST"), timeout=30).read()
        time.sleep(10)
        busy = sum(1 for v in statuses().values() if v == "busy")
        cpu0, t0 = cpu_seconds(server.pid), time.time()
        vcpu0 = cpu_seconds(printers.pid)
        time.sleep(args.window)
        cpu = (cpu_seconds(server.pid) - cpu0) / (time.time() - t0) * 100
        vcpu = (cpu_seconds(printers.pid) - vcpu0) / (time.time() - t0) * 100
        print(f"steady state while {busy} print: server CPU {cpu:.1f} % of one core, RSS {rss_mb(server.pid):.0f} MB; virtual printers' process CPU {vcpu:.1f} %")
        # Latency: pause a printing machine, time until its printer.stateObserved is in the event feed.
        head = call("GET", f"http://127.0.0.1:{port}/api/v1/events?limit=1&after=0", key)
        after = 0
        while True:
            page = call("GET", f"http://127.0.0.1:{port}/api/v1/events?limit=1000&after={after}", key)
            if not page["events"]: break
            after = page["next"]
        latencies = []
        for n in range(min(args.pauses, args.printers)):
            i = n
            t = time.time()
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{base + i}/printer/print/pause", method="POST"), timeout=30).read()
            seen = None
            while seen is None and time.time() - t < 10:
                page = call("GET", f"http://127.0.0.1:{port}/api/v1/events?limit=1000&after={after}", key)
                for e in page["events"]:
                    if e["type"].endswith("printer.stateObserved.v1") and e.get("data", {}).get("state") == "paused" and e["subject"].endswith(ids[i]):
                        seen = time.time()
                if page["events"]: after = page["next"]
                if seen is None: time.sleep(0.005)
            latencies.append((seen or time.time()) - t)
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
        print(f"pause → event in the feed, {len(latencies)} samples: p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, max {latencies[-1]*1000:.0f} ms")
    finally:
        server.send_signal(signal.SIGTERM); printers.send_signal(signal.SIGTERM)
        server.wait(timeout=30); printers.wait(timeout=30)

if __name__ == "__main__":
    main()
