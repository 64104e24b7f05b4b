#!/usr/bin/env python3
"""Builds the labelled PII-detection dataset of the PII guard from hand-written templates.

Writes datasets/guards/pii-independent/{train,test}.jsonl and datasets/guards/pii-independent/README.md.
One JSON object per line:
    {"id": "pii-0001", "text": "...", "spans": [{"start": 12, "end": 30, "type": "EMAIL"}],
     "lang": "en|fr|de|es", "hard_negative": false}

Offsets are Unicode code points (Python str indices), `end` exclusive. Spans are recorded while the
text is assembled (never found by searching afterwards), and every span is asserted to cover exactly
the value that was inserted.

Types: EMAIL, PHONE, CREDIT_CARD, IBAN, US_SSN, IP_ADDRESS, DATE_OF_BIRTH, PERSON, STREET_ADDRESS.
Structured values are generated valid in code (Luhn check digit for cards, mod-97 check digits and
per-country length for IBANs, SSA ranges for SSNs). Hard negatives carry no PII at all and are made of
look-alikes: order / tracking / invoice / case numbers, Luhn-failing 16-digit numbers, IBANs with wrong
check digits, ISBNs, EANs, prices, times, non-birth dates, versions, log lines, capitalised non-names.

Split: by template. Every rendering of a template lands in the same split; about 40% of the templates
of each (language, positive/negative) group go to test, so the test file measures phrasings never
seen in training. The split is drawn with a fixed seed; if a draw leaves a type with fewer than 25
spans in test, the next seed is tried (deterministic).

Usage: python3 scripts/dataset/make_pii_dataset.py   (Python 3.11, standard library only; deterministic)
"""
import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

SEED = 20250614
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "datasets" / "guards" / "pii-independent"  # an independent set: measures the PII guard out of sample; nothing is tuned on it
TYPES = ("EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS", "DATE_OF_BIRTH", "PERSON", "STREET_ADDRESS")
LANGS = ("en", "fr", "de", "es")
RENDERS = 5
TEST_FRACTION = 0.4
MIN_TEST_SPANS = 25

rng = random.Random(SEED)


def digits(n, first_nonzero=False):
    s = "".join(rng.choice("0123456789") for _ in range(n))
    if first_nonzero and s[0] == "0":
        s = rng.choice("123456789") + s[1:]
    return s


# ---------------------------------------------------------------- structured values

def luhn_ok(number):
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(prefix, length):
    body = prefix + digits(length - len(prefix) - 1)
    for c in "0123456789":
        if luhn_ok(body + c):
            return body + c
    raise AssertionError


def group(number, sizes, sep):
    out, i = [], 0
    for size in sizes:
        out.append(number[i:i + size])
        i += size
    return sep.join(out)


def card_number():
    kind = rng.choice(["visa", "visa", "mc", "mc2", "amex", "discover"])
    if kind == "visa":
        return luhn_complete("4", 16), [4, 4, 4, 4]
    if kind == "mc":
        return luhn_complete(str(rng.randint(51, 55)), 16), [4, 4, 4, 4]
    if kind == "mc2":
        return luhn_complete(str(rng.randint(2221, 2720)), 16), [4, 4, 4, 4]
    if kind == "amex":
        return luhn_complete(rng.choice(["34", "37"]), 15), [4, 6, 5]
    return luhn_complete("6011", 16), [4, 4, 4, 4]


def card(style=None):
    number, sizes = card_number()
    style = style or rng.choice(["plain", "space", "space", "dash"])
    if style == "plain":
        value = number
    else:
        value = group(number, sizes, " " if style == "space" else "-")
    assert luhn_ok(re.sub(r"\D", "", value))
    return value


def bad_card(style=None):
    number = luhn_complete(rng.choice(["4", "5" + rng.choice("12345")]), 16)
    last = int(number[-1])
    number = number[:-1] + str((last + rng.randint(1, 9)) % 10)
    assert not luhn_ok(number)
    style = style or rng.choice(["plain", "space", "dash"])
    return number if style == "plain" else group(number, [4, 4, 4, 4], " " if style == "space" else "-")


# country: (total length, BBAN pattern) with n = digit, a = upper letter, c = digit or letter
IBAN_FORMATS = {
    "DE": "n" * 18, "FR": "n" * 10 + "c" * 11 + "nn", "ES": "n" * 20, "NL": "aaaa" + "n" * 10,
    "GB": "aaaa" + "n" * 14, "IT": "a" + "n" * 10 + "c" * 12, "BE": "n" * 12, "CH": "n" * 5 + "c" * 12,
    "AT": "n" * 16,
}
IBAN_LENGTHS = {"DE": 22, "FR": 27, "ES": 24, "NL": 18, "GB": 22, "IT": 27, "BE": 16, "CH": 21, "AT": 20}
BANK_CODES = {"NL": ["ABNA", "INGB", "RABO", "TRIO", "SNSB"], "GB": ["NWBK", "BARC", "HBUK", "LOYD", "MIDL"]}


def iban_mod(country, check, bban):
    s = bban + country + check
    num = "".join(str(int(ch, 36)) for ch in s)
    return int(num) % 97


def iban_valid(compact):
    c = compact.replace(" ", "")
    if c[:2] not in IBAN_LENGTHS or len(c) != IBAN_LENGTHS[c[:2]]:
        return False
    return iban_mod(c[:2], c[2:4], c[4:]) == 1


def iban_compact(country=None):
    country = country or rng.choice(list(IBAN_FORMATS))
    pattern = IBAN_FORMATS[country]
    bban = ""
    for p in pattern:
        if p == "n":
            bban += rng.choice("0123456789")
        elif p == "a":
            bban += rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        else:
            bban += rng.choice("0123456789" * 3 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if country in BANK_CODES:
        bban = rng.choice(BANK_CODES[country]) + bban[4:]
    check = "%02d" % (98 - iban_mod(country, "00", bban))
    value = country + check + bban
    assert len(value) == IBAN_LENGTHS[country] and iban_valid(value)
    return value


def spaced4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def iban(country=None, style=None):
    value = iban_compact(country)
    style = style or rng.choice(["compact", "spaced"])
    return value if style == "compact" else spaced4(value)


def bad_iban(country=None, style=None):
    value = iban_compact(country)
    check = int(value[2:4])
    new = (check + rng.choice([1, 2, 3, 5, 10, 11, 20])) % 100
    value = value[:2] + "%02d" % new + value[4:]
    assert not iban_valid(value)
    style = style or rng.choice(["compact", "spaced"])
    value = value if style == "compact" else spaced4(value)
    try:
        check_unlabelled(value, [])  # its digit groups must not read as a Luhn-valid card number either
    except AssertionError:
        return bad_iban(country, style)
    return value


def ssn(sep=None):
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    sep = sep or ("-" if rng.random() < 0.75 else " ")
    value = "%03d%s%02d%s%04d" % (area, sep, rng.randint(1, 99), sep, rng.randint(1, 9999))
    return value


def ipv4():
    while True:
        a = rng.choice([rng.randint(1, 223), 81, 92, 185, 193, 212, 203, 198, 66, 24])
        if a not in (10, 127) and a != 0:
            break
    return "%d.%d.%d.%d" % (a, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))


def ipv6():
    groups = ["%x" % rng.randint(0, 0xFFFF) for _ in range(8)]
    style = rng.choice(["full", "full_padded", "compressed", "compressed", "doc", "linklocal"])
    if style == "full":
        return ":".join(groups)
    if style == "full_padded":
        return ":".join(g.zfill(4) for g in groups)
    if style == "doc":
        return "2001:db8:%x::%x" % (rng.randint(1, 0xFFFF), rng.randint(1, 0xFFFF))
    if style == "linklocal":
        return "fe80::%x:%x:%x:%x" % tuple(rng.randint(1, 0xFFFF) for _ in range(4))
    head = rng.randint(2, 4)
    tail = rng.randint(1, 2)
    first = "2a0%x" % rng.randint(0, 9) if rng.random() < 0.5 else "2%03x" % rng.randint(0, 0xFFF)
    return ":".join([first] + groups[1:head]) + "::" + ":".join(groups[8 - tail:])


# ---------------------------------------------------------------- phones

def d(n, first_nonzero=False):
    return digits(n, first_nonzero)


def us_parts():
    return str(rng.randint(2, 9)) + d(2), str(rng.randint(2, 9)) + d(2), d(4)


PHONE_NATIONAL = {
    "us": [lambda a, b, c: f"({a}) {b}-{c}", lambda a, b, c: f"{a}-{b}-{c}", lambda a, b, c: f"{a}.{b}.{c}"],
}


