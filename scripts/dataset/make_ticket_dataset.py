#!/usr/bin/env python3
"""Builds the ticket-triage dataset of the demo from hand-written scenarios.

Each scenario (tickets_*.py) is a distinct support situation written by hand. A scenario appears two
or three times, as different customers would write it: with or without greeting and signature, terse
or complete, in lowercase, with typos, with a second topic tacked on, through different channels.
The train/test split is made by scenario, so every test ticket describes a situation the model has
never seen in training: the test figures measure generalisation, not memory.

Usage: python3 scripts/dataset/make_ticket_dataset.py   (deterministic; rewrites the two files)
"""
import json
import os
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from tickets_account_sales import ACCOUNT, SALES  # noqa: E402
from tickets_billing_shipping import BILLING, SHIPPING  # noqa: E402
from tickets_more import (  # noqa: E402
    MORE_ACCOUNT, MORE_BILLING, MORE_RETURNS, MORE_SALES, MORE_SHIPPING, MORE_TECHNICAL)
from tickets_returns_technical import RETURNS, TECHNICAL  # noqa: E402
from tickets_third import THIRD_BILLING, THIRD_OTHERS  # noqa: E402
from tickets_fourth import FOURTH  # noqa: E402
from tickets_multilingual import MULTILINGUAL  # noqa: E402
from tickets_fifth import FIFTH  # noqa: E402

OUT = Path(os.environ.get("DATASET_OUT", HERE.parents[1] / "examples" / "usecases" / "ticket-triage" / "datasets"))
# Another salt gives another scenario split (used to measure how much the figures vary between splits).
SPLIT_SALT = os.environ.get("SPLIT_SALT", "")
TEAM = {"billing": "finance", "shipping": "logistics", "returns": "logistics", "technical": "support-l2",
        "account": "support-l1", "sales": "sales"}
CATEGORIES_BASE = {"billing": BILLING + MORE_BILLING + THIRD_BILLING, "shipping": SHIPPING + MORE_SHIPPING + THIRD_OTHERS["shipping"],
              "returns": RETURNS + MORE_RETURNS + THIRD_OTHERS["returns"], "technical": TECHNICAL + MORE_TECHNICAL + THIRD_OTHERS["technical"],
              "account": ACCOUNT + MORE_ACCOUNT + THIRD_OTHERS["account"], "sales": SALES + MORE_SALES + THIRD_OTHERS["sales"]}
CATEGORIES = {category: scenarios + FOURTH[category] + MULTILINGUAL[category] for category, scenarios in CATEGORIES_BASE.items()}

GREETINGS = {"en": ["Hello,", "Hi there,", "Dear Nordlicht team,", "Hi,", "Good morning,", "Hey,", "To whom it may concern,"],
             "fr": ["Bonjour,", "Bonjour madame, monsieur,", "Salut,"],
             "de": ["Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,"],
             "es": ["Hola,", "Buenos días,", "Estimado equipo,"]}
SIGNATURES = {"en": ["Thanks,\nAnna", "Best regards,\nTom Becker", "Cheers, Priya", "Kind regards\nM. O'Neill", "Thank you!\n- Jordan",
                     "Regards,\nSven Lindqvist\nSent from my iPhone", "thx"],
              "fr": ["Merci,\nCamille", "Cordialement,\nJean Dupuis", "Bonne journée"],
              "de": ["Danke,\nJonas", "Mit freundlichen Grüßen\nPetra Schmitt", "Viele Grüße"],
              "es": ["Gracias,\nLucía", "Un saludo,\nJavier Ruiz", "Saludos"]}
ASIDES = ["Also, do you ship to Norway?", "Btw your newsletter comes twice a week, a bit much.",
          "Also my account still shows my old address, not urgent.", "PS: the lamp I bought last year is great.",
          "Also, is the blue kettle back in stock?", "Side note: the invoice PDF had a typo in my name."]
IMPATIENT = ["This is the second time I'm asking.", "Please answer quickly.", "Honestly disappointed.", "I'm losing patience here."]
POLITE = ["Sorry to bother you.", "Thanks in advance for your help.", "No rush, just wondering."]
CHANNELS = ["email", "chat", "web_form", "phone_transcript"]


STOPWORDS = {
    "fr": {"je", "vous", "mon", "ma", "mes", "est", "pas", "une", "le", "la", "les", "des", "pour", "avec", "bonjour", "merci", "commande", "et", "il", "que"},
    "de": {"ich", "und", "die", "der", "das", "nicht", "mit", "ist", "bitte", "meine", "mein", "wurde", "wir", "gibt", "es", "hallo", "danke", "für", "den", "zu"},
    "es": {"el", "la", "los", "las", "que", "de", "mi", "me", "no", "pedido", "hola", "gracias", "por", "para", "una", "con", "es", "quiero", "habéis", "podéis"},
    "en": {"the", "i", "my", "and", "is", "to", "it", "you", "a", "of", "for", "can", "was", "not", "do", "have", "this", "in", "on", "with"},
}


