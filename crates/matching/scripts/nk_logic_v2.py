#!/usr/bin/env python3
"""Alert rate of OpenSanctions' nomenklatura logic-v2 matcher on the
negative set, against the UN consolidated list, for comparison with
accord-match (`cargo run --release -p accord-match --example eval`).

nomenklatura is not a dependency of the project: run it in a scratch
virtual environment.

    python3 -m venv /work/venv-nk && /work/venv-nk/bin/pip install nomenklatura
    /work/venv-nk/bin/python crates/matching/scripts/nk_logic_v2.py \
        /work/shared/data/un/UN_consolidated_2026-02-27.xml \
        crates/matching/tests/fixtures/negatives/region_people.csv

Each negative becomes a FtM Person (name, birthDate, nationality) and is
compared with logic-v2's default configuration to the UN entries (name,
alias, weakAlias, birthDate, nationality) that share a name part with it
(candidate blocking, as a search index would do): a UN part is a
candidate part when it has the query part's first three letters or a
Levenshtein similarity of at least 0.7 (both ASCII-folded). An alert is a best
score at or above 0.70, yente's default threshold.
"""
import csv
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

from followthemoney import model
from normality import ascii_text
from nomenklatura.matching import get_algorithm
from rigour.text.distance import levenshtein

THRESHOLD = 0.70


def text(el, tag):
    x = el.find(tag)
    return (x.text or "").strip() if x is not None and x.text else ""


def un_entities(path):
    root = ET.parse(path).getroot()
    out = []
    for kind, schema, alias_tag in (("INDIVIDUAL", "Person", "INDIVIDUAL_ALIAS"),
                                    ("ENTITY", "Organization", "ENTITY_ALIAS")):
        for el in root.iter(kind):
            parts = [text(el, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            name = " ".join(p for p in parts if p)
            if not name:
                continue
            e = model.make_entity(schema)
            e.id = text(el, "REFERENCE_NUMBER") or text(el, "DATAID")
            e.add("name", name)
            orig = text(el, "NAME_ORIGINAL_SCRIPT")
            if orig:
                e.add("name", orig)
            for a in el.iter(alias_tag):
                n = text(a, "ALIAS_NAME")
                if not n:
                    continue
                e.add("weakAlias" if text(a, "QUALITY").lower() == "low" else "alias", n)
            if schema == "Person":
                for d in el.iter("INDIVIDUAL_DATE_OF_BIRTH"):
                    v = text(d, "DATE") or text(d, "YEAR")
                    if v:
                        e.add("birthDate", v[:10])
                for nat in el.iter("NATIONALITY"):
                    for v in nat.iter("VALUE"):
                        if v.text:
                            e.add("nationality", v.text.strip(), quiet=True, fuzzy=True)
            out.append(e)
    return out


def ratio(a, b):
    """Levenshtein similarity relative to the combined length (as
    rapidfuzz's ratio, on 0..1)."""
    if abs(len(a) - len(b)) > 0.6 * max(len(a), len(b)):
        return 0.0
    return 1.0 - levenshtein(a, b) / max(len(a), len(b))


def tokens(s):
    t = ascii_text(s or "") or ""
    return {w for w in "".join(c if c.isalnum() else " " for c in t.lower()).split() if len(w) >= 2}


def main():
    un_path, neg_path = sys.argv[1], sys.argv[2]
    entities = un_entities(un_path)
    by_token = defaultdict(set)
    for i, e in enumerate(entities):
        for n in e.get("name") + e.get("alias") + e.get("weakAlias"):
            for t in tokens(n):
                by_token[t].add(i)
    vocab = list(by_token)
    algo = get_algorithm("logic-v2")
    config = algo.default_config()
    n = alerts = 0
    with open(neg_path, newline="") as f:
        for row in csv.DictReader(f):
            n += 1
            q = model.make_entity("Person")
            q.id = row["id"]
            q.add("name", row["name"])
            if row["birth_date"]:
                q.add("birthDate", row["birth_date"])
            if row["country"]:
                q.add("nationality", row["country"].lower())
            cands = set()
            for t in tokens(row["name"]):
                for v in vocab:
                    if v[:3] == t[:3] or ratio(t, v) >= 0.7:
                        cands |= by_token[v]
            best, best_e = 0.0, None
            for i in cands:
                r = algo.compare(q, entities[i], config)
                if r.score > best:
                    best, best_e = r.score, entities[i]
            if best >= THRESHOLD:
                alerts += 1
                print(f"  alert {row['name']!r} -> {best_e.caption!r} {best:.3f}", file=sys.stderr)
            if n % 500 == 0:
                print(f"  {n} done, {alerts} alerts", file=sys.stderr)
    print(f"logic-v2: {alerts} alerts of {n} negatives = {100.0 * alerts / n:.2f}% at {THRESHOLD}")


if __name__ == "__main__":
    main()