def phone_us(intl=False):
    a, b, c = us_parts()
    if intl:
        return rng.choice([f"+1 {a} {b} {c}", f"+1{a}{b}{c}", f"+1-{a}-{b}-{c}", f"+1 ({a}) {b}-{c}"])
    return rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}"])


def phone_uk(intl=False):
    if rng.random() < 0.5:
        area, local = "20", rng.choice("378") + d(3) + " " + d(4)
        nat = f"0{area} {local}"
        e164 = f"+44 {area} {local}"
    else:
        mob = "7" + rng.choice("3456789") + d(2)
        rest = d(6)
        nat = f"0{mob} {rest}"
        e164 = rng.choice([f"+44 {mob} {rest}", f"+44{mob}{rest}"])
    return e164 if intl else nat


def phone_fr(intl=False):
    first = rng.choice("1234567") if rng.random() < 0.5 else rng.choice("67")
    pairs = [d(2) for _ in range(4)]
    if intl:
        return rng.choice([f"+33 {first} " + " ".join(pairs), f"+33{first}" + "".join(pairs)])
    return rng.choice([f"0{first} " + " ".join(pairs), f"0{first} " + " ".join(pairs), f"0{first}." + ".".join(pairs)])


def phone_de(intl=False):
    kind = rng.choice(["berlin", "city", "mobile", "mobile"])
    if kind == "mobile":
        pre, rest = "1" + rng.choice(["51", "52", "60", "62", "70", "76", "79"]), d(rng.choice([7, 8]))
    elif kind == "berlin":
        pre, rest = "30", d(rng.choice([7, 8]))
    else:
        pre, rest = rng.choice(["40", "89", "221", "69", "711", "211"]), d(rng.choice([6, 7]))
    if intl:
        return rng.choice([f"+49 {pre} {rest}", f"+49{pre}{rest}", f"+49 ({pre}) {rest}"])
    return rng.choice([f"0{pre} {rest}", f"0{pre} {rest}", f"0{pre}/{rest}", f"0{pre}-{rest}"])


def phone_es(intl=False):
    if rng.random() < 0.55:
        n = rng.choice("67") + d(8)
        nat = rng.choice([f"{n[:3]} {n[3:6]} {n[6:]}", n, f"{n[:3]} {n[3:5]} {n[5:7]} {n[7:]}"])
    else:
        n = rng.choice(["91", "93", "95", "96"]) + d(7)
        nat = rng.choice([f"{n[:2]} {n[2:5]} {n[5:7]} {n[7:]}", f"{n[:3]} {n[3:6]} {n[6:]}"])
    if intl:
        return rng.choice([f"+34 {nat}", "+34" + nat.replace(" ", "")])
    return nat


def phone_nl(intl=False):
    if rng.random() < 0.5:
        rest = d(8)
        nat = rng.choice([f"06 {rest}", f"06-{rest}", f"06{rest}"])
        e164 = rng.choice([f"+31 6 {rest}", f"+316{rest}"])
    else:
        area = rng.choice(["20", "10", "70", "30"])
        a, b = d(3), d(4)
        nat = rng.choice([f"0{area} {a} {b}", f"0{area}-{a}{b}"])
        e164 = f"+31 {area} {a} {b}"
    return e164 if intl else nat


def phone_other():
    return rng.choice([
        lambda: f"+39 0{rng.choice(['2', '6'])} {d(4)} {d(4)}",
        lambda: f"+39 3{d(2)} {d(3)} {d(4)}",
        lambda: f"+41 {rng.choice(['44', '22', '31'])} {d(3)} {d(2)} {d(2)}",
        lambda: f"+43 1 {d(3)} {d(4)}",
        lambda: f"+32 2 {d(3)} {d(2)} {d(2)}",
        lambda: f"+353 1 {d(3)} {d(4)}",
        lambda: f"+351 21 {d(3)} {d(4)}",
        lambda: f"+48 {d(3)} {d(3)} {d(3)}",
        lambda: f"+61 2 {d(4)} {d(4)}",
        lambda: f"+81 3 {d(4)} {d(4)}",
        lambda: f"+90 {rng.choice(['532', '212'])} {d(3)} {d(2)} {d(2)}",
    ])()


PHONE_BY_COUNTRY = {"us": phone_us, "uk": phone_uk, "fr": phone_fr, "de": phone_de, "es": phone_es, "nl": phone_nl}


def phone_intl():
    if rng.random() < 0.3:
        return phone_other()
    return PHONE_BY_COUNTRY[rng.choice(list(PHONE_BY_COUNTRY))](True)


def phone_for_lang(lang):
    r = rng.random()
    if r < 0.2:
        return phone_intl()
    if lang == "en":
        return (phone_us if rng.random() < 0.6 else rng.choice([phone_uk, phone_uk, phone_nl]))(False)
    home = {"fr": phone_fr, "de": phone_de, "es": phone_es}[lang]
    if r < 0.35:
        return home(True)
    if r < 0.42:
        return phone_nl(False)
    return home(False)


# ---------------------------------------------------------------- names, e-mails

