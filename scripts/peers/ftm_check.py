"""Checks a FollowTheMoney JSON-lines export with the followthemoney library.

Usage: ftm_check.py FILE

Every entity is loaded with cleaning off (the values are taken as written,
the way a consumer that trusts the export stores them), then every property
value is checked against its type: it must be valid and already in the
canonical form the type's cleaning would give (a country name instead of a
code, a date range instead of a date, fail). Entity references must resolve
within the file and required properties must be present. Prints one line per
problem and exits 1 when there is any; prints the entity count and exits 0
otherwise.
"""

import json
import sys

from followthemoney import model


def check(path: str) -> list[str]:
    entities = []
    problems = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            data = json.loads(line)
            schema = model.get(data.get("schema"))
            if schema is None:
                problems.append(f"line {number}: unknown schema {data.get('schema')!r}")
                continue
            if schema.abstract:
                problems.append(f"line {number}: abstract schema {schema.name}")
            entities.append((number, data, model.get_proxy(data, cleaned=True)))
    ids = {proxy.id for _, _, proxy in entities}
    for number, data, proxy in entities:
        where = f"line {number} ({proxy.schema.name} {proxy.id})"
        for name, values in data.get("properties", {}).items():
            prop = proxy.schema.get(name)
            if prop is None:
                problems.append(f"{where}: {proxy.schema.name} has no property {name!r}")
                continue
            for value in values:
                if not isinstance(value, str):
                    problems.append(f"{where}: {name} = {value!r} is not a string")
                    continue
                cleaned = prop.type.clean(value, proxy=proxy)
                if cleaned != value:
                    problems.append(
                        f"{where}: {name} = {value!r} is not a valid {prop.type.name}"
                        f" (cleaning gives {cleaned!r})"
                    )
                elif prop.type.name == "entity" and value not in ids:
                    problems.append(f"{where}: {name} -> {value!r} is not in the file")
        for required in proxy.schema.required:
            if not proxy.get(required):
                problems.append(f"{where}: required {required!r} is missing")
    if not problems:
        print(f"{len(entities)} entities, every value valid")
    return problems


if __name__ == "__main__":
    found = check(sys.argv[1])
    for p in found:
        print(p, file=sys.stderr)
    sys.exit(1 if found else 0)
