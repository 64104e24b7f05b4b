#!/usr/bin/env python3
"""What the streaming output guard adds to time-to-first-token (TTFT) and to the whole stream.

A mock upstream streams an answer as a model would: CHUNK characters every INTERVAL ms. Gatehouse
serves it twice, through a provider with no PII action (text passes at once) and through one with
`pii_action: redact` (text is held back by `guards.stream_holdback` scalars so that an entity split
across chunks is seen whole). For each path the script prints TTFT (first content byte at the client)
and the total stream time, median over N runs.

The hold-back delays the first token by about holdback / (characters per second) of generation; the
guard's own compute per chunk is in Benchmarks/guards.sh (the streaming redactor line).

Usage: python3 Benchmarks/stream_guard.py [--runs N] [--binary PATH] [--holdback 96] [--interval-ms 20] [--chunk 4]
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from harness import gateway

ROOT = Path(__file__).resolve().parents[1]
ANSWER = ("Thanks for waiting. Your refund of 49.90 EUR was issued today to the card on file; "
          "it usually shows within three to five working days. If it does not, write to billing@example.com "
          "with your order number and we will check with the bank. Anything else I can help with?")


def upstream_handler(chunk, interval):
    class Upstream(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

            def send(payload):
                data = f"data: {payload}\n\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            for start in range(0, len(ANSWER), chunk):
                piece = ANSWER[start:start + chunk]
                send(json.dumps({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}))
                time.sleep(interval)
            send(json.dumps({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
            send("[DONE]")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
    return Upstream


def timed_stream(port, model):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps({"model": model, "stream": True, "messages": [{"role": "user", "content": "Where is my refund?"}]})
    started = time.perf_counter()
    connection.request("POST", "/v1/chat/completions", body=body.encode(),
                       headers={"Content-Type": "application/json", "Authorization": "Bearer bench-key"})
    response = connection.getresponse()
    first = None
    text = ""
    buffer = b""
    while True:
        data = response.read1(65536)
        if not data:
            break
        buffer += data
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            line = event.decode().strip()
            if not line.startswith("data: {"):
                continue
            delta = json.loads(line[6:])["choices"]
            content = delta[0]["delta"].get("content") if delta else None
            if content:
                if first is None:
                    first = time.perf_counter() - started
                text += content
    total = time.perf_counter() - started
    connection.close()
    return first * 1000, total * 1000, text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "gatehouse"))
    parser.add_argument("--holdback", type=int, default=96)
    parser.add_argument("--interval-ms", type=float, default=20.0)
    parser.add_argument("--chunk", type=int, default=4)
    args = parser.parse_args()

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), upstream_handler(args.chunk, args.interval_ms / 1000))
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{upstream.server_address[1]}/v1"
    config = Path(tempfile.mkdtemp(prefix="gatehouse-stream-bench-"))
    (config / "gatehouse.yaml").write_text(f"""
server: {{listen: 127.0.0.1:0, data_dir: data, log_level: error}}
guards: {{stream_holdback: {args.holdback}}}
providers:
  - {{name: plain, kind: openai-compatible, base_url: "{url}", credential: "env:BENCH_UPSTREAM_KEY", data_classes: [public, internal]}}
  - {{name: guarded, kind: openai-compatible, base_url: "{url}", credential: "env:BENCH_UPSTREAM_KEY", data_classes: [public, internal], pii_action: redact}}
api_keys:
  - {{id: bench, secret: "env:BENCH_KEY"}}
""")
    env = dict(os.environ, BENCH_KEY="bench-key", BENCH_UPSTREAM_KEY="upstream-key")
    try:
        with gateway(args.binary, config, env) as port:
            results = {}
            for model in ("plain/m", "guarded/m"):
                timed_stream(port, model)  # warm-up
                runs = [timed_stream(port, model) for _ in range(args.runs)]
                results[model] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[-1][2])
    finally:
        upstream.shutdown()

    rate = args.chunk / (args.interval_ms / 1000)
    print(f"Streamed answer of {len(ANSWER)} characters, {args.chunk} per chunk every {args.interval_ms:g} ms "
          f"({rate:.0f} characters/s), hold-back {args.holdback} scalars, median of {args.runs} runs")
    print(f"{'path':<26}{'TTFT ms':>10}{'total ms':>10}")
    for model, label in (("plain/m", "no output guard"), ("guarded/m", "redacting output guard")):
        print(f"{label:<26}{results[model][0]:>10.1f}{results[model][1]:>10.1f}")
    print(f"added by the guard: TTFT {results['guarded/m'][0] - results['plain/m'][0]:.1f} ms "
          f"(expected about holdback / rate = {args.holdback / rate * 1000:.0f} ms), "
          f"total {results['guarded/m'][1] - results['plain/m'][1]:.1f} ms")
    redacted = results["guarded/m"][2]
    print("guarded answer ends with:", redacted[-90:].replace("\n", " "))


if __name__ == "__main__":
    sys.exit(main())