# origin: (male first names, female first names, last names)
NAMES = {
    "en": (["James", "Tom", "Michael", "Daniel", "Chris", "Ryan", "Kevin", "Liam", "Oliver", "Ethan"],
           ["Emily", "Sarah", "Jessica", "Megan", "Olivia", "Hannah", "Chloe", "Grace", "Laura", "Amy"],
           ["Smith", "Johnson", "Walker", "O'Brien", "Thompson", "Hughes", "Mitchell", "Carter", "Bennett", "Price", "Fletcher"]),
    "fr": (["Jean", "Luc", "Pierre", "Julien", "Mathieu", "Antoine", "Jean-Pierre", "Hugo", "Théo", "Rémi"],
           ["Camille", "Élodie", "Sophie", "Chloé", "Manon", "Céline", "Marie-Claire", "Inès", "Aurélie", "Léa"],
           ["Dupuis", "Martin", "Lefèvre", "Moreau", "Girard", "Rousseau", "Fontaine", "Chevalier", "Lambert", "Mercier"]),
    "de": (["Lukas", "Jonas", "Thomas", "Stefan", "Matthias", "Jürgen", "Florian", "Tobias", "Klaus", "Felix"],
           ["Petra", "Anna", "Katrin", "Sabine", "Lena", "Jana", "Ursula", "Miriam", "Franziska", "Jülide"],
           ["Schmidt", "Müller", "Schmitt", "Becker", "Hoffmann", "Weiß", "Krüger", "Schäfer", "Zimmermann", "Koch"]),
    "es": (["Javier", "Carlos", "Alejandro", "Diego", "Sergio", "Pablo", "Álvaro", "Andrés", "Iker", "Raúl"],
           ["María", "Lucía", "Carmen", "Elena", "Paula", "Marta", "Nuria", "Ainhoa", "Rocío", "Beatriz"],
           ["Ruiz", "López", "García", "Fernández", "Martínez", "Sánchez", "Navarro", "Ortega", "Iglesias", "Gómez"]),
    "it": (["Marco", "Luca", "Giuseppe", "Matteo"], ["Giulia", "Francesca", "Chiara", "Sofia"],
           ["Rossi", "Bianchi", "Esposito", "Ferrari", "Romano", "Colombo"]),
    "nl": (["Sander", "Bram", "Joost", "Daan"], ["Sanne", "Femke", "Lotte", "Anouk"],
           ["de Vries", "van Dijk", "Jansen", "Bakker", "Visser", "van der Berg"]),
    "pl": (["Piotr", "Krzysztof", "Tomasz"], ["Agnieszka", "Katarzyna", "Magdalena"],
           ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Zieliński"]),
    "tr": (["Mehmet", "Emre", "Can", "Burak"], ["Ayşe", "Elif", "Zeynep", "Derya"],
           ["Yılmaz", "Demir", "Kaya", "Öztürk", "Çelik", "Aydın"]),
    "ar": (["Omar", "Youssef", "Karim", "Ahmed", "Samir"], ["Fatima", "Leila", "Nadia", "Amira", "Yasmine"],
           ["Haddad", "El Amrani", "Benali", "Mansour", "Khalil", "Saleh"]),
    "in": (["Rahul", "Arjun", "Vikram", "Sanjay"], ["Priya", "Ananya", "Deepika", "Kavya"],
           ["Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair"]),
    "cn": (["Wei", "Jun", "Hao", "Lei"], ["Mei", "Xiu", "Ying", "Lin"], ["Wang", "Li", "Zhang", "Chen", "Liu", "Huang"]),
    "jp": (["Haruto", "Kenji", "Takeshi"], ["Yuki", "Aiko", "Sakura"], ["Tanaka", "Suzuki", "Sato", "Watanabe", "Yamamoto"]),
    "kr": (["Min-jun", "Ji-hoon"], ["Seo-yeon", "Ji-woo"], ["Kim", "Park", "Lee", "Choi"]),
    "vn": (["Minh", "Duc", "Quang"], ["Linh", "Thu", "Hoa"], ["Nguyen", "Tran", "Pham", "Le"]),
    "ng": (["Chinedu", "Oluwaseun", "Emeka"], ["Ngozi", "Adaeze", "Funmilayo"], ["Okafor", "Adeyemi", "Balogun", "Eze"]),
    "pt": (["João", "Tiago", "Rafael"], ["Beatriz", "Inês", "Larissa"], ["Silva", "Santos", "Oliveira", "Costa", "Pereira"]),
    "gr": (["Nikos", "Giorgos"], ["Eleni", "Dimitra"], ["Papadopoulos", "Georgiou", "Konstantinou"]),
    "se": (["Erik", "Lars", "Anders"], ["Ingrid", "Astrid", "Maja"], ["Andersson", "Lindqvist", "Johansson"]),
    "ua": (["Oleksandr", "Dmytro", "Andriy"], ["Olena", "Iryna", "Natalia"], ["Shevchenko", "Kovalenko", "Bondarenko", "Ivanova"]),
    "ie": (["Seán", "Ciarán", "Declan"], ["Siobhán", "Aoife", "Niamh"], ["Murphy", "Ó Súilleabháin", "Kelly", "Byrne"]),
}


def pick_person(lang, gender=None):
    if rng.random() < 0.45:
        origin = lang
    else:
        origin = rng.choice(list(NAMES))
    males, females, lasts = NAMES[origin]
    gender = gender or rng.choice("MF")
    first = rng.choice(males if gender == "M" else females)
    last = rng.choice(lasts)
    if origin == "es" and rng.random() < 0.4:
        last = last + " " + rng.choice(NAMES["es"][2])
    return {"first": first, "last": last, "gender": gender, "origin": origin}


def ascii_fold(s):
    s = unicodedata.normalize("NFKD", s)
    s = s.replace("ı", "i").replace("ł", "l")
    return "".join(ch for ch in s if ord(ch) < 128).lower().replace("'", "").replace(" ", "")


DOMAINS = {
    "en": ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.co.uk", "proton.me", "acme-logistics.com", "brightpath.io"],
    "fr": ["gmail.com", "orange.fr", "free.fr", "laposte.net", "yahoo.fr", "sfr.fr", "atelier-moreau.fr"],
    "de": ["gmail.com", "web.de", "gmx.de", "t-online.de", "posteo.de", "mueller-bau.de", "outlook.de"],
    "es": ["gmail.com", "hotmail.es", "yahoo.es", "telefonica.net", "outlook.es", "grupo-iberia-log.es"],
}


def email_for(person, lang):
    f, l = ascii_fold(person["first"]), ascii_fold(person["last"])
    local = rng.choice([f"{f}.{l}", f"{f[0]}.{l}", f"{f}{l}{rng.randint(1, 99)}", f"{l}.{f}", f"{f}_{l}",
                        f"{f}{rng.randint(70, 99)}", f"{f[0]}{l}", f"{f}.{l}+{rng.choice(['shop', 'news', 'orders'])}"])
    domain = rng.choice(DOMAINS[lang] + DOMAINS["en"][:3])
    return f"{local}@{domain}"


def email_random(lang):
    handle = rng.choice(["sunny", "blue.fox", "mtb_rider", "kat", "info", "contact", "jdev", "lulu", "m.k", "the.real.dan"])
    return f"{handle}{rng.randint(1, 999)}@{rng.choice(DOMAINS[lang])}"


# ---------------------------------------------------------------- dates

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
}


def format_date(lang, y, m, day, style):
    mn = MONTHS[lang][m - 1]
    if style == "numeric":
        if lang == "de":
            return rng.choice([f"{day:02d}.{m:02d}.{y}", f"{day:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{day:02d}"])
        if lang == "en":
            return rng.choice([f"{day:02d}/{m:02d}/{y}", f"{m:02d}/{day:02d}/{y}", f"{y}-{m:02d}-{day:02d}"])
        return rng.choice([f"{day:02d}/{m:02d}/{y}", f"{day:02d}/{m:02d}/{y}", f"{day:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{day:02d}"])
    if lang == "en":
        return rng.choice([f"{day} {mn} {y}", f"{mn} {day}, {y}"])
    if lang == "fr":
        return f"{day} {mn} {y}"
    if lang == "de":
        return f"{day}. {mn} {y}"
    return f"{day} de {mn} de {y}"


def dob(lang, style=None):
    return format_date(lang, rng.randint(1941, 2006), rng.randint(1, 12), rng.randint(1, 28), style or rng.choice(["numeric", "text"]))


def other_date(lang):
    return format_date(lang, rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28), rng.choice(["numeric", "numeric", "text"]))


# ---------------------------------------------------------------- street addresses

def street_en():
    num = str(rng.randint(1, 2999)) + (rng.choice("AB") if rng.random() < 0.1 else "")
    name = rng.choice(["Baker", "Elm", "Oak", "Maple", "Pennsylvania", "Church", "High", "Park", "Washington", "King",
                       "Victoria", "Mill", "Station", "Cedar", "Willow", "Lakeview", "Sunset", "Mission", "Market", "Hawthorne"])
    kind = rng.choice(["Street", "St.", "St", "Avenue", "Ave", "Road", "Rd.", "Lane", "Drive", "Boulevard", "Blvd", "Way", "Court", "Place"])
    suffix = " " + rng.choice(["NW", "NE", "SE", "SW"]) if rng.random() < 0.12 else ""
    return f"{num} {name} {kind}{suffix}"


def street_fr():
    num = str(rng.randint(1, 180)) + (" " + rng.choice(["bis", "ter"]) if rng.random() < 0.15 else "")
    kind = rng.choice(["rue", "rue", "avenue", "boulevard", "place", "impasse", "allée", "quai", "chemin"])
    name = rng.choice(["de la Paix", "Victor Hugo", "Saint-Michel", "des Lilas", "du Général Leclerc", "Jean Jaurès",
                       "de la République", "Gambetta", "des Écoles", "du Port", "Pasteur", "des Tilleuls"])
    sep = ", " if rng.random() < 0.15 else " "
    return f"{num}{sep}{kind} {name}"


def street_de():
    name = rng.choice(["Hauptstraße", "Berliner Str.", "Goethestraße", "Lindenweg", "Bahnhofstr.", "Schillerplatz", "Am Marktplatz",
                       "Mühlenweg", "Kaiser-Wilhelm-Ring", "Friedrichstraße", "Gartenstraße", "Im Wiesengrund", "Rosenstr.", "An der Alster"])
    num = str(rng.randint(1, 140)) + (rng.choice("abc") if rng.random() < 0.15 else "")
    return f"{name} {num}"


def street_es():
    num = str(rng.randint(1, 220))
    form = rng.random()
    name = rng.choice(["Mayor", "Alcalá", "de Toledo", "Gran Vía", "del Carmen", "de Serrano", "San Vicente", "Real", "de la Princesa"])
    if form < 0.35:
        return f"Calle {name} {num}"
    if form < 0.6:
        return f"C/ {name}, {num}"
    big = rng.choice(["de la Constitución", "de América", "Diagonal", "de Andalucía", "del Puerto"])
    return rng.choice([f"Avenida {big} {num}", f"Avda. {big}, {num}", f"Paseo de Gracia {num}", f"Plaza Mayor {num}"])


STREETS = {"en": street_en, "fr": street_fr, "de": street_de, "es": street_es}


def city_line(lang):
    if lang == "en":
        return rng.choice([
            f"{rng.choice(['Austin, TX', 'Portland, OR', 'Columbus, OH', 'Denver, CO', 'Raleigh, NC'])} {d(5)}",
            f"{rng.choice(['Manchester M1', 'Leeds LS1', 'Bristol BS1', 'London SW1A'])} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('ABDEFGHJ')}",
        ])
    if lang == "fr":
        dep, city = rng.choice([("75", "Paris"), ("69", "Lyon"), ("13", "Marseille"), ("33", "Bordeaux"), ("31", "Toulouse"), ("44", "Nantes")])
        return f"{dep}0{rng.randint(1, 20):02d} {city}"
    if lang == "de":
        pre, city = rng.choice([("10", "Berlin"), ("20", "Hamburg"), ("80", "München"), ("50", "Köln"), ("04", "Leipzig"), ("60", "Frankfurt am Main")])
        return f"{pre}{d(3)} {city}"
    pre, city = rng.choice([("28", "Madrid"), ("08", "Barcelona"), ("41", "Sevilla"), ("46", "Valencia"), ("48", "Bilbao")])
    return f"{pre}0{rng.randint(1, 50):02d} {city}"


