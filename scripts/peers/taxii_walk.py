"""Walks Accord's TAXII 2.1 server with OASIS's own client (taxii2-client),
validating every page of objects with OASIS's stix2-validator, imports each
collection into MISP events with MISP's own converter (misp-stix), and posts
a report to the user's inbox.

    python taxii_walk.py BASE_URL USERNAME TOKEN [PER_PAGE]

USERNAME "-" walks anonymously. Prints one JSON document: per collection,
its objects' ids (as paged), the manifest's count, one object read by id
with its versions, the validator's findings, and for an inbox the status of
the post. Exits non-zero on any error a client would see.
"""

import json
import sys

import stix2
from misp_stix_converter import ExternalSTIX2toMISPParser
from stix2validator import ValidationOptions, validate_parsed_json
from taxii2client.v21 import Server, as_pages

base, user, token = sys.argv[1], sys.argv[2], sys.argv[3]
per_page = int(sys.argv[4]) if len(sys.argv) > 4 else 7
auth = {} if user == "-" else {"user": user, "password": token}

# As the issue asks: strict, with "external references SHOULD have hashes
# if they have a url" (302) off: sources are web pages, not files.
options = ValidationOptions(strict=True, disabled=["302"], version="2.1")


def validate(objects):
    if not objects:
        return []
    bundle = {
        "type": "bundle",
        "id": "bundle--6c8f5a1e-2a0b-4f55-9d0c-3f1b7a9c2e01",
        "objects": objects,
    }
    results = validate_parsed_json(bundle, options)
    findings = []
    for r in results if isinstance(results, list) else [results]:
        if not r.is_valid:
            findings.append(f"{r.object_id}: invalid")
        findings.extend(f"{r.object_id}: {e}" for e in r.errors)
        findings.extend(f"{r.object_id}: {w}" for w in r.warnings)
    return findings


TLP_TAGS = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "tlp:clear",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "tlp:green",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "tlp:amber",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "tlp:amber+strict",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "tlp:red",
}


def misp_import(objects):
    """The collection as MISP events (misp-stix, as MISP imports STIX 2.1):
    the converter's errors, and every report whose event lost its TLP tag
    or gained another."""
    reports = {o["name"]: o for o in objects if o["type"] == "report" and not o.get("revoked")}
    if not reports:
        return {"events": 0, "errors": [], "wrong_tlp": []}
    # Everything as a consumer receives it, revoked versions included.
    bundle = stix2.parse(
        {"type": "bundle", "id": "bundle--6c8f5a1e-2a0b-4f55-9d0c-3f1b7a9c2e02", "objects": objects},
        allow_custom=True,
    )
    parser = ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(bundle)
    parser.parse_stix_bundle(single_event=False)
    events = parser.misp_events
    if not isinstance(events, list):
        events = [events]  # one event when the bundle makes one
    wrong = []
    for e in events:
        report = reports.get(e.info)
        if report is None:
            continue
        expected = {TLP_TAGS[m] for m in report.get("object_marking_refs", [])}
        got = {t.name for t in e.tags if t.name.startswith("tlp:")}
        if got != expected:
            wrong.append({"report": e.info, "expected": sorted(expected), "got": sorted(got)})
    errors = [f"{k}: {m}" for k, ms in parser.errors.items() for m in ms]
    return {"events": len(events), "errors": errors, "wrong_tlp": wrong}


server = Server(base.rstrip("/") + "/taxii2/", **auth)
root = server.default
out = {"title": server.title, "api_root": root.title, "versions": root.versions, "collections": []}
for c in root.collections:
    entry = {"id": c.id, "title": c.title, "can_read": c.can_read, "can_write": c.can_write}
    if c.can_read:
        ids, pages, findings, everything = [], 0, [], []
        for envelope in as_pages(c.get_objects, per_request=per_page):
            pages += 1
            objects = envelope.get("objects", [])
            ids.extend(o["id"] for o in objects)
            everything.extend(objects)
            findings.extend(validate(objects))
        entry["misp"] = misp_import(everything)
        manifest = 0
        for envelope in as_pages(c.get_manifest, per_request=per_page):
            manifest += len(envelope.get("objects", []))
        entry.update({"ids": ids, "pages": pages, "manifest": manifest, "findings": findings})
        reports = [i for i in ids if i.startswith("report--")]
        if reports:
            one = c.get_object(reports[0])
            versions = c.object_versions(reports[0])
            entry["object"] = one["objects"][0]["id"]
            entry["versions"] = versions.get("versions", [])
    if c.can_write:
        envelope = {
            "objects": [
                {
                    "type": "report",
                    "spec_version": "2.1",
                    "id": "report--7b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
                    "created": "2026-11-20T09:00:00.000Z",
                    "modified": "2026-11-20T09:00:00.000Z",
                    "name": "Messenger channels recruiting in the Fergana Valley",
                    "description": "Three channels seen in November.\n\nDetails of the analysis.",
                    "published": "2026-11-20T09:00:00.000Z",
                    "object_refs": ["identity--0d4a8f0c-3c55-4b8e-9f0a-0a7c2a1c9a11"],
                    "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
                },
                {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": "indicator--7b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4e",
                    "created": "2026-11-20T09:00:00.000Z",
                    "modified": "2026-11-20T09:00:00.000Z",
                    "pattern": "[url:value = 'https://t.me/example']",
                    "pattern_type": "stix",
                    "valid_from": "2026-11-20T09:00:00Z",
                },
            ]
        }
        status = c.add_objects(json.dumps(envelope))
        again = root.get_status(status.id)
        entry["status"] = {
            "id": status.id,
            "status": status.status,
            "success_count": status.success_count,
            "failure_count": status.failure_count,
            "successes": status.successes,
            "failures": status.failures,
        }
        entry["status_again"] = again.status
    out["collections"].append(entry)
print(json.dumps(out))
