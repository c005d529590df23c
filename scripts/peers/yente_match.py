"""Drives yente's own client (yente-client) against a running Accord server.

Usage: yente_match.py BASE_URL TOKEN NAME PASSPORT

The token is sent as yente-client sends an API key (`Authorization: ApiKey
<token>`). Checks, raising on the first failure (exit 1 with the reason):
/algorithms and /catalog parse into the client's models; a match by NAME
finds a result whose first_seen, last_seen and last_change parse and compare
with each other (one format); a query with only a passport number is
answered (not an error); /search answers yente's 404 (NotFoundError). Prints
one JSON object with what it saw.
"""

import json
import sys

from yente_client import Client, NotFoundError, Person


def main(base_url: str, token: str, name: str, passport: str) -> dict:
    seen: dict = {}
    with Client(api_key=token, base_url=base_url, app_name="accord-tests") as client:
        algorithms = client.algorithms()
        seen["algorithms"] = [a.name for a in algorithms.algorithms]
        seen["best"] = algorithms.best
        catalog = client.datasets()
        seen["datasets"] = [d.name for d in catalog.datasets]

        by_name = client.match(Person(name=[name]), datasets=["default"])
        if not by_name.results:
            raise AssertionError(f"no result for {name!r}")
        top = by_name.results[0]
        times = [top.first_seen, top.last_seen, top.last_change]
        if any(t is None for t in times):
            raise AssertionError(f"missing times: {times}")
        # Raises TypeError when one has an offset and another has none.
        seen["ordered"] = sorted(times) == [min(times), sorted(times)[1], max(times)]
        seen["top"] = top.referents
        seen["match"] = top.match

        by_passport = client.match(Person(passportNumber=[passport]), datasets=["default"])
        seen["passport"] = [r.referents for r in by_passport.results]

        try:
            client.search(name)
        except NotFoundError as e:
            seen["search"] = e.status_code
        else:
            raise AssertionError("/search answered without a 404")
    return seen


if __name__ == "__main__":
    try:
        print(json.dumps(main(*sys.argv[1:5])))
    except Exception as e:  # the reason goes to the test's assertion message
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