# ---------------------------------------------------------------- non-PII look-alikes

def track_no():
    while True:
        kind = rng.choice(["ups", "dhl", "sscc", "postnl", "colissimo", "gls"])
        if kind == "ups":
            v = "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(6)) + d(10)
        elif kind == "dhl":
            v = "JD01" + d(14)
        elif kind == "sscc":
            v = "00" + d(18)
        elif kind == "postnl":
            v = "3S" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + d(9)
        elif kind == "colissimo":
            v = rng.choice(["6A", "8R", "5Y"]) + d(11)
        else:
            v = d(11, True) + rng.choice("0123456789")  # 12-digit GLS parcel number
        return v


def ean():
    while True:
        body = rng.choice(["400", "401", "300", "840", "871", "500"]) + d(9)
        s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
        v = body + str((10 - s % 10) % 10)
        if not luhn_ok(v):  # keep it unambiguous for card detectors
            return v


def isbn():
    while True:
        body = rng.choice(["978-3-", "978-2-", "978-84-", "978-1-"])
        pub = d(rng.choice([2, 3, 4]), True)
        title = d(12 - len(body.replace("-", "")) - len(pub))
        digits_ = (body + pub + title).replace("-", "")
        s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits_))
        check = (10 - s % 10) % 10
        v = f"{body}{pub}-{title}-{check}"
        if not luhn_ok(v.replace("-", "")):
            return v


def price(lang):
    amount = rng.choice([rng.randint(5, 99) + rng.choice([0, 0.5, 0.99, 0.49]), rng.randint(100, 4999) + rng.choice([0, 0.9, 0.5])])
    whole, cents = int(amount), int(round((amount - int(amount)) * 100))
    if lang == "en":
        w = f"{whole:,}"
        return rng.choice([f"${w}.{cents:02d}", f"€{w}.{cents:02d}", f"£{w}.{cents:02d}", f"USD {w}.{cents:02d}"])
    w = f"{whole:,}".replace(",", ".") if lang != "fr" else f"{whole:,}".replace(",", "\u202f" if rng.random() < 0.3 else " ")
    return rng.choice([f"{w},{cents:02d} €", f"{w},{cents:02d} €", f"{w},{cents:02d} EUR"])


def order_no(lang):
    return rng.choice([
        lambda: f"#{rng.choice(['NL', 'DE', 'FR', 'ES', 'UK', 'US'])}-{d(5, True)}",
        lambda: d(9, True),
        lambda: f"{d(4, True)}-{d(4)}",
        lambda: f"A-{rng.randint(2023, 2025)}-{d(5)}",
        lambda: f"WEB{d(8, True)}",
        lambda: f"#{d(6, True)}",
    ])()


def version():
    return rng.choice([f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
                       f"{rng.randint(1, 5)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}",
                       f"v{rng.randint(1, 3)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}-rc.{rng.randint(1, 4)}"])


