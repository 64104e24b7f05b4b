#!/usr/bin/env python3
"""Gateway overhead: the same request sent straight to a mock upstream and through Gatehouse.

Starts a mock OpenAI-compatible upstream (Python, loopback), starts `gatehouse serve` with a passthrough
provider pointing at it, then sends N sequential requests over keep-alive connections three ways:
  direct       client -> mock upstream
  passthrough  client -> gatehouse (auth, routing, breaker, ledger row in SQLite) -> mock upstream
  local        client -> gatehouse invoke on the demo use case (local classifier, no upstream)
and prints p50/p90/p99 latency for each and the added latency of the gateway (passthrough - direct).

Usage: python3 Benchmarks/overhead.py [--requests N] [--binary PATH]
Build first: swift build -c release --product gatehouse (then pass --binary .build/release/gatehouse),
or use the debug build (slower; the figures then say so).
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from harness import gateway

ROOT = Path(__file__).resolve().parents[1]
REPLY = json.dumps({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}).encode()


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per response: no Nagle / delayed-ACK stalls
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(REPLY)))
        self.end_headers()
        self.wfile.write(REPLY)


def measure(host, port, path, body, headers, count):
    connection = http.client.HTTPConnection(host, port)
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    samples = []
    for i in range(count + 50):
        started = time.perf_counter()
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}")
        if i >= 50:  # warm-up
            samples.append(elapsed * 1000)
    connection.close()
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    return {"p50": pick(0.50), "p90": pick(0.90), "p99": pick(0.99), "mean": statistics.fmean(samples)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "gatehouse"))
    args = parser.parse_args()

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    upstream_port = upstream.server_address[1]

    config = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    shutil.copytree(ROOT / "examples" / "usecases", config / "usecases")
    # The demo's rate limits (600 requests a minute) would turn a benchmark burst into 429s.
    contract = config / "usecases" / "ticket-triage" / "usecase.yaml"
    contract.write_text(contract.read_text().replace("rpm: 600", "rpm: 100000000").replace("tpm: 200000", "tpm: 10000000000"))
    (config / "gatehouse.yaml").write_text(f"""
server: {{listen: 127.0.0.1:0, data_dir: data, log_level: error}}
providers:
  - {{name: local, kind: local}}
  - {{name: openai, kind: openai-compatible, base_url: "http://127.0.0.1:9/v1", credential: "env:UNSET_BENCH_KEY", data_classes: [public, internal]}}
  - {{name: mock, kind: openai-compatible, base_url: "http://127.0.0.1:{upstream_port}/v1", credential: "env:BENCH_UPSTREAM_KEY", data_classes: [public, internal]}}
api_keys:
  - {{id: bench, secret: "env:BENCH_KEY"}}
""")
    env = dict(os.environ, BENCH_KEY="bench-key", BENCH_UPSTREAM_KEY="upstream-key")
    try:
        with gateway(args.binary, config, env) as port:
            chat = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hello"}]})
            passthrough = json.dumps({"model": "mock/m", "messages": [{"role": "user", "content": "hello"}]})
            invoke = json.dumps({"input": {"subject": "Refund missing", "body": "I returned the kettle two weeks ago and the refund is still not on my card."}})
            auth = {"Content-Type": "application/json", "Authorization": "Bearer bench-key"}
            direct = measure("127.0.0.1", upstream_port, "/v1/chat/completions", chat, {"Content-Type": "application/json"}, args.requests)
            through = measure("127.0.0.1", port, "/v1/chat/completions", passthrough, auth, args.requests)
            local = measure("127.0.0.1", port, "/v1/usecases/ticket-triage/invoke", invoke, auth, args.requests)
    finally:
        upstream.shutdown()

    build = "release" if "/release/" in args.binary else "debug"
    print(f"Gatehouse overhead, {args.requests} sequential requests each, {build} build, loopback, one keep-alive connection")
    print(f"{'path':<14}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    for name, figures in (("direct", direct), ("passthrough", through), ("local invoke", local)):
        print(f"{name:<14}{figures['p50']:>9.3f}{figures['p90']:>9.3f}{figures['p99']:>9.3f}{figures['mean']:>9.3f}")
    print(f"added by the gateway (passthrough - direct): p50 {through['p50'] - direct['p50']:.3f} ms, "
          f"p99 {through['p99'] - direct['p99']:.3f} ms")


if __name__ == "__main__":
    sys.exit(main())
