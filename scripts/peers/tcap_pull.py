"""Pulls Accord's hash list with the Tech Against Terrorism client of Meta's
threatexchange library, exactly as a platform would after pointing the
client's base URL at Accord. Prints what the client fetched as JSON lines:
{"signal_type", "hash", "deleted"} per signal, then {"checkpoint"}.

usage: tcap_pull.py BASE_URL USERNAME API_TOKEN [CHECKPOINT]
"""

import json
import sys

from threatexchange.exchanges.clients.techagainstterrorism import api
from threatexchange.exchanges.impl.techagainstterrorism_api import (
    TATCheckpoint,
    TATSignalExchangeAPI,
)


def main() -> None:
    base, username, token = sys.argv[1:4]
    checkpoint = TATCheckpoint(sys.argv[4]) if len(sys.argv) > 4 else None
    api.TATHashListAPI.BASE_URL = base.rstrip("/") + "/"
    exchange = TATSignalExchangeAPI(username=username, password=token)
    last = checkpoint
    for delta in exchange.fetch_iter([], checkpoint):
        for (signal_type, value), metadata in delta.updates.items():
            print(json.dumps({"signal_type": signal_type, "hash": value, "deleted": metadata is None}))
        last = delta.checkpoint
    print(json.dumps({"checkpoint": last.checkpoint if last else ""}))


if __name__ == "__main__":
    main()