def hexs(n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def ts():
    return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{d(3)}Z"


def clf_ts():
    return f"{rng.randint(1, 28):02d}/{rng.choice(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun'])}/2025:{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} +0000"


def time_(lang, seconds=False):
    h, m = rng.randint(7, 20), rng.choice([0, 5, 15, 30, 45, rng.randint(0, 59)])
    if seconds:
        return f"{h:02d}:{m:02d}:{rng.randint(0, 59):02d}"
    if lang == "en" and rng.random() < 0.3:
        return f"{(h - 1) % 12 + 1}:{m:02d} {'am' if h < 12 else 'pm'}"
    return f"{h:02d}:{m:02d}" if lang != "fr" or rng.random() < 0.5 else f"{h}h{m:02d}"


def port():
    return str(rng.choice([8080, 8443, 3000, 5432, 6379, 9090, 443, 8000, 11434]))


# ---------------------------------------------------------------- templates
# {SLOT} is a generated value; [[a|b|c]] picks one literal variant. Slots that are PII become spans.
# Main person: PERSON, FIRST, LAST (and *_F / *_M to force gender), EMAIL is derived from it most of the time.
# Second person: PERSON2, FIRST2, LAST2, EMAIL2.

EN_POS = [
    "Hi,\n\nI can't log into my account anymore. The email on file is {EMAIL} and my phone is {PHONE_US}. Can someone call me back?\n\n[[Thanks|Thank you|Cheers]],\n{PERSON}",
    "Dear {PERSON},\n\nThank you for contacting us. We have updated the billing address on your account to {STREET_EN}, {CITYLINE}. If this is not correct, simply reply to this email.\n\nKind regards,\nSupport Team",
    "name: {PERSON}\nemail: {EMAIL}\nphone: {PHONE}\ndob: {DOB_NUM}\naddress: {STREET_EN}, {CITYLINE}\nmessage: pls cancel my subscription, order {ORDER}",
    "Customer called re: double charge on card {CARD}. Verified identity with SSN {SSN} and DOB {DOB_NUM}. Refund of {PRICE} issued, case {CASE}.",
    "{TS} WARN auth-service: 5 failed logins for user={EMAIL} from {IP4} (request_id={REQID})",
    "{TS} INFO gateway: upstream connect {IP6_BRACKET} ok, client {IP4_PORT}, latency {N}ms",
    "Hello, my name is {PERSON} and I was born on {DOB_TEXT}. I need to update the SSN on my account, it should be {SSN}, not the one you have.",
    "Please wire the refund to IBAN {IBAN} (account holder: {PERSON}). Reference {INV}.",
    "hey its {FIRST} again. new number is {PHONE_UK}, the old phone got stolen. also i moved to {STREET_EN}, {CITYLINE} so pls update",
    "Chat transcript\n[{TIME}] Visitor: hi my card got declined\n[{TIME}] Agent: Sorry to hear that! Could you confirm the last 4 digits?\n[{TIME}] Visitor: the full number is {CARD_GROUPED}, exp 09/27\n[{TIME}] Agent: Please never share full card numbers in chat. I have masked it in our system.",
    "Dear Dr. {LAST},\n\nyour appointment on {DATE} at {TIME} is confirmed. Please bring a photo ID. The date of birth we have on file is {DOB}; if this is wrong, call us at {PHONE_US}.\n\nBest,\nFront Desk",
    "Form submission #{N}\nFirst name: {FIRST}\nLast name: {LAST}\nE-mail: {EMAIL}\nSSN (last step of KYC): {SSN}\nConsent: yes",
    "Security team: please block {IP4} and {IP6}, they've been hammering /api/v1/login since {TIME}. Ticket {CASE}.",
    "To whom it may concern,\n\nI, {PERSON}, born {DOB_TEXT}, authorise my daughter to collect parcel {TRACK} on my behalf. She can be reached at {PHONE}.\n\nSincerely,\n{PERSON}",
    "Mrs. {LAST_F} called to say the parcel for {STREET_EN} was left at the wrong door. Call back on {PHONE}.",
    "Payment failed for {EMAIL}: card {CARD} declined (insufficient funds). Retry scheduled for {DATE}.",
    "HR onboarding: new hire {PERSON}, SSN {SSN}, date of birth {DOB_NUM}, home address {STREET_EN}, {CITYLINE}. Payroll IBAN {IBAN}.",
    "Hi Support,\n\nI ordered item {SKU} on {DATE} (order {ORDER}) but it never arrived. Tracking says it was delivered to {STREET_EN}, but I live at {STREET_EN}. Please sort this out.\n\nRegards,\n{PERSON}\n{PHONE}",
    "my ssn is {SSN} and my birthday is {DOB_TEXT}, what else do u need?? i already sent my id twice",
    "Hi {FIRST},\n\nthanks for the quick call today. As discussed, I've attached the contract. Please send the signed copy to {EMAIL2}.\n\nCheers,\n{PERSON2}",
    "Can you change my contact email from {EMAIL} to {EMAIL}? I don't use the old one anymore. Thx",
    "CRM note: spoke with {PERSON} ({PHONE_INTL}), interested in the enterprise plan, 40 seats. Follow up on {DATE}. Lives near our Main Street branch.",
    "Access log excerpt:\n{IP4} - - [{CLF}] \"GET /account/settings HTTP/1.1\" 200 5123\n{IP4} - - [{CLF}] \"POST /login HTTP/1.1\" 401 312\n{IP6} - - [{CLF}] \"GET /health HTTP/1.1\" 200 2",
    "Hi team, please update our payout account to {IBAN_SPACED}. The old one ({IBAN}) was closed last month.\n\nThanks,\n{PERSON}",
    "I'm writing on behalf of my mother, Mrs. {LAST_F}, date of birth {DOB}. She doesn't use email so please call her landline {PHONE_UK} instead.",
    "Refund request\nName: {PERSON}\nCard used: {CARD}\nAmount: {PRICE}\nReason: charged twice on {DATE}",
    "Fraud alert on case {CASE}: transaction from {IP4} using card {CARD_GROUPED}; billing address {STREET_EN} did not match the shipping address on file.",
    "Ship to:\n{PERSON}\n{STREET_EN}\n{CITYLINE}\nTel: {PHONE_US}\nOrder {ORDER} - {N} items",
    "Yo, need my tax forms resent. SSN {SSN}. send them to {EMAIL} not the old adress",
    "Good morning,\n\nMy name is {PERSON}. I was charged {PRICE} for an order I cancelled ({ORDER}). The charge appeared on my card {CARD} on {DATE}. I've called {PHONE_US} three times and nobody picks up.\n\nI'd like a full refund within 14 days, otherwise I will dispute the charge with my bank.\n\nRegards,\n{PERSON}",
    "{TS} ERROR payment-svc: issuer declined pan={CARD_PLAIN} customer={EMAIL} ip={IP4}",
    "Hi {FIRST}, your verification code was sent to {PHONE}. If you didn't request it, please contact us right away.",
    "Dear Mr. {LAST_M},\n\nwe could not verify your identity. The SSN you entered ({SSN}) does not match the date of birth ({DOB}) we have on file. Please call {PHONE_US} between 9 and 5.\n\nSincerely,\nVerification Team",
    "Bank details for the refund: {PERSON}, {IBAN}, BIC {BIC}. Please confirm once done.",
    "Please send the replacement to {STREET_EN}, {CITYLINE} instead of my office.\n\nThx,\n{FIRST}",
    "Hello,\n\nI'm following up on case {CASE}. Last week I moved from {STREET_EN} to {STREET_EN}, {CITYLINE}, and updated my address online, but your system still sends invoices to the old place. Invoice {INV} was delivered to the previous tenant, who opened it!\n\nThe invoice shows my full name, my phone number ({PHONE}) and my email {EMAIL}. I'm not happy about this.\n\nPlease confirm once the address is fixed.\n\nBest regards,\n{PERSON}",
    "Customer record | DOB: {DOB_NUM} | SSN: {SSN} | Phone: {PHONE_US} | Email: {EMAIL} | Tier: gold",
    "this is {PERSON} from the demo yesterday, text me at {PHONE_US} when the quote is ready :)",
    "Please add {PERSON2} ({EMAIL2}) as a second admin on our workspace. Direct line: {PHONE}.",
    "International order: deliver to {STREET_FR}, {CITYLINE_FR}. The customer, {PERSON}, speaks English; call {PHONE_FR} before delivery.",
    "Birthday is {DOB_TEXT} but your signup form keeps saying I'm under 18?? My email is {EMAIL}.",
    "Patient intake: {PERSON}, born on {DOB}, address {STREET_EN}, {CITYLINE}, emergency contact {PHONE}.",
    "Incident {CASE}: login for {EMAIL} from {IP6} and then {IP4} within 2 minutes. Account locked, user notified at {PHONE_INTL}.",
    "Hi there, my name is {PERSON}, SSN {SSN}. I got a letter saying my card {CARD} was used in another state. I live at {STREET_EN} and never went there!",
    "Direct debit mandate\nDebtor: {PERSON}\nIBAN: {IBAN}\nAddress: {STREET_EN}, {CITYLINE}\nSigned on {DATE}",
    "W-9 update for {PERSON}: SSN {SSN}, born {DOB_NUM}. Mail the forms to {STREET_EN}, {CITYLINE}.",
    "Saved payment methods for {EMAIL}: {CARD} (default) and {CARD} (expired). Customer asked us to delete both.",
    "Delivery note: our German warehouse is at {STREET_DE}, {CITYLINE_DE}. Contact {PERSON2} on {PHONE_DE} for pickup slots.",
]

EN_NEG = [
    "Dear Customer,\n\nyour order {ORDER} has shipped and will be delivered on {DATE}. You can track it with {TRACK}.\n\nBest regards,\nSupport Team",
    "Hello Team,\n\nrelease {VER} went out at {TIME}. Build hash {HASH}. Please report regressions in the #release channel.\n\nThanks,\nRelease Management",
    "{TS} INFO api: GET /v2/orders/{ORDERNUM} 200 in {N}ms request_id={REQID}\n{TS} WARN api: retrying upstream on port {PORT} (attempt 2/3)\n{TS} ERROR api: timeout after {N}ms request_id={REQID}",
    "Invoice {INV}\nInvoice date: {DATE}\nDue date: {DATE}\nTotal: {PRICE}\nVAT 20%: {PRICE}",
    "Card number {BADCARD} was rejected by the validator. Looks like a typo in the test fixture: it fails the checksum.",
    "The IBAN column in the import file contains {BADIBAN}, which fails the mod-97 check, so row {N} was skipped.",
    "Book order: ISBN {ISBN}, qty 3, unit price {PRICE}, order {ORDER}.",
    "Our Main Street branch is closed on {DATE} for inventory. The Paris office stays open from {TIME} to {TIME}.",
    "She's a born leader and the whole team loves working with her. Recommend for the Q3 promotion cycle; review meeting on {DATE} at {TIME}, HR case {CASE}.",
    "Firmware 10.2.0.1 build {N} fails on iOS 17.4.1, see crash log:\nThread 0 Crashed:\n0   libswiftCore.dylib   0x00000001{HEX8} swift_retain + 12\n1   App                  0x0000000100{HEX6} OrderListViewController.reload() + 412",
    "SKU {SKU} (EAN {EAN}) is out of stock at the warehouse. Restock ETA {DATE}, purchase order {INV}.",
    "Case {CASE}: customer reports the app shows 'Session expired' after {N} minutes. App version {VER}, reproduced on staging at {TIME_S}.",
    "Re: parcel {TRACK}\nThe carrier scanned it at {TIME} on {DATE} at the regional hub. Next update expected within 24h.",
    "Price change notice: the Pro plan goes from {PRICE} to {PRICE} per month starting {DATE}. Existing annual contracts are not affected.",
    "Thanks for reaching out! We've escalated ticket {CASE} to the billing team and will get back to you within 2 business days.\n\nKind regards,\nCustomer Care",
    "Test data only: card {BADCARD} (invalid checksum) and IBAN {BADIBAN} (wrong check digits). Do not use in production.",
    "Can you check why order {ORDERNUM} was charged {PRICE} instead of {PRICE}? The discount code SPRING25 should have applied.",
    "Deploy log:\n[{TIME_S}] pulling image registry.internal/gatehouse:{VER}\n[{TIME_S}] digest sha256:{HASH64}\n[{TIME_S}] listening on :{PORT}\n[{TIME_S}] healthcheck ok",
    "Dear Sir or Madam,\n\nplease find attached the delivery note for shipment {TRACK}, delivered on {DATE} at {TIME}.\n\nYours faithfully,\nAccounts Payable",
    "Meeting moved to {TIME} in the Berlin office. Agenda: Q3 numbers, the invoice backlog ({INV} to {INV}) and the Main Street branch refit.",
    "Reference numbers for the audit: case {CASE}, invoice {INV}, order {ORDERNUM}. Totals reconcile to {PRICE}.",
    "Order {ORDER}: 2x USB-C cable 2m ({SKU}), 1x charger 65W ({SKU}). Subtotal {PRICE}, shipping {PRICE}, delivery on {DATE}.",
]

FR_POS = [
    "Bonjour,\n\nje m'appelle {PERSON} et je n'arrive plus à me connecter. Mon adresse e-mail est {EMAIL} et mon numéro {PHONE_FR}.\n\nCordialement,\n{PERSON}",
    "Madame, Monsieur,\n\nje vous prie de bien vouloir rembourser la somme de {PRICE} sur mon compte {IBAN}. Commande n° {ORDER}.\n\nBien à vous,\n{PERSON}",
    "Fiche client : Mme {LAST_F}, née le {DOB}, domiciliée {STREET_FR}, {CITYLINE}. Tél. {PHONE_FR}.",
    "Salut, c'est {FIRST}. Ma carte {CARD_GROUPED} a été débitée deux fois pour la commande {ORDER} ! Vous pouvez vérifier svp ?",
    "Bonjour Mme {LAST_F},\n\nnous avons bien reçu votre demande de changement d'adresse. Votre nouvelle adresse : {STREET_FR}, {CITYLINE}.\n\nCordialement,\nLe service client",
    "{TS} WARN auth : tentative de connexion échouée pour {EMAIL} depuis {IP4} (req {REQID})",
    "Formulaire de contact\nNom : {PERSON}\nDate de naissance : {DOB}\nTéléphone : {PHONE}\nMessage : bonjour je voudrais résilier mon abonnement svp",
    "Je suis né le {DOB_TEXT_M} à Lyon, pourquoi votre site me dit que je suis mineur ? Mon identifiant c'est {EMAIL}.",
    "Bonjour,\n\nsuite à notre appel, voici mes coordonnées bancaires pour le prélèvement : IBAN {IBAN_SPACED}, titulaire {PERSON}. J'habite au {STREET_FR}, {CITYLINE}.\n\nMerci d'avance,\n{FIRST}",
    "M. {LAST_M} a appelé au sujet de sa facture {INV}. Le rappeler au {PHONE_FR} ou écrire à {EMAIL}.",
    "Bonjour {FIRST},\n\nvotre colis {TRACK} sera livré le {DATE} au {STREET_FR}. Le livreur vous appellera au {PHONE_FR}.\n\nÀ bientôt,\nL'équipe Livraison",
    "Client américain, dossier {CASE}\nDate de naissance : {DOB_NUM}\nSSN : {SSN}\nAdresse IP de connexion : {IP}",
    "Bonjour,\n\nvoici mon nouveau RIB pour les prochains prélèvements : {IBAN_SPACED}. L'ancien compte ({IBAN}) est clôturé.\n\nMerci,\n{PERSON}",
    "Bonjour, je m'appelle {PERSON}, ma carte {CARD} a été refusée alors que j'ai du solde. Je me connecte depuis {IP4}. Merci de m'aider.",
]

FR_NEG = [
    "Bonjour,\n\nvotre commande {ORDER} a été expédiée. Numéro de suivi : {TRACK}. Livraison prévue le {DATE} entre {TIME} et {TIME}.\n\nCordialement,\nLe service client",
    "Facture {INV} du {DATE} : montant total {PRICE} TTC, échéance le {DATE}.",
    "Cher client, chère cliente,\n\nla mise à jour {VER} de l'application est disponible. Elle corrige le bug de synchronisation signalé dans le ticket {CASE}.\n\nL'équipe Support",
    "Le bureau de Paris sera fermé le {DATE}. L'agence de la rue principale reste ouverte de {TIME} à {TIME}.",
    "Le numéro de carte {BADCARD} saisi est invalide (clé de contrôle incorrecte). Merci de vérifier votre saisie.",
    "Réf. article {SKU}, code EAN {EAN}, prix unitaire {PRICE}, stock : {N} unités.",
    "C'est un leader né, toute l'équipe le suit. Réunion de lancement le {DATE} à {TIME}, salle {N}.",
]

DE_POS = [
    "Hallo,\n\nich heiße {PERSON} und habe mein Passwort vergessen. Meine E-Mail-Adresse ist {EMAIL}, Handy {PHONE_DE}.\n\nMit freundlichen Grüßen\n{PERSON}",
    "Sehr geehrte Frau {LAST_F},\n\nvielen Dank für Ihre Nachricht. Wir haben Ihre Anschrift auf {STREET_DE}, {CITYLINE} geändert.\n\nMit freundlichen Grüßen\nIhr Kundenservice",
    "Kundendaten: Herr {LAST_M}, geb. {DOB}, {STREET_DE}, {CITYLINE}, Tel. {PHONE_DE}",
    "Bitte überweisen Sie die Erstattung auf mein Konto: IBAN {IBAN}, Kontoinhaber {PERSON}. Bestellnummer {ORDER}.",
    "Geburtsdatum: {DOB}\nE-Mail: {EMAIL}\nTelefon: {PHONE}\nNachricht: Ich möchte meinen Vertrag zum {DATE} kündigen.",
    "{TS} ERROR login: zu viele Fehlversuche für {EMAIL} von {IP6}",
    "Hi {FIRST},\n\nkurze Info: die Kreditkarte {CARD} wurde abgelehnt. Kannst du bitte eine andere hinterlegen?\n\nLG\n{FIRST2}",
    "Geboren am {DOB_TEXT}, steht so auch im Ausweis. Ihr Formular zeigt aber ein anderes Datum an, bitte korrigieren. Meine Kundennummer: {ORDERNUM}",
    "Sehr geehrter Herr Dr. {LAST_M},\n\nIhr Termin am {DATE} um {TIME} Uhr ist bestätigt. Bei Rückfragen erreichen Sie uns unter {PHONE_DE}.\n\nFreundliche Grüße\nIhr Praxis-Team",
    "Lieferadresse: {STREET_DE}, {CITYLINE}\nEmpfänger: {PERSON}\nRückfragen: {PHONE_INTL}",
    "Guten Tag,\n\nseit gestern kann ich mich nicht mehr einloggen, die Fehlermeldung nennt die IP {IP4}. Mein Konto läuft auf {EMAIL}.\n\nViele Grüße\n{PERSON}",
    "Gesprächsnotiz: Frau {LAST_F} (Geburtsdatum {DOB}) möchte die Lastschrift von {IBAN_SPACED} auf ein neues Konto umstellen. Rückruf unter {PHONE_DE}.",
    "SEPA-Lastschriftmandat\nKontoinhaber: {PERSON}\nIBAN: {IBAN}\nAnschrift: {STREET_DE}, {CITYLINE}\nDatum: {DATE}",
    "Moin, hier ist {FIRST}. Meine Karte {CARD_GROUPED} wurde bei Bestellung {ORDER} doppelt belastet, meine Sozialversicherungsnummer aus den USA ({SSN}) brauchen Sie hoffentlich nicht?",
]

DE_NEG = [
    "Sehr geehrte Kundin, sehr geehrter Kunde,\n\nIhre Bestellung {ORDER} wurde versandt. Sendungsnummer: {TRACK}. Voraussichtliche Zustellung am {DATE}.\n\nMit freundlichen Grüßen\nIhr Kundenservice",
    "Rechnung {INV} vom {DATE}, Gesamtbetrag {PRICE}, zahlbar bis {DATE}. Bestellnummer {ORDER}.",
    "Die Kartennummer {BADCARD} ist ungültig (Prüfziffer falsch). Bitte prüfen Sie Ihre Eingabe.",
    "Hallo Team,\n\nVersion {VER} ist seit {TIME_S} live. Bekannte Probleme siehe Ticket {CASE}.\n\nViele Grüße\nRelease-Team",
    "Die Filiale in der Hauptstraße bleibt am {DATE} geschlossen; unser Büro in München ist von {TIME} bis {TIME} Uhr erreichbar.",
    "Artikel {SKU}, EAN {EAN}, Preis {PRICE}, Lagerbestand {N} Stück. Handbuch: ISBN {ISBN}.",
    "Die IBAN {BADIBAN} aus der Importdatei hat eine falsche Prüfsumme; Zeile {N} wurde übersprungen.",
]

ES_POS = [
    "Hola,\n\nme llamo {PERSON} y no puedo acceder a mi cuenta. Mi correo es {EMAIL} y mi teléfono {PHONE_ES}.\n\nUn saludo,\n{PERSON}",
    "Estimada Sra. {LAST_F}:\n\nhemos actualizado su dirección a {STREET_ES}, {CITYLINE}. Si no es correcta, responda a este correo.\n\nAtentamente,\nAtención al cliente",
    "Datos del cliente: Sr. {LAST_M}, fecha de nacimiento {DOB}, tel. {PHONE_ES}, correo {EMAIL}.",
    "Por favor, devuelvan el importe a mi cuenta {IBAN}. Titular: {PERSON}. Pedido {ORDER}.",
    "Soy {PERSON_F}, nacida el {DOB_TEXT}, y quiero actualizar mis datos porque me he mudado a {STREET_ES}.",
    "{TS} WARN auth: intento de acceso fallido para {EMAIL} desde {IP4}",
    "Hola {FIRST}, te escribo porque me cobraron dos veces en la tarjeta {CARD_GROUPED}. ¿Me podéis ayudar?\n\nGracias,\n{FIRST2}",
    "Formulario web\nNombre: {PERSON}\nFecha de nacimiento: {DOB}\nDirección: {STREET_ES}, {CITYLINE}\nTeléfono: {PHONE}",
    "Buenas tardes,\n\nel paquete debía llegar a {STREET_ES} pero lo dejaron en otro portal. Mi móvil es {PHONE_ES}, llámenme por favor.\n\nSaludos,\n{PERSON}",
    "Nota CRM: el Sr. {LAST_M} (nacido el {DOB}) solicita cambiar la domiciliación a la cuenta {IBAN_SPACED}.",
    "Cliente de EE. UU.: {PERSON}, SSN {SSN}, tarjeta {CARD}. Verificado por teléfono en el {PHONE_US}.",
    "Hola, soy {FIRST}. Os escribo desde la IP {IP6} porque la web me bloquea. Mi email: {EMAIL}",
    "Mandato SEPA\nTitular: {PERSON}\nIBAN: {IBAN}\nDomicilio: {STREET_ES}, {CITYLINE}\nFecha de firma: {DATE}",
    "Buenos días, me llamo {PERSON}. Mi número de la seguridad social de EE. UU. es {SSN} y necesito el certificado. Pueden llamarme al {PHONE_ES}.",
]

ES_NEG = [
    "Estimado cliente:\n\nsu pedido {ORDER} ha sido enviado. Número de seguimiento: {TRACK}. Entrega prevista el {DATE}.\n\nAtentamente,\nEl equipo de soporte",
    "Factura {INV} con fecha {DATE}. Importe total: {PRICE} IVA incluido.",
    "El número de tarjeta {BADCARD} no es válido (falla el dígito de control).",
    "Hola equipo,\n\nla versión {VER} ya está en producción desde las {TIME}. Incidencias en el ticket {CASE}.\n\nSaludos,\nEquipo de Sistemas",
    "La oficina de Madrid cierra el {DATE}; la sucursal de la Calle Mayor abre de {TIME} a {TIME}.",
    "Referencia {SKU}, EAN {EAN}, precio {PRICE}, unidades en stock: {N}.",
    "La campaña 'Nacido para correr' empieza el {DATE}. Pedido mínimo {PRICE}, código {ORDER}.",
]

TEMPLATES = {
    "en": (EN_POS, EN_NEG), "fr": (FR_POS, FR_NEG), "de": (DE_POS, DE_NEG), "es": (ES_POS, ES_NEG),
}


# ---------------------------------------------------------------- rendering

TOKEN = re.compile(r"\{([A-Z][A-Z0-9_]*)\}|\[\[(.*?)\]\]", re.S)


def slot_segments(slot, lang, ctx):
    """Returns a list of (text, type or None) for one slot."""
    gender = None
    base = slot
    if slot.endswith("_F") or slot.endswith("_M"):
        base = slot[:-2]
    p1, p2 = ctx["p1"], ctx["p2"]
    if base == "PERSON":
        return [(f"{p1['first']} {p1['last']}", "PERSON")]
    if base == "FIRST":
        return [(p1["first"], "PERSON")]
    if base == "LAST":
        return [(p1["last"], "PERSON")]
    if base == "PERSON2":
        return [(f"{p2['first']} {p2['last']}", "PERSON")]
    if base == "FIRST2":
        return [(p2["first"], "PERSON")]
    if base == "EMAIL":
        ctx["emails"] += 1
        if ctx["emails"] == 1 and rng.random() < 0.7:
            return [(email_for(p1, lang), "EMAIL")]
        return [(email_random(lang) if rng.random() < 0.5 else email_for(p1, lang), "EMAIL")]
    if base == "EMAIL2":
        return [(email_for(p2, lang), "EMAIL")]
    if base == "PHONE":
        return [(phone_for_lang(lang), "PHONE")]
    if base == "PHONE_INTL":
        return [(phone_intl(), "PHONE")]
    if base.startswith("PHONE_"):
        country = base[6:].lower()
        return [(PHONE_BY_COUNTRY[country](rng.random() < 0.15), "PHONE")]
    if base == "CARD":
        return [(card(), "CREDIT_CARD")]
    if base == "CARD_GROUPED":
        return [(card(rng.choice(["space", "dash"])), "CREDIT_CARD")]
    if base == "CARD_PLAIN":
        return [(card("plain"), "CREDIT_CARD")]
    if base == "IBAN":
        return [(iban(), "IBAN")]
    if base == "IBAN_SPACED":
        return [(iban(style="spaced"), "IBAN")]
    if base == "SSN":
        return [(ssn(), "US_SSN")]
    if base == "IP4":
        return [(ipv4(), "IP_ADDRESS")]
    if base == "IP6":
        return [(ipv6(), "IP_ADDRESS")]
    if base == "IP":
        return [(ipv4() if rng.random() < 0.5 else ipv6(), "IP_ADDRESS")]
    if base == "IP4_PORT":
        return [(ipv4(), "IP_ADDRESS"), (":" + port(), None)]
    if base == "IP6_BRACKET":
        return [("[", None), (ipv6(), "IP_ADDRESS"), ("]:" + port(), None)]
    if base == "DOB":
        return [(dob(lang), "DATE_OF_BIRTH")]
    if base == "DOB_NUM":
        return [(dob(lang, "numeric"), "DATE_OF_BIRTH")]
    if base == "DOB_TEXT":
        return [(dob(lang, "text"), "DATE_OF_BIRTH")]
    if base.startswith("STREET_"):
        return [(STREETS[base[7:].lower()](), "STREET_ADDRESS")]
    # non-PII look-alikes
    if base == "CITYLINE":
        return [(city_line(lang), None)]
    if base.startswith("CITYLINE_"):
        return [(city_line(base[9:].lower()), None)]
    simple = {
        "ORDER": lambda: order_no(lang), "ORDERNUM": lambda: d(rng.choice([9, 10, 11]), True), "TRACK": track_no,
        "BADCARD": bad_card, "BADIBAN": bad_iban, "ISBN": isbn, "PRICE": lambda: price(lang), "TIME": lambda: time_(lang),
        "TIME_S": lambda: time_(lang, True), "DATE": lambda: other_date(lang), "VER": version,
        "SKU": lambda: f"{rng.choice(['KT', 'HX', 'PL', 'ZB'])}-{d(4, True)}-{rng.choice(['BLU', 'BLK', 'RED', 'XL', 'M'])}",
        "EAN": ean, "REQID": lambda: f"{hexs(8)}-{hexs(4)}-{hexs(4)}-{hexs(4)}-{hexs(12)}", "HASH": lambda: hexs(40),
        "HASH64": lambda: hexs(64), "HEX8": lambda: hexs(8), "HEX6": lambda: hexs(6), "PORT": port,
        "INV": lambda: f"INV-{rng.randint(2023, 2025)}-{d(6)}", "CASE": lambda: rng.choice([d(7, True), f"CS-{d(6, True)}", f"#{d(7, True)}"]),
        "N": lambda: str(rng.randint(2, 950)), "TS": ts, "CLF": clf_ts,
        "BIC": lambda: rng.choice(["DEUTDEFF", "BNPAFRPP", "CAIXESBB", "INGBNL2A", "NWBKGB2L", "UNCRITMM"]),
    }
    if base in simple:
        return [(simple[base](), None)]
    raise KeyError(slot)


def render(template, lang):
    forced = "F" if re.search(r"\{[A-Z_]+_F\}", template) else "M" if re.search(r"\{[A-Z_]+_M\}", template) else None
    p1 = pick_person(lang, forced)
    while True:
        p2 = pick_person(lang)
        if p2["first"] != p1["first"]:
            break
    ctx = {"p1": p1, "p2": p2, "emails": 0}
    text, spans, pos = "", [], 0
    for m in TOKEN.finditer(template):
        text += template[pos:m.start()]
        pos = m.end()
        if m.group(2) is not None:
            text += rng.choice(m.group(2).split("|"))
            continue
        for value, kind in slot_segments(m.group(1), lang, ctx):
            start = len(text)
            text += value
            if kind:
                spans.append({"start": start, "end": len(text), "type": kind})
                assert text[start:len(text)] == value
    text += template[pos:]
    for s in spans:
        assert s["type"] in TYPES and text[s["start"]:s["end"]] == text[s["start"]:s["end"]].strip() and s["end"] > s["start"]
    return text, spans


# ---------------------------------------------------------------- sanity checks on look-alikes

CARD_CANDIDATE = re.compile(r"(?<![\w-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{4,5})(?![\w-])")
IBAN_CANDIDATE = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30})")
SSN_CANDIDATE = re.compile(r"(?<![\d-])\d{3}[- ]\d{2}[- ]\d{4}(?![\d-])")


