"""Differential check of accord-paxlst's tokenizer against pydifact (PyPI).

pydifact tokenises EDIFACT segments and elements (after the line breaks between segments are
removed); it is used as an oracle for the syntax layer only. Run from the repository root:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pydifact
    cargo build -p accord-paxlst --example segments
    /tmp/venv/bin/python crates/paxlst/tests/differential/pydifact_check.py FILE...

For each file it compares, segment by segment, the tag and every element's components (trailing
empty components and elements dropped on both sides, as EDIFACT allows). Exit status 1 on a
difference.
"""

import json
import os
import subprocess
import sys
import warnings

from pydifact.control import Characters
from pydifact.parser import Parser

warnings.simplefilter("ignore")
TARGET = os.environ.get("CARGO_TARGET_DIR", "target")


def trim(xs):
    while xs and xs[-1] in ("", []):
        xs = xs[:-1]
    return xs


def ours(path):
    out = subprocess.run(
        [os.path.join(TARGET, "debug/examples/segments"), path],
        check=True, capture_output=True, text=True,
    ).stdout
    return [trim([trim(e) for e in json.loads(line)]) for line in out.splitlines()]


def theirs(path):
    text = open(path, encoding="utf-8").read().replace("\n", "")
    chars = Characters.from_str(text[:9]) if text.startswith("UNA") else None
    segs = []
    for s in Parser().parse(text, chars):
        if s.tag == "UNA":
            continue
        elements = [[s.tag]] + [e if isinstance(e, list) else [e] for e in s.elements]
        segs.append(trim([trim(list(e)) for e in elements]))
    return segs


def main():
    bad = 0
    for path in sys.argv[1:]:
        a, b = ours(path), theirs(path)
        if a == b:
            print(f"{path}: {len(a)} segments, identical")
            continue
        bad += 1
        print(f"{path}: {len(a)} vs {len(b)} segments")
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                print(f"  segment {i + 1}: ours {x}\n              pydifact {y}")
                break
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