def language(text):
    """The language most of the text's words belong to (greetings and signatures must match it)."""
    words = re.findall(r"[a-zà-ÿß]+", text.lower())
    scores = {lang: sum(word in stop for word in words) for lang, stop in STOPWORDS.items()}
    return max(scores, key=lambda lang: (scores[lang], lang == "en"))


def typos(text, rng, rate=0.04):
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 4 and rng.random() < rate:
            j = rng.randrange(1, len(word) - 2)
            kind = rng.random()
            if kind < 0.5:
                word = word[:j] + word[j + 1] + word[j] + word[j + 2:]
            elif kind < 0.8:
                word = word[:j] + word[j + 1:]
            else:
                word = word[:j] + word[j] + word[j:]
            words[i] = word
    return " ".join(words)


def first_sentence(text):
    match = re.match(r"(.+?[.!?])\s", text + " ")
    return match.group(1) if match else text


def render(scenario, variant, rng):
    priority, subject, body = scenario
    lang = language(subject + " " + body)
    text = body
    if rng.random() < 0.15 and lang == "en":
        text += " " + rng.choice(ASIDES)  # a second, minor topic
    if rng.random() < 0.2 and lang == "en":
        text = (rng.choice(IMPATIENT) if priority in ("high", "urgent") else rng.choice(POLITE)) + " " + text
    if rng.random() < 0.6:
        text = rng.choice(GREETINGS[lang]) + "\n" + text
    if rng.random() < 0.55:
        text = text + "\n\n" + rng.choice(SIGNATURES[lang])
    style = rng.random()
    if style < 0.12:
        text = text.lower()
    if rng.random() < 0.2:
        text = typos(text, rng)
    subj = subject
    roll = rng.random()
    if roll < 0.12:
        subj = rng.choice(["help", "question", "Re: Re: order", "problem", "?", "Support request", "urgent" if priority == "urgent" else "hello"])
    elif roll < 0.22:
        subj = "Re: " + subject
    elif roll < 0.3:
        subj = subject.lower()
    order = f"#NL-{rng.randrange(40000, 69999)}"
    text = re.sub(r"#?NL-\d{5}", lambda _: order, text) if variant else text
    return lang, subj, text


def add_batch(batches, rng, split_name, train, test):
    """Renders one batch of scenarios and splits it by scenario (22% of each category's scenarios to test).

    Each batch has its own split generator, so adding a batch never moves an earlier scenario between
    train and test.
    """
    for category, scenarios in batches.items():
        split_rng = random.Random(f"{split_name}-{category}{SPLIT_SALT}")
        indices = list(range(len(scenarios)))
        split_rng.shuffle(indices)
        test_ids = set(indices[: round(len(scenarios) * 0.22)])
        for index, scenario in enumerate(scenarios):
            copies = 2 if rng.random() < 0.75 else 3
            rendered = set()
            for variant in range(copies):
                for _ in range(20):  # two customers rarely write the very same words
                    lang, subject, body = render(scenario, variant, rng)
                    if (subject, body) not in rendered:
                        break
                rendered.add((subject, body))
                item = {"input": {"subject": subject, "body": body},
                        "expected": {"category": category, "priority": scenario[0], "team": TEAM[category]},
                        "_lang": lang}
                if rng.random() < 0.6:
                    item["input"]["channel"] = rng.choice(CHANNELS)
                if rng.random() < 0.6:
                    item["input"]["customer_ref"] = f"C-{rng.randrange(10000, 99999)}"
                (test if index in test_ids else train).append(item)


def build():
    rng = random.Random(20261125)
    train, test = [], []
    add_batch(CATEGORIES, rng, "split", train, test)
    add_batch(FIFTH, random.Random(20261126), "split-fifth", train, test)
    rng.shuffle(train)
    rng.shuffle(test)
    seen = set()
    number = 0
    for split in (train, test):
        for item in split:
            number += 1
            item["id"] = f"t{number:04d}"
            key = (item["input"]["subject"], item["input"]["body"])
            assert key not in seen, key
            seen.add(key)
    return train, test


def write(path, rows):
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            clean = {"id": row["id"], "input": row["input"], "expected": row["expected"]}
            handle.write(json.dumps(clean, ensure_ascii=False) + "\n")


def summary(name, rows):
    from collections import Counter
    categories = Counter(r["expected"]["category"] for r in rows)
    priorities = Counter(r["expected"]["priority"] for r in rows)
    languages = Counter(r["_lang"] for r in rows)
    print(f"{name}: {len(rows)} tickets; categories {dict(categories)}; priorities {dict(priorities)}; languages {dict(languages)}")


if __name__ == "__main__":
    train, test = build()
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "train.jsonl", train)
    write(OUT / "test.jsonl", test)
    summary("train", train)
    summary("test", test)