def overlaps(a, b, spans):
    return any(a < s["end"] and s["start"] < b for s in spans)


def check_unlabelled(text, spans):
    """No Luhn-valid card-length number, valid IBAN, SSN-shaped string or e-mail outside the labelled spans."""
    for m in CARD_CANDIDATE.finditer(text):
        number = re.sub(r"\D", "", m.group())
        if 13 <= len(number) <= 19 and luhn_ok(number) and not overlaps(m.start(), m.end(), spans):
            raise AssertionError(f"unlabelled Luhn-valid number {m.group()!r} in {text!r}")
    for m in IBAN_CANDIDATE.finditer(text):
        compact = m.group(1).replace(" ", "")
        country = compact[:2]
        if country in IBAN_LENGTHS and len(compact) >= IBAN_LENGTHS[country]:
            if iban_valid(compact[:IBAN_LENGTHS[country]]) and not overlaps(m.start(), m.end(), spans):
                raise AssertionError(f"unlabelled valid IBAN in {text!r}")
    for m in SSN_CANDIDATE.finditer(text):
        if not overlaps(m.start(), m.end(), spans):
            raise AssertionError(f"unlabelled SSN-shaped string {m.group()!r} in {text!r}")
    for m in re.finditer(r"\S+@\S+", text):
        if not overlaps(m.start(), m.end(), spans):
            raise AssertionError(f"unlabelled e-mail {m.group()!r} in {text!r}")


