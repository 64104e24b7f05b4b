"""Fixtures that start real processes: a mock OpenAI-compatible upstream and the gatehouse binary."""
import json
import os
import re
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("GATEHOUSE_BIN", ROOT / ".build" / "debug" / "gatehouse"))
API_KEY = "gh_test_python_client_key_0123456789"


class MockUpstream(BaseHTTPRequestHandler):
    """OpenAI-style chat completions; the reply echoes the last user message."""

    requests: list = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        MockUpstream.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path != "/v1/chat/completions":
            self.send_response(404)
            self.end_headers()
            return
        last = body["messages"][-1]["content"]
        text = f"echo: {last}"
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in [text[i : i + 5] for i in range(0, len(text), 5)]:
                chunk = {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            final = {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                     "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(final)}\n\n".encode())
            usage = {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"], "choices": [],
                     "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}
            self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        reply = {"id": "up-1", "object": "chat.completion", "created": 1, "model": body["model"],
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="session")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), MockUpstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def gateway(upstream, tmp_path_factory):
    """Runs `gatehouse serve` on an ephemeral port with the demo use case and a passthrough provider."""
    assert BINARY.exists(), f"build first: {BINARY} is missing"
    config = tmp_path_factory.mktemp("config")
    shutil.copytree(ROOT / "examples" / "usecases", config / "usecases")
    port = upstream.server_address[1]
    (config / "gatehouse.yaml").write_text(f"""
server:
  listen: 127.0.0.1:0
  data_dir: data
providers:
  - name: local
    kind: local
  - name: openai
    kind: openai-compatible
    base_url: http://127.0.0.1:9/v1
    credential: env:GH_TEST_UNSET_OPENAI_KEY
    data_classes: [public, internal]
  - name: mock
    kind: openai-compatible
    base_url: http://127.0.0.1:{port}/v1
    credential: env:GH_TEST_MOCK_KEY
    data_classes: [public, internal]
    prices: {{input_per_million: 1.0, output_per_million: 2.0}}
api_keys:
  - id: python-client
    secret: env:GH_TEST_API_KEY
""")
    env = dict(os.environ, GH_TEST_API_KEY=API_KEY, GH_TEST_MOCK_KEY="sk-mock-upstream")
    process = subprocess.Popen([str(BINARY), "serve", "--config", str(config), "--listen", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    base = None
    deadline = time.time() + 120
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
        if match:
            base = match.group(1)
            break
    if base is None:
        process.kill()
        pytest.fail("gatehouse did not start")
    yield {"base": base, "key": API_KEY, "data": config / "data"}
    process.terminate()
    process.wait(timeout=15)
