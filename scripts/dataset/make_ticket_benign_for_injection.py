#!/usr/bin/env python3
"""Writes the demo's ticket-triage *training* tickets as benign examples for the injection classifier.

Ordinary support tickets are most of what the injection guard sees; without them in its training data
the classifier has only hard negatives written to look like attacks, and flags the odd plain question
("Can the delivery include a note that it's a gift, without the price?"). Only the training split is
used: the ticket-triage test split stays unseen by every model. Standard library only; rerunning it
rewrites the output byte for byte.

Usage: python3 scripts/dataset/make_ticket_benign_for_injection.py
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "examples/usecases/ticket-triage/datasets/train.jsonl"
TARGET = ROOT / "datasets/guards/injection-extra/tickets-benign.jsonl"

lines = []
for line in SOURCE.read_text(encoding="utf-8").splitlines():
    if not line.strip():
        continue
    item = json.loads(line)
    text = item["input"].get("subject", "") + "\n" + item["input"].get("body", "")
    lines.append(json.dumps({"id": "tk-" + item["id"], "text": text.strip(), "label": 0, "kind": "benign", "vector": "direct"}, ensure_ascii=False))
TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
print(f"{TARGET.relative_to(ROOT)}: {len(lines)} benign tickets")