# ---------------------------------------------------------------- build, split, write

def build():
    templates = []  # (template id, lang, negative, template text)
    for lang in LANGS:
        pos, neg = TEMPLATES[lang]
        for i, t in enumerate(pos):
            templates.append((f"{lang}-pos-{i:02d}", lang, False, t))
        for i, t in enumerate(neg):
            templates.append((f"{lang}-neg-{i:02d}", lang, True, t))
    rendered = {}
    seen = set()
    for tid, lang, negative, t in templates:
        rows = []
        while len(rows) < RENDERS:
            text, spans = render(t, lang)
            if text in seen:
                continue
            seen.add(text)
            if negative:
                assert not spans, (tid, text)
            else:
                assert spans, (tid, text)
            check_unlabelled(text, spans)
            rows.append({"text": text, "spans": spans, "lang": lang, "hard_negative": negative})
        rendered[tid] = rows
    return templates, rendered


def split_templates(templates, rendered):
    for attempt in range(1000):
        srng = random.Random(SEED * 1000 + attempt)
        test_ids = set()
        for lang in LANGS:
            for negative in (False, True):
                ids = sorted(tid for tid, l, n, _ in templates if l == lang and n == negative)
                srng.shuffle(ids)
                test_ids.update(ids[:round(len(ids) * TEST_FRACTION)])
        counts = {"train": Counter(), "test": Counter()}
        for tid, *_ in templates:
            split = "test" if tid in test_ids else "train"
            for row in rendered[tid]:
                counts[split].update(s["type"] for s in row["spans"])
        if all(counts["test"][t] >= MIN_TEST_SPANS for t in TYPES) and all(counts["train"][t] >= MIN_TEST_SPANS for t in TYPES):
            return test_ids, attempt
    raise AssertionError("no split meets the per-type minimum")


