"""The official OpenAI Python client drives Gatehouse's OpenAI-compatible API."""
import json
import sqlite3
import time

import openai
import pytest
from openai import OpenAI

from conftest import MockUpstream

TICKET = {"subject": "Refund missing", "body": "I returned the blender three weeks ago and the refund of 89 EUR is still not on my card."}


def client(gateway, key=None):
    return OpenAI(base_url=gateway["base"] + "/v1", api_key=key or gateway["key"], max_retries=0)


def ledger_row(gateway, invocation_id):
    """The row from the SQLite file itself; the ledger writer stores rows just behind the response."""
    deadline = time.time() + 5
    while True:
        with sqlite3.connect(gateway["data"] / "gatehouse.sqlite") as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM invocations WHERE id = ?", (invocation_id,)).fetchone()
        if row is not None or time.time() > deadline:
            return row
        time.sleep(0.02)


def test_use_case_non_streaming(gateway):
    completion = client(gateway).chat.completions.create(
        model="usecase/ticket-triage", messages=[{"role": "user", "content": json.dumps(TICKET)}])
    output = json.loads(completion.choices[0].message.content)
    assert output["category"] in {"billing", "shipping", "returns", "technical", "account", "sales"}
    assert output["priority"] in {"low", "normal", "high", "urgent"}
    extras = completion.model_extra["gatehouse"]
    assert extras["decision"] in {"answered", "escalated"}
    row = ledger_row(gateway, extras["invocation_id"])
    assert row is not None and row["route"] == "chat_completions" and row["use_case"] == "ticket-triage"


def test_use_case_input_via_extra_body(gateway):
    completion = client(gateway).chat.completions.create(
        model="usecase/ticket-triage", messages=[{"role": "user", "content": "see input"}], extra_body={"input": TICKET})
    assert json.loads(completion.choices[0].message.content)["team"]


def test_use_case_streaming(gateway):
    stream = client(gateway).chat.completions.create(
        model="usecase/ticket-triage", messages=[{"role": "user", "content": json.dumps(TICKET)}], stream=True,
        stream_options={"include_usage": True})
    content, finish, usage = "", None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            content += choice.delta.content or ""
            finish = choice.finish_reason or finish
    assert finish == "stop"
    assert json.loads(content)["category"]
    assert usage is not None


def test_passthrough_non_streaming(gateway):
    before = len(MockUpstream.requests)
    completion = client(gateway).chat.completions.create(
        model="mock/gpt-test", messages=[{"role": "user", "content": "hello upstream"}], temperature=0)
    assert completion.choices[0].message.content == "echo: hello upstream"
    assert completion.usage.prompt_tokens == 7 and completion.usage.completion_tokens == 3
    sent = MockUpstream.requests[before]
    assert sent["body"]["model"] == "gpt-test"
    assert sent["headers"]["Authorization"] == "Bearer sk-mock-upstream"
    assert completion.id.startswith("chatcmpl-inv_")
    row = ledger_row(gateway, completion.id.removeprefix("chatcmpl-"))
    assert row["route"] == "passthrough" and row["provider"] == "mock" and row["decision"] == "answered"
    assert abs(row["cost_usd"] - (7 * 1.0 + 3 * 2.0) / 1e6) < 1e-12


def test_passthrough_streaming(gateway):
    stream = client(gateway).chat.completions.create(
        model="mock/gpt-test", messages=[{"role": "user", "content": "stream me please"}], stream=True)
    text = "".join(choice.delta.content or "" for chunk in stream for choice in chunk.choices)
    assert text == "echo: stream me please"


def test_models_list(gateway):
    ids = [m.id for m in client(gateway).models.list()]
    assert "usecase/ticket-triage" in ids


def test_errors_are_openai_shaped(gateway):
    with pytest.raises(openai.NotFoundError) as not_found:
        client(gateway).chat.completions.create(model="usecase/nope", messages=[{"role": "user", "content": "{}"}])
    assert not_found.value.body["code"] == "unknown_use_case"
    with pytest.raises(openai.AuthenticationError):
        client(gateway, key="wrong").chat.completions.create(model="mock/x", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.BadRequestError) as bad:
        client(gateway).chat.completions.create(
            model="usecase/ticket-triage", messages=[{"role": "user", "content": json.dumps({"subject": "x"})}])
    assert "body" in bad.value.body["message"]
