"""Traces over OTLP/HTTP: a receiver decodes the export with the official opentelemetry-proto classes
and checks the span tree of one request, under the caller's trace id, and the traceparent the
upstream provider received."""
import os
import re
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from conftest import BINARY, ROOT, MockUpstream

KEY = "gh_test_otlp_key_5566"
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


class Receiver(BaseHTTPRequestHandler):
    """OTLP/HTTP traces endpoint: keeps every decoded span."""

    spans: list = []
    content_types: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.content_types.append(self.headers.get("Content-Type"))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)  # the real decoder: a malformed export raises here
        for resource_spans in request.resource_spans:
            service = {kv.key: kv.value.string_value for kv in resource_spans.resource.attributes}.get("service.name")
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    Receiver.spans.append((service, span))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def traced_gateway(upstream, tmp_path_factory):
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    config = tmp_path_factory.mktemp("traced")
    shutil.copytree(ROOT / "examples" / "usecases", config / "usecases")
    (config / "gatehouse.yaml").write_text(f"""
server:
  listen: 127.0.0.1:0
  data_dir: data
  tracing:
    otlp_endpoint: http://127.0.0.1:{receiver.server_address[1]}
    service_name: gatehouse-under-test
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
    base_url: http://127.0.0.1:{upstream.server_address[1]}/v1
    credential: env:GH_TEST_MOCK_KEY
    data_classes: [public, internal]
api_keys:
  - id: tracer
    secret: env:GH_OTLP_KEY
    use_cases: [ticket-triage]
    providers: [mock]
""")
    env = dict(os.environ, GH_OTLP_KEY=KEY, GH_TEST_MOCK_KEY="sk-mock-upstream", GATEHOUSE_TRACE_EXPORT_INTERVAL_MS="100")
    process = subprocess.Popen([str(BINARY), "serve", "--config", str(config), "--listen", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    base = None
    deadline = time.time() + 120
    while time.time() < deadline and base is None:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
        base = match.group(1) if match else None
    if base is None:
        process.kill()
        pytest.fail("gatehouse did not start")
    yield base
    process.terminate()
    process.wait(timeout=15)
    receiver.shutdown()


def spans_of(trace_id, expected, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [(service, span) for service, span in Receiver.spans if span.trace_id.hex() == trace_id]
        if len(found) >= expected:
            return found
        time.sleep(0.05)
    return [(service, span) for service, span in Receiver.spans if span.trace_id.hex() == trace_id]


def test_invoke_span_tree_carries_the_callers_trace(traced_gateway):
    response = requests.post(
        f"{traced_gateway}/v1/usecases/ticket-triage/invoke",
        headers={"Authorization": f"Bearer {KEY}", "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"},
        json={"input": {"subject": "Charged twice", "body": "My card was debited twice for order NL-48213."}}, timeout=30)
    assert response.status_code == 200, response.text
    stages = ["authenticate", "validate_input", "guard_input", "select_variant", "admit", "call_model", "validate_output",
              "guard_output", "decide"]
    found = spans_of(CALLER_TRACE, expected=1 + len(stages) + 1)
    assert {service for service, _ in found} == {"gatehouse-under-test"}
    assert "application/x-protobuf" in Receiver.content_types
    spans = {span.span_id.hex(): span for _, span in found}
    roots = [span for span in spans.values() if span.parent_span_id.hex() == CALLER_SPAN]
    assert len(roots) == 1, "one server span, child of the caller's span"
    root = roots[0]
    assert root.name == "POST /v1/usecases/{id}/invoke" and root.kind == 2  # SPAN_KIND_SERVER
    attributes = {kv.key: kv.value for kv in root.attributes}
    assert attributes["gatehouse.invocation_id"].string_value == response.json()["invocation_id"]
    assert attributes["gatehouse.use_case"].string_value == "ticket-triage"
    assert attributes["http.response.status_code"].int_value == 200
    by_name = {span.name: span for span in spans.values()}
    for stage in stages:
        assert stage in by_name, f"no span for stage {stage}"
        child = by_name[stage]
        assert child.parent_span_id == root.span_id
        assert root.start_time_unix_nano <= child.start_time_unix_nano <= child.end_time_unix_nano <= root.end_time_unix_nano + 1_000_000
    upstream = [span for span in spans.values() if span.name.startswith("upstream ")]
    assert len(upstream) == 1 and upstream[0].kind == 3  # SPAN_KIND_CLIENT
    assert upstream[0].parent_span_id == by_name["call_model"].span_id, "the attempt hangs under the call_model stage"


def test_passthrough_propagates_traceparent_to_the_provider(traced_gateway):
    trace = "0af7651916cd43dd8448eb211c80319c"
    MockUpstream.requests.clear()
    response = requests.post(
        f"{traced_gateway}/v1/chat/completions",
        headers={"Authorization": f"Bearer {KEY}", "traceparent": f"00-{trace}-b7ad6b7169203331-01"},
        json={"model": "mock/gpt-test", "messages": [{"role": "user", "content": "hello"}]}, timeout=30)
    assert response.status_code == 200, response.text
    sent = MockUpstream.requests[-1]["headers"]
    header = {k.lower(): v for k, v in sent.items()}["traceparent"]
    version, trace_id, parent, flags = header.split("-")
    assert (version, trace_id, flags) == ("00", trace, "01")
    found = {span.span_id.hex(): span for _, span in spans_of(trace, expected=3)}
    assert parent in found, "the provider's parent span is the exported attempt span"
    attempt = found[parent]
    assert attempt.name == "upstream mock" and attempt.kind == 3
    root = found[attempt.parent_span_id.hex()]
    assert root.name == "POST /v1/chat/completions" and root.parent_span_id.hex() == "b7ad6b7169203331"


def test_a_request_without_traceparent_starts_its_own_trace(traced_gateway):
    response = requests.post(
        f"{traced_gateway}/v1/usecases/ticket-triage/invoke", headers={"Authorization": f"Bearer {KEY}"},
        json={"input": {"subject": "Where is my parcel", "body": "Tracking has not moved since Monday."}}, timeout=30)
    invocation = response.json()["invocation_id"]
    deadline = time.time() + 10
    while time.time() < deadline:
        roots = [span for _, span in Receiver.spans
                 if any(kv.key == "gatehouse.invocation_id" and kv.value.string_value == invocation for kv in span.attributes)]
        if roots:
            break
        time.sleep(0.05)
    assert len(roots) == 1
    assert roots[0].parent_span_id == b"" and len(roots[0].trace_id) == 16 and roots[0].trace_id != bytes(16)