def main():
    templates, rendered = build()
    test_ids, attempt = split_templates(templates, rendered)
    splits = {"train": [], "test": []}
    for tid, *_ in templates:
        splits["test" if tid in test_ids else "train"].extend(rendered[tid])
    OUT.mkdir(parents=True, exist_ok=True)
    number = 0
    report = []
    total_texts = sum(len(v) for v in splits.values())
    total_neg = sum(r["hard_negative"] for v in splits.values() for r in v)
    for split in ("train", "test"):
        rows = splits[split]
        with open(OUT / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                number += 1
                for s in row["spans"]:
                    assert 0 <= s["start"] < s["end"] <= len(row["text"])
                assert row["hard_negative"] == (not row["spans"])
                out = {"id": f"pii-{number:04d}", "text": row["text"], "spans": row["spans"], "lang": row["lang"], "hard_negative": row["hard_negative"]}
                f.write(json.dumps(out, ensure_ascii=False) + "\n")
        types = Counter(s["type"] for r in rows for s in r["spans"])
        langs = Counter(r["lang"] for r in rows)
        negatives = sum(r["hard_negative"] for r in rows)
        n_templates = sum(1 for tid, *_ in templates if (tid in test_ids) == (split == "test"))
        report.append(f"{split}: {len(rows)} texts from {n_templates} templates, {negatives} hard negatives "
                      f"({negatives / len(rows):.0%}); languages " + ", ".join(f"{l} {langs[l]}" for l in LANGS))
        report.append("  spans: " + ", ".join(f"{t} {types[t]}" for t in TYPES) + f" (total {sum(types.values())})")
    report.append(f"all: {total_texts} texts, {total_neg} hard negatives ({total_neg / total_texts:.0%}); split seed attempt {attempt}")
    assert total_texts >= 520 and total_neg >= 130 and total_neg / total_texts >= 0.25
    print("\n".join(report))
    write_readme(report)


def write_readme(report):
    text = f"""# PII guard dataset

Generated by `scripts/dataset/make_pii_dataset.py` (Python 3.11, standard library only, fixed seed {SEED};
re-running it reproduces these files byte for byte).

## Format

`train.jsonl` and `test.jsonl`, one JSON object per line:

```json
{{"id": "pii-0001", "text": "...", "spans": [{{"start": 12, "end": 30, "type": "EMAIL"}}], "lang": "en", "hard_negative": false}}
```

- `start` / `end` are offsets in Unicode code points (Python `str` indices, not UTF-8 or UTF-16 units); `end` is exclusive.
- `lang` is `en`, `fr`, `de` or `es` (about 55% English, 15% each for the others).
- `hard_negative` is true exactly when `spans` is empty: the text contains no PII at all.

## Types

| type | span |
|---|---|
| EMAIL | the address only |
| PHONE | the whole number as written, with leading `+` and inner spaces, dashes, dots, slashes, parentheses; E.164 (+1, +44, +33, +49, +34, +31, +39, +41, +43, +32, +353, +351, +48, +61, +81, +90) and national US, UK, FR, DE, ES, NL formats |
| CREDIT_CARD | Luhn-valid Visa, Mastercard (51-55, 2221-2720), Amex (34/37, 15 digits), Discover (6011); plain or grouped with spaces or dashes |
| IBAN | valid length and mod-97 check digits; DE, FR, ES, NL, GB, IT, BE, CH, AT; compact or in groups of 4 |
| US_SSN | `ddd-dd-dddd` (sometimes spaces) with area not 000/666/900-999, group not 00, serial not 0000 |
| IP_ADDRESS | IPv4 or IPv6 (full or `::`-compressed); the address only, without port or brackets |
| DATE_OF_BIRTH | a date with a birth cue nearby (born on, DOB, date of birth, birthday is, né(e) le, date de naissance, geboren am, Geburtsdatum, geb., fecha de nacimiento, nacido/a el); the date only |
| PERSON | a person's name (first + last, a last name after a title, a first name alone in a salutation or signature); titles (Dr., Mrs., Mr., Herr, Frau, Mme, M., Sr., Sra.) are not part of the span |
| STREET_ADDRESS | house number and street (EN, FR, DE, ES conventions); a following postcode and city are not part of the span |

Every phone number in a text is labelled PHONE, including business lines (a clinic's number), and every IBAN is labelled IBAN,
including a company's payout account.

## How it was made

Hand-written templates (customer e-mails, chat transcripts, web forms, CRM notes, shipping labels, log lines) with slots.
PII slots are filled with values generated in code (Luhn check digits, IBAN mod-97 check digits, SSA ranges for SSNs,
names of many origins) and their spans are recorded while the text is assembled; the script asserts that every span covers
exactly the inserted value. Each template is rendered {RENDERS} times with different values.

Hard negatives are texts without PII that look like PII to a naive detector: order numbers, parcel tracking numbers,
16-digit numbers that fail the Luhn check, IBAN-shaped strings with wrong check digits, ISBNs, EANs, prices, times,
non-birth dates, versions (including the IPv4-shaped `10.2.0.1 build`), SKUs, log lines with timestamps, request ids,
hashes and ports, capitalised non-names (Dear Customer, Support Team, Paris office, Main Street branch) and an innocent
"born" / "né" / "Nacido". The script also checks every text for unlabelled Luhn-valid 13-19 digit numbers, valid IBANs,
SSN-shaped strings and e-mail addresses outside the labelled spans (EANs, ISBNs and tracking numbers that happen to pass
Luhn are redrawn).

## Split

By template: all renderings of a template are in the same split. Within each (language, with/without PII) group, 40% of
the templates (seeded shuffle) go to `test.jsonl`, the rest to `train.jsonl`, so the test split measures phrasings never
seen in training. If a draw left a type with fewer than {MIN_TEST_SPANS} spans in either split, the next seed is used.

## Counts

```
""" + "\n".join(report) + "\n```\n"
    (OUT / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
