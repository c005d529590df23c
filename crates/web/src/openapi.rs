//! The OpenAPI 3.1 description of the JSON API, and the page that browses it
//! with the vendored Swagger UI. A test checks that every `/api` route of
//! the router is described here.

use axum::Json;
use axum::extract::State;
use axum::response::Html;
use maud::{DOCTYPE, html};
use serde_json::{Value, json};

use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;

fn op(
    tag: &str,
    summary: &str,
    auth: bool,
    body: Option<&str>,
    ok: (u16, Value),
    params: Value,
) -> Value {
    let mut o = json!({
        "tags": [tag],
        "summary": summary,
        "parameters": params,
        "responses": {
            ok.0.to_string(): { "description": "Success", "content": { "application/json": { "schema": ok.1 } } },
            "400": { "$ref": "#/components/responses/Error" },
            "401": { "$ref": "#/components/responses/Error" },
            "403": { "$ref": "#/components/responses/Error" },
            "404": { "$ref": "#/components/responses/Error" },
            "422": { "$ref": "#/components/responses/Error" }
        }
    });
    if ok.0 == 204 {
        o["responses"]["204"] = json!({ "description": "Done" });
    }
    if !auth {
        o["security"] = json!([]);
    }
    if let Some(schema) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    }
    o
}

/// `POST /api/manifests`: a raw EDIFACT body, not JSON, and a 422 that
/// carries the parser's position.
fn manifests_op() -> Value {
    let mut o = op(
        "Screening",
        "Screen an API manifest (UN/EDIFACT PAXLST): every traveller by name, birth date and nationality, and every document number exactly, in message order with the flight and totals (audited with counts; nothing about travellers is stored)",
        true,
        None,
        (
            200,
            json!({ "type": "object", "description": "ManifestScreening: interchange, messages (flight, travellers with ranked hits, totals), warnings, totals" }),
        ),
        json!([
            { "name": "threshold", "in": "query", "schema": { "type": "number", "minimum": 0, "maximum": 1 }, "description": "lowest name score reported (default 0.70); document hits always are" },
            { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100 }, "description": "most name hits per traveller (default 10)" },
            { "name": "lists", "in": "query", "schema": { "type": "string" }, "description": "comma-separated datasets (default: all loaded)" }
        ]),
    );
    o["requestBody"] = json!({ "required": true, "description": "The EDIFACT text as the airline sent it; any content type; at most the upload limit", "content": {
        "text/plain": { "schema": { "type": "string" } },
        "application/edifact": { "schema": { "type": "string" } }
    } });
    o["responses"]["422"] = json!({ "description": "The manifest cannot be read (not EDIFACT, cut, a control count that does not match, a missing name, an impossible date, a wrong character set, too large) or an option is invalid; nothing is screened or stored", "content": { "application/json": { "schema": { "type": "object", "properties": { "error": { "type": "object", "properties": {
        "status": { "type": "integer" }, "code": { "type": "string", "enum": ["invalid_manifest", "invalid"] }, "message": { "type": "string" },
        "fields": { "type": "array", "items": { "type": "object" } },
        "position": { "type": "object", "properties": { "segment": { "type": "integer", "description": "from UNB = 1 (0: before any segment)" }, "offset": { "type": "integer", "description": "byte offset" } } },
        "tag": { "type": ["string", "null"], "description": "the segment tag, e.g. DTM" },
        "kind": { "type": "object", "description": "kind: not_edifact, truncated, count_mismatch, missing, invalid_date, wrong_charset, too_large, …, with its details" }
    } } } } } } });
    o
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn list(name: &str) -> Value {
    json!({ "type": "array", "items": r(name) })
}

/// A page of a list: its rows and how many match in all.
fn listed(name: &str) -> Value {
    json!({ "type": "object", "required": ["total", "page", "per_page", "items"], "properties": {
        "total": { "type": "integer", "description": "how many match the filters in all" },
        "page": { "type": "integer" },
        "per_page": { "type": "integer" },
        "items": list(name)
    } })
}

/// A list's own parameters, then `page` and `per_page`.
fn list_params(own: Value) -> Value {
    let mut params = own.as_array().cloned().unwrap_or_default();
    params.push(
        json!({ "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } }),
    );
    params.push(json!({ "name": "per_page", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": crate::paging::MAX_PER_PAGE }, "description": "50 by default" }));
    Value::Array(params)
}

fn path_param(name: &str, kind: &str) -> Value {
    json!([{ "name": name, "in": "path", "required": true, "schema": { "type": kind } }])
}

pub fn spec() -> Value {
    let mut spec = base_spec();
    for (paths, schemas) in [
        plan_spec(),
        programmes_spec(),
        hashes_spec(),
        library_spec(),
    ] {
        if let (Some(into), Some(from)) = (spec["paths"].as_object_mut(), paths.as_object()) {
            into.extend(from.clone());
        }
        if let (Some(into), Some(from)) = (
            spec["components"]["schemas"].as_object_mut(),
            schemas.as_object(),
        ) {
            into.extend(from.clone());
        }
    }
    spec
}

/// The knowledge library (docs/library.md): items under TLP and a
/// distribution, their review, attachments, reach, groups and campaigns.
fn library_spec() -> (Value, Value) {
    let id = path_param("id", "integer");
    let search = query_params(&[
        (
            "q",
            "words in any language (English and Russian are stemmed, Arabic script folded); tantivy syntax: quotes, AND, OR, -word; at most 500 characters",
        ),
        (
            "kind",
            "research, report, good-practice, event, training or counter-narrative",
        ),
        ("theme", "a theme's slug"),
        ("country", "a member code"),
        ("language", "a language code"),
        ("marking", "CLEAR, GREEN, AMBER, AMBER+STRICT or RED"),
        ("from", "published on or after (YYYY-MM-DD)"),
        ("to", "published on or before (YYYY-MM-DD)"),
        ("order", "relevance (default), newest or oldest"),
        ("page", "from 1"),
        ("limit", "1 to 100 (default 20)"),
    ]);
    let step = {
        let mut p = id.clone();
        if let Some(a) = p.as_array_mut() {
            a.push(json!({ "name": "step", "in": "path", "required": true, "schema": { "type": "string", "enum": ["submit", "approve", "return", "withdraw"] } }));
        }
        p
    };
    let mut upload = op(
        "Library",
        "Attach a file (multipart/form-data: file): PDF, PNG, JPEG, text, CSV, DOCX, XLSX or ODT, its content checked against its type, up to the attachment limit",
        true,
        None,
        (201, r("Attachment")),
        id.clone(),
    );
    upload["requestBody"] = json!({ "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "properties": { "file": { "type": "string", "format": "binary" } } } } } });
    let download = {
        let mut p = id.clone();
        if let Some(a) = p.as_array_mut() {
            a.push(json!({ "name": "att", "in": "path", "required": true, "schema": { "type": "integer" } }));
        }
        p
    };
    // STIX 2.1 bundles, served as downloads (docs/library.md, "STIX").
    let stix = |summary: &str, params: Value| {
        let mut o = op("Library", summary, false, None, (200, json!({})), params);
        o["responses"]["200"]["content"] = json!({ "application/stix+json;version=2.1": { "schema": { "type": "object", "description": "a STIX 2.1 bundle: the items' reports, the identities they name, Accord's library extension definition" } } });
        o
    };
    let item_stix = stix(
        "An item's published version as a STIX 2.1 bundle, a download (404 when the caller may not read it, or it has none; audited)",
        id.clone(),
    );
    let export_stix = stix(
        "What the search with these filters finds (published items the caller may read, none withdrawn) as one STIX 2.1 bundle, a download (audited)",
        search.clone(),
    );
    let paths = json!({
        "/api/library/items/{id}/stix": { "get": item_stix },
        "/api/library/export.stix": { "get": export_stix },
        "/api/library/items": {
            "get": op("Library", "Search the items the caller may read (rights applied inside the query: totals and facets count only those)", false, None, (200, r("LibrarySearch")), search.clone()),
            "post": op("Library", "Write a new item (a draft of the caller's member)", true, Some("LibraryItemInput"), (201, r("LibraryItem")), json!([]))
        },
        "/api/library/search": { "get": op("Library", "The same search as GET /api/library/items", false, None, (200, r("LibrarySearch")), search) },
        "/api/library/items/{id}": {
            "get": op("Library", "An item the caller may read (404 when hidden): the approved version, or the latest for those who work on it", false, None, (200, r("LibraryItem")), id.clone()),
            "put": op("Library", "A new version (base_version, required: the version the edit started from; 422 without it, 409 when it changed meanwhile)", true, Some("LibraryItemInput"), (200, r("LibraryItem")), id.clone())
        },
        "/api/library/items/{id}/{step}": { "post": op("Library", "Submit, approve (not by the author), return (with a reason) or withdraw (a reason is required)", true, None, (200, r("LibraryItem")), step) },
        "/api/library/items/{id}/attachments": { "post": upload },
        "/api/library/items/{id}/attachments/{att}": { "get": op("Library", "Download an attachment (always as an attachment; audited)", false, None, (200, json!({ "type": "string", "format": "binary" })), download) },
        "/api/library/items/{id}/reach": { "post": op("Library", "Add a counter-narrative's reach: rows, or a CSV text with the header period_start,period_end,channel,impressions,views,reactions,shares,comments,clicks,watch_seconds", true, Some("ReachInput"), (200, json!({ "type": "object", "properties": { "rows": { "type": "integer" } } })), id.clone()) },
        "/api/library/review": { "get": op("Library", "The items waiting for the caller's review, and the caller's own unpublished items", true, None, (200, json!({ "type": "object" })), json!([])) },
        "/api/library/groups": {
            "get": op("Library", "The sharing groups the caller keeps or belongs to", true, None, (200, json!({ "type": "array", "items": { "type": "object" } })), json!([])),
            "post": op("Library", "Create a sharing group of the caller's member (members by code, people by user name)", true, Some("SharingGroupInput"), (201, json!({ "type": "object" })), json!([]))
        },
        "/api/library/groups/{id}": {
            "put": op("Library", "Replace a group's name, members and named people (its owner's administrators)", true, Some("SharingGroupInput"), (200, json!({ "type": "object" })), id.clone()),
            "delete": op("Library", "Delete a group no item uses (its owner's administrators; 409, saying how many items, while any version of an item is shared with it)", true, None, (204, json!({})), id.clone())
        },
        "/api/library/campaigns": {
            "get": op("Library", "The campaigns", false, None, (200, json!({ "type": "array", "items": { "type": "object" } })), json!([])),
            "post": op("Library", "Create a campaign", true, Some("CampaignInput"), (201, json!({ "type": "object" })), json!([]))
        },
        "/api/library/campaigns/{id}": {
            "put": op("Library", "Replace a campaign's name, description, dates and partners (its owner's administrators; the same checks as creating it, and the reach already recorded must stay inside the dates)", true, Some("CampaignInput"), (200, json!({ "type": "object" })), id.clone()),
            "delete": op("Library", "Delete a campaign no item belongs to (its owner's administrators; 409, saying how many items, otherwise)", true, None, (204, json!({})), id.clone())
        },
        "/api/library/themes": { "get": op("Library", "The theme vocabulary: drivers and responses, in English and Russian", false, None, (200, json!({ "type": "object" })), json!([])) }
    });
    let schemas = json!({
        "LibraryItemInput": { "type": "object", "required": ["kind", "marking", "distribution", "versions"], "properties": {
            "kind": { "type": "string", "enum": ["research", "report", "good-practice", "event", "training", "counter-narrative"] },
            "marking": { "type": "string", "enum": ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] },
            "distribution": { "type": "string", "enum": ["platform", "members", "group", "owner"] },
            "share_members": { "type": "array", "items": { "type": "string" } }, "group": { "type": "integer" },
            "versions": { "type": "array", "items": { "type": "object", "properties": { "lang": { "type": "string" }, "title": { "type": "string" }, "summary": { "type": "string" }, "body": { "type": "string", "description": "Markdown, at most 1 MiB" } } } },
            "countries": { "type": "array", "items": { "type": "string" } }, "themes": { "type": "array", "items": { "type": "string" } },
            "published": { "type": "string", "format": "date" }, "commitments": { "type": "array", "items": { "type": "string" } },
            "sources": { "type": "array", "items": { "type": "string" } }, "unverified": { "type": "array", "items": { "type": "string" } },
            "counter": { "type": "object", "description": "counter-narratives: age, gender, region, at_risk, channel, channel_name, answers, campaign, links" },
            "base_version": { "type": "integer" } } },
        "LibraryItem": { "type": "object" },
        "LibrarySearch": { "type": "object", "properties": { "total": { "type": "integer" }, "page": { "type": "integer" }, "limit": { "type": "integer" }, "hits": { "type": "array", "items": { "type": "object" } }, "facets": { "type": "object" } } },
        "Attachment": { "type": "object", "properties": { "id": { "type": "integer" }, "file_name": { "type": "string" }, "content_type": { "type": "string" }, "size": { "type": "integer" }, "sha256": { "type": "string" } } },
        "ReachInput": { "type": "object", "properties": { "rows": { "type": "array", "items": { "type": "object" } }, "csv": { "type": "string" } } },
        "SharingGroupInput": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" }, "members": { "type": "array", "items": { "type": "string" } }, "users": { "type": "array", "items": { "type": "string" } } } },
        "CampaignInput": { "type": "object", "required": ["name", "starts", "ends"], "properties": { "name": { "type": "string" }, "description": { "type": "string" }, "starts": { "type": "string", "format": "date" }, "ends": { "type": "string", "format": "date" }, "partners": { "type": "string" } } }
    });
    (paths, schemas)
}

/// Hash sharing: banks, hashes, feedback, lookups and the change feed.
/// docs/hashes.md says how a platform integrates.
fn hashes_spec() -> (Value, Value) {
    let id = path_param("id", "string");
    let mut hash_upload = op(
        "Hashes",
        "Hash uploaded content in memory (multipart/form-data: file; match=true to look its hashes up); the content is discarded, never stored",
        true,
        None,
        (
            200,
            json!({ "type": "object", "properties": {
        "md5": { "type": "string" }, "sha256": { "type": "string" }, "pdq": { "type": ["string", "null"] }, "pdq_quality": { "type": ["integer", "null"] },
        "matches": { "type": ["array", "null"] } } }),
        ),
        json!([]),
    );
    hash_upload["requestBody"] = json!({ "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "properties": {
        "file": { "type": "string", "format": "binary" }, "match": { "type": "string", "enum": ["true", "false"] } } } } } });
    let hash_id = path_param("id", "integer");
    let paths = json!({
        "/api/banks": {
            "get": op("Hashes", "The banks the caller may match against (their TLP marking and distribution)", true, None, (200, list("Bank")), json!([])),
            "post": op("Hashes", "Create a bank (a member's contributors and administrators for their member; the secretariat for any or none)", true, Some("BankInput"), (201, r("Bank")), json!([]))
        },
        "/api/banks/{id}": { "get": op("Hashes", "A bank with its latest 1,000 hashes, removed ones as tombstones; 404 when hidden", true, None, (200, r("Bank")), id.clone()) },
        "/api/banks/{id}/hashes": { "post": op("Hashes", "Add 1 to 1,000 hashes with their labels, all or none (a PDQ hash needs quality ≥ 50; an entity on the common list by its ACL id)", true, Some("AddHashes"), (201, json!({ "type": "object", "properties": { "ids": { "type": "array", "items": { "type": "integer" } } } })), id.clone()) },
        "/api/banks/{id}/hashes/{hash}": { "delete": op("Hashes", "Remove a hash: it becomes a tombstone the change feed carries", true, None, (200, r("Hash")), json!([
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
            { "name": "hash", "in": "path", "required": true, "schema": { "type": "integer" } }])) },
        "/api/banks/{id}/hashes/{hash}/release": { "post": op("Hashes", "Release a held or retracted hash after review (the bank's writers): it matches again and its feedback starts afresh", true, None, (200, r("Hash")), json!([
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
            { "name": "hash", "in": "path", "required": true, "schema": { "type": "integer" } }])) },
        "/api/hashes/lookup": { "post": op("Hashes", "Look up 1 to 1,000 signals (pdq within `distance` ≤ 31, default 31; md5 and sha256 exactly) in the banks the caller may read; an allow bank's match vetoes the others", true, Some("Lookup"), (200, json!({ "type": "array", "items": { "type": "object" } })), json!([])) },
        "/api/hashes/hash": { "post": hash_upload },
        "/api/hashes/changes": { "get": op("Hashes", "Every change of a hash after `checkpoint` (added, removed, held, retracted), in order, in the banks the caller may read; pass the returned checkpoint back", true, None, (200, json!({ "type": "object" })), query_params(&[("checkpoint", "the checkpoint the previous page returned (none: from the start)"), ("limit", "1 to 10,000 (default 1,000)")])) },
        "/api/hash-list/v2/all": { "get": op("Hashes", "The same changes in the shape of Tech Against Terrorism's hash list API v2 (TCAP): `{count, next, previous, checkpoint, results: [{id, hash_digest, algorithm, ideology, file_type, deleted, updated_on, created_on}]}`; `next` is the next page's query string; unknown parameters are ignored (docs/hashes.md)", true, None, (200, json!({ "type": "object" })), query_params(&[("order", "asc (the only order)"), ("after", "a checkpoint this feed returned: <unix seconds>,<change number>"), ("cursor", "set by next"), ("limit", "1 to 10,000 (default 1,000)")])) },
        "/token-auth/tcap/": { "post": {
            "tags": ["Hashes"],
            "summary": "TCAP-style sign-in: form fields username (an Accord user) and password (one of its API tokens); answers {\"token\"} to send as Bearer (throttled and audited as sign-ins are)",
            "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": { "type": "object", "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } } } } },
            "responses": {
                "200": { "description": "the token", "content": { "application/json": { "schema": { "type": "object", "properties": { "token": { "type": "string" } } } } } },
                "400": { "description": "a field is missing" }, "401": { "description": "wrong username or token" }, "429": { "$ref": "#/components/responses/Error" }
            }
        } },
        "/api/hashes/{id}": { "get": op("Hashes", "One hash with its labels and members' feedback", true, None, (200, r("Hash")), hash_id.clone()) },
        "/api/hashes/{id}/feedback": { "post": op("Hashes", "A member's feedback on a hash (agree, disagree, actioned), once per member; enough disagreements hold the hash from matching", true, Some("Feedback"), (200, r("Hash")), hash_id.clone()) }
    });
    let schemas = json!({
        "BankInput": { "type": "object", "required": ["id", "name"], "properties": {
            "id": { "type": "string" }, "name": { "type": "string" }, "owner": { "type": "string", "description": "a member code; blank for the secretariat" },
            "tlp": { "type": "string", "description": "default AMBER" }, "share_with": { "type": "array", "items": { "type": "string" } },
            "allow": { "type": "boolean" }, "hold_after": { "type": "integer" }, "grace_days": { "type": "integer" } } },
        "Bank": { "type": "object" },
        "Hash": { "type": "object" },
        "AddHashes": { "type": "object", "required": ["hashes"], "properties": { "hashes": { "type": "array", "maxItems": 1000, "items": { "type": "object", "properties": {
            "signal_type": { "type": "string", "enum": ["pdq", "md5", "sha256"] }, "signal": { "type": "string" }, "quality": { "type": ["integer", "string"] },
            "entity_subject": { "type": "string" }, "entity_name": { "type": "string" },
            "content_type": { "type": "string", "enum": ["image", "video", "file"] },
            "behaviour": { "type": "string", "enum": ["recruitment", "glorification", "instruction", "threat", "manifesto", "livestreamed_attack", "other"] },
            "first_seen": { "type": "string", "format": "date" }, "note": { "type": "string" } } } } } },
        "Lookup": { "type": "object", "required": ["signals"], "properties": { "distance": { "type": "integer", "maximum": 31 }, "signals": { "type": "array", "maxItems": 1000, "items": { "type": "object", "properties": {
            "signal_type": { "type": "string" }, "signal": { "type": "string" } } } } } },
        "Feedback": { "type": "object", "required": ["verdict"], "properties": { "verdict": { "type": "string", "enum": ["agree", "disagree", "actioned"] } } }
    });
    (paths, schemas)
}

/// Capacity-building programmes: the register, each programme, its result
/// periods, CSV and IATI 2.03 both ways. docs/programmes.md has the model.
fn programmes_spec() -> (Value, Value) {
    let filters = query_params(&[
        ("country", "a member code or an IATI country code"),
        (
            "kind",
            "public_servant_training, ngo_support, prison_rehabilitation, youth, women, education, religious_leaders, media, local_government, other",
        ),
        ("sector", "an OECD DAC 5-digit sector code"),
        (
            "status",
            "pipeline, implementation, finalisation, closed, cancelled, suspended",
        ),
        (
            "funder",
            "a funding organization: member code, IATI identifier or part of its name",
        ),
        (
            "commitment",
            "a Joint Plan commitment id, e.g. astana2015.step.5",
        ),
    ]);
    let id = path_param("id", "string");
    let xml = |summary: &str, params: Value| {
        let mut o = op(
            "Programmes",
            summary,
            false,
            None,
            (200, json!({ "type": "string" })),
            params,
        );
        o["responses"]["200"] = json!({ "description": "An iati-activities 2.03 document", "content": { "application/xml": { "schema": { "type": "string" } } } });
        o
    };
    let csv = |summary: &str| {
        let mut o = op(
            "Programmes",
            summary,
            false,
            None,
            (200, json!({ "type": "string" })),
            filters.clone(),
        );
        o["responses"]["200"] = json!({ "description": "CSV (UTF-8), as an attachment", "content": { "text/csv": { "schema": { "type": "string" } } } });
        o
    };
    let mut import = op(
        "Programmes",
        "Import an IATI 2.03 activity file, or a CSV of programmes or of indicator periods (multipart/form-data: file, optional format iati|programmes|periods; browser sessions add the csrf field). All or nothing: one problem refuses the file with every problem named",
        true,
        None,
        (200, r("ProgrammeImport")),
        json!([]),
    );
    import["requestBody"] = json!({ "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "properties": {
        "file": { "type": "string", "format": "binary" }, "format": { "type": "string", "enum": ["iati", "programmes", "periods"] } } } } } });
    let refusals = |mut o: Value| {
        o["responses"]["409"] = json!({ "$ref": "#/components/responses/Error" });
        o
    };
    let paths = json!({
        "/api/programmes": {
            "get": op("Programmes", "The programmes the caller may see (TLP), filtered; outside the participating members, without draft periods", false, None, (200, list("Programme")), filters.clone()),
            "post": op("Programmes", "Record a programme (contributors and administrators of a participating member, or the secretariat). 422 names every bad field with its code and arguments", true, Some("ProgrammeInput"), (201, r("Programme")), json!([]))
        },
        "/api/programmes.csv": { "get": csv("The programmes the caller may see, one row each") },
        "/api/programmes/periods.csv": { "get": csv("The indicator periods of the programmes the caller may see, one row each") },
        "/api/programmes/iati.xml": { "get": xml("The IATI 2.03 file of the programmes flagged for IATI and marked TLP:CLEAR (404 when there is none); what goes out is recorded as published, which fixes its IATI identifier", json!([])) },
        "/api/programmes/import": { "post": import },
        "/api/programmes/{id}": {
            "get": op("Programmes", "One programme as the caller may read it; 404 when hidden", false, None, (200, r("Programme")), id.clone()),
            "put": refusals(op("Programmes", "Change a programme (participating members' contributors and administrators, the secretariat); 409 when `version` is stale, a submitted period would change, or a published identifier would", true, Some("ProgrammeUpdate"), (200, r("Programme")), id.clone()))
        },
        "/api/programmes/{id}/iati.xml": { "get": xml("This programme in IATI 2.03, if it is publishable", id.clone()) },
        "/api/programmes/{id}/periods/submit": { "post": refusals(op("Programmes", "Submit a drafted result period (a participating member's administrator or the secretariat; someone else must have made the last change when the side has two or more editors)", true, Some("PeriodAction"), (200, r("Programme")), id.clone())) },
        "/api/programmes/{id}/periods/correct": { "post": refusals(op("Programmes", "Reopen a submitted result period as a draft; the submitted values stay in the previous version", true, Some("PeriodAction"), (200, r("Programme")), id.clone())) },
        "/api/members/{code}/programmes/iati.xml": { "get": xml("The IATI 2.03 file of one member's publishable programmes", path_param("code", "string")) }
    });
    let narratives = json!({ "type": "array", "items": { "type": "object", "properties": { "lang": { "type": "string" }, "text": { "type": "string" } } } });
    let num = json!({ "type": ["string", "number"] });
    let measured = json!({ "type": "object", "properties": { "value": num, "comment": narratives, "parts": { "type": "array", "items": { "type": "object", "properties": {
        "sex": { "type": "string", "enum": ["female", "male", "other", ""] }, "age": { "type": "string", "description": "an age band such as 18-24 or 65+" }, "value": num } } } } });
    let schemas = json!({
        "ProgrammeInput": { "type": "object", "description": "Every field optional to send; validation names each missing or bad one", "properties": {
            "id": { "type": "string", "description": "a permanent slug, e.g. kaz-prison-2025" },
            "iati_identifier": { "type": "string" },
            "title": narratives, "description": narratives,
            "kind": { "type": "string" }, "status": { "type": "string" },
            "planned_start": { "type": "string", "format": "date" }, "planned_end": { "type": "string", "format": "date" },
            "actual_start": { "type": "string", "format": "date" }, "actual_end": { "type": "string", "format": "date" },
            "countries": { "type": "array", "items": { "type": "object", "properties": { "code": { "type": "string" }, "regions": { "type": "array", "items": { "type": "string" } } } } },
            "sectors": { "type": "array", "items": { "type": "object", "properties": { "code": { "type": "string" }, "percentage": num } } },
            "commitments": { "type": "array", "items": { "type": "string" } },
            "participants": { "type": "array", "items": { "type": "object", "properties": {
                "role": { "type": "string", "enum": ["funding", "accountable", "extending", "implementing"] }, "member": { "type": "string" },
                "name": narratives, "iati_ref": { "type": "string" }, "org_type": { "type": "string" } } } },
            "budgets": { "type": "array", "items": { "type": "object", "properties": {
                "start": { "type": "string", "format": "date" }, "end": { "type": "string", "format": "date" }, "amount": num, "currency": { "type": "string" },
                "status": { "type": "string" }, "kind": { "type": "string" } } } },
            "transactions": { "type": "array", "items": { "type": "object", "properties": {
                "kind": { "type": "string", "enum": ["incoming_funds", "commitment", "disbursement", "expenditure"] }, "date": { "type": "string", "format": "date" },
                "amount": num, "currency": { "type": "string" }, "description": narratives, "reference": { "type": "string" } } } },
            "documents": { "type": "array", "items": { "type": "object", "properties": {
                "url": { "type": "string" }, "title": narratives, "format": { "type": "string" }, "category": { "type": "string" },
                "languages": { "type": "array", "items": { "type": "string" } }, "date": { "type": "string", "format": "date" } } } },
            "results": { "type": "array", "items": { "type": "object", "properties": {
                "kind": { "type": "string", "enum": ["output", "outcome", "impact"] }, "title": narratives, "description": narratives,
                "indicators": { "type": "array", "items": { "type": "object", "properties": {
                    "title": narratives, "description": narratives, "measure": { "type": "string", "enum": ["unit", "percentage", "qualitative"] },
                    "ascending": { "type": "boolean" }, "counts_people": { "type": "boolean" }, "key": { "type": "string" },
                    "baseline_year": { "type": "string" }, "baseline": measured,
                    "periods": { "type": "array", "items": { "type": "object", "properties": {
                        "start": { "type": "string", "format": "date" }, "end": { "type": "string", "format": "date" }, "target": measured, "actual": measured } } } } } } } } },
            "tlp": { "type": "string", "description": "blank: the kind's default (prison programmes start AMBER)" },
            "publish_iati": { "type": ["boolean", "null"] } } },
        "ProgrammeUpdate": { "allOf": [r("ProgrammeInput"), { "type": "object", "properties": { "version": { "type": "integer", "description": "the version the change was made on; a stale one is refused with 409" } } }] },
        "Programme": { "type": "object", "description": "The programme as stored (docs/programmes.md), with its current version number and last change", "properties": {
            "id": { "type": "string" }, "version": { "type": "integer" }, "updated_at": { "type": "string" }, "published": { "type": "boolean" },
            "iati_identifier": { "type": ["string", "null"] }, "tlp": { "type": "string" }, "publish_iati": { "type": "boolean" } } },
        "PeriodAction": { "type": "object", "required": ["result", "indicator", "period"], "properties": {
            "result": { "type": "integer", "minimum": 0 }, "indicator": { "type": "integer", "minimum": 0 }, "period": { "type": "integer", "minimum": 0 },
            "version": { "type": "integer" } } },
        "ProgrammeImport": { "type": "object", "properties": {
            "format": { "type": "string" }, "created": { "type": "array", "items": { "type": "string" } }, "updated": { "type": "array", "items": { "type": "string" } },
            "skipped": { "type": "array", "items": { "type": "string" } }, "notes": { "type": "array", "items": { "type": "string" } } } }
    });
    (paths, schemas)
}

fn query_params(names: &[(&str, &str)]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|(n, d)| json!({ "name": n, "in": "query", "required": false, "description": d, "schema": { "type": "string" } }))
            .collect(),
    )
}

fn report_path() -> Value {
    json!([
        { "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "description": "the round" },
        { "name": "member", "in": "path", "required": true, "schema": { "type": "string" } },
        { "name": "commitment", "in": "path", "required": true, "schema": { "type": "string" } }
    ])
}

/// The Joint Plan tracker's rounds, reports, matrices and strategies.
fn plan_spec() -> (Value, Value) {
    let none = json!([]);
    let filters = query_params(&[
        ("framework", "only this framework's commitments"),
        ("pillar", "only this pillar's commitments"),
    ]);
    let mut upload = op(
        "Joint Plan",
        "Attach a file to the open draft (multipart/form-data: file, title, revision; browser sessions add the csrf field); the draft then cites it by SHA-256",
        true,
        None,
        (200, r("Report")),
        report_path(),
    );
    upload["requestBody"] = json!({ "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "properties": {
        "file": { "type": "string", "format": "binary" }, "title": { "type": "string" }, "revision": { "type": "integer" } } } } } });
    let mut strategy_upload = op(
        "Joint Plan",
        "Attach a document to a strategy (multipart/form-data: file, revision; browser sessions add the csrf field); read it at /strategies/{id}/documents/{document}",
        true,
        None,
        (200, r("Strategy")),
        path_param("id", "integer"),
    );
    strategy_upload["requestBody"] = json!({ "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "properties": {
        "file": { "type": "string", "format": "binary" }, "revision": { "type": "integer" } } } } } });
    let mut cancel_round = op(
        "Joint Plan",
        "Cancel a round opened by mistake (secretariat), while no report has been submitted in it: the round is kept with `state` cancelled and `cancelled` set, takes no reports, counts in no progress, sends no reminder, and its members are told. No body. 409 once a report was submitted or when it is cancelled already",
        true,
        None,
        (200, r("Round")),
        path_param("id", "string"),
    );
    cancel_round["responses"]["409"] = json!({ "$ref": "#/components/responses/Error" });
    let paths = json!({
        "/api/frameworks": { "post": op("Joint Plan", "Add a framework (secretariat)", true, Some("NewFramework"), (201, json!({ "type": "object" })), none.clone()) },
        "/api/frameworks/{id}/pillars": { "post": op("Joint Plan", "Add a pillar to a framework (secretariat); returns the framework", true, Some("NewPillar"), (201, json!({ "type": "object" })), path_param("id", "string")) },
        "/api/rounds": {
            "get": op("Joint Plan", "Every reporting round (public)", false, None, (200, list("Round")), none.clone()),
            "post": op("Joint Plan", "Open a reporting round (secretariat); the members asked are notified. 422 naming `deadline` when it is not after the server's clock (the round would open closed) or falls before the period's last day", true, Some("NewRound"), (201, r("Round")), none.clone())
        },
        "/api/rounds/{id}": { "get": op("Joint Plan", "One round (public)", false, None, (200, r("Round")), path_param("id", "string")) },
        "/api/rounds/{id}/reopen": { "post": op("Joint Plan", "Reopen a round to late reports, or close it again (secretariat)", true, Some("Reopen"), (200, r("Round")), path_param("id", "string")) },
        "/api/rounds/{id}/cancel": { "post": cancel_round },
        "/api/rounds/{id}/matrix": { "get": op("Joint Plan", "The members × commitments matrix with progress per member (and in the previous round) and per pillar, counting only submitted reports the caller may see under their TLP", false, None, (200, r("Matrix")), {
            let mut p = path_param("id", "string"); if let (Some(a), Some(b)) = (p.as_array_mut(), filters.as_array()) { a.extend(b.clone()); } p }) },
        "/api/rounds/{id}/reports": { "get": op("Joint Plan", "The round's reports the caller may read (each with the versions visible to them)", false, None, (200, list("Report")), path_param("id", "string")) },
        "/api/rounds/{id}/reports/{member}/{commitment}": {
            "get": op("Joint Plan", "One report: the versions the caller may read, and its revision", false, None, (200, r("Report")), report_path()),
            "put": op("Joint Plan", "Create the report with a first draft, or change its open draft (the member's contributors and administrators). 409 if a version is submitted (start a correction), after the deadline, or when `revision` is stale", true, Some("ReportInput"), (200, r("Report")), report_path())
        },
        "/api/rounds/{id}/reports/{member}/{commitment}/submit": { "post": op("Joint Plan", "Submit the open draft (the member's administrator; someone else must have drafted it when the member has two or more users)", true, Some("Revision"), (200, r("Report")), report_path()) },
        "/api/rounds/{id}/reports/{member}/{commitment}/correct": { "post": op("Joint Plan", "Start a correction of the submitted report: a new draft version; the submitted ones are kept", true, Some("ReportInput"), (200, r("Report")), report_path()) },
        "/api/rounds/{id}/reports/{member}/{commitment}/files": { "post": upload },
        "/api/strategies": {
            "get": op("Joint Plan", "The national strategies and action plans the caller may see (TLP)", false, None, (200, list("Strategy")), none.clone()),
            "post": op("Joint Plan", "Register a strategy of a member (its contributors and administrators, or the secretariat)", true, Some("NewStrategy"), (201, r("Strategy")), none.clone())
        },
        "/api/strategies/{id}": { "put": op("Joint Plan", "Change a strategy; 409 when `revision` is stale", true, Some("StrategyUpdate"), (200, r("Strategy")), path_param("id", "integer")) },
        "/api/strategies/{id}/documents": { "post": strategy_upload }
    });
    let tlp =
        json!({ "type": "string", "enum": ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] });
    let status = json!({ "type": "string", "enum": ["not_started", "planned", "in_progress", "implemented", "not_applicable"] });
    let schemas = json!({
        "NewFramework": { "type": "object", "required": ["id", "title", "short_title", "source"], "properties": {
            "id": { "type": "string" }, "title": { "type": "string" }, "short_title": { "type": "string" },
            "adopted_on": { "type": "string", "format": "date" }, "adopted_at": { "type": "string" },
            "description": { "type": "string" }, "source": { "type": "string" } } },
        "NewPillar": { "type": "object", "required": ["number", "title", "short_label"], "properties": {
            "number": { "type": "string", "description": "1 to 12" }, "title": { "type": "string" }, "short_label": { "type": "string" } } },
        "NewCommitment": { "type": "object", "required": ["id", "framework", "kind", "text", "applies_to", "source"], "properties": {
            "id": { "type": "string" }, "framework": { "type": "string" },
            "kind": { "type": "string", "enum": ["task", "initiative", "conclusion", "concrete_step", "other"] },
            "text": { "type": "string" }, "pillars": { "type": "string", "description": "pillar ids, comma-separated" },
            "applies_to": { "type": "string", "description": "all, or regional_states, partner_states, organizations" },
            "due_date": { "type": "string", "format": "date" }, "due_phrase": { "type": "string" }, "source": { "type": "string" } } },
        "NewRound": { "type": "object", "required": ["id", "name", "period_start", "period_end", "deadline", "commitments", "members"], "properties": {
            "id": { "type": "string", "description": "a slug such as 2026-spring" }, "name": { "type": "string" },
            "period_start": { "type": "string", "format": "date" }, "period_end": { "type": "string", "format": "date" },
            "deadline": { "type": "string", "description": "YYYY-MM-DD (end of that day, UTC) or RFC 3339" },
            "commitments": { "type": "array", "items": { "type": "string" } }, "members": { "type": "array", "items": { "type": "string" } } } },
        "Round": { "type": "object", "properties": {
            "id": { "type": "string" }, "name": { "type": "string" },
            "period": { "type": "object", "properties": { "start": { "type": "string", "format": "date" }, "end": { "type": "string", "format": "date" } } },
            "deadline": { "type": "string", "format": "date-time" }, "commitments": { "type": "array", "items": { "type": "string" } },
            "members": { "type": "array", "items": { "type": "string" } }, "reopened": { "type": "boolean" },
            "cancelled": { "type": "object", "description": "present once the secretariat cancelled the round", "properties": {
                "at": { "type": "string", "format": "date-time" }, "by": { "type": "string" } } },
            "open": { "type": "boolean", "description": "whether it takes reports now" },
            "state": { "type": "string", "enum": ["open", "reopened", "closed", "cancelled"] },
            "created_by": { "type": "string" } } },
        "Reopen": { "type": "object", "required": ["reopened"], "properties": { "reopened": { "type": "boolean" } } },
        "Revision": { "type": "object", "properties": { "revision": { "type": "integer", "description": "the revision last read; refused with 409 if the report changed since" } } },
        "Matrix": { "type": "object", "properties": {
            "round": { "type": "string" }, "members": { "type": "array", "items": { "type": "string" } },
            "commitments": { "type": "array", "items": { "type": "string" } },
            "cells": { "type": "array", "items": { "type": "array", "items": { "description": "{\"reported\": status} for a report the caller may read; \"restricted\" for a submitted report the caller may not read (its status withheld); \"not_yet_reported\" while the round takes reports; \"not_reported\" once it closed without one" } } },
            "totals": { "type": "object" }, "by_member": { "type": "array", "items": { "type": "object" } },
            "by_pillar": { "type": "array", "items": { "type": "object" } } } },
        "ReportInput": { "type": "object", "required": ["status", "tlp"], "properties": {
            "status": status, "narrative": { "type": "string" },
            "indicators": { "type": "array", "items": { "type": "object", "properties": { "label": { "type": "string" }, "value": { "type": "string" }, "unit": { "type": "string" } } } },
            "evidence": { "type": "array", "items": { "type": "object", "description": "a link (url, title) or a stored file (name, sha256, title)", "properties": {
                "url": { "type": "string" }, "name": { "type": "string" }, "sha256": { "type": "string" }, "title": { "type": "string" } } } },
            "agencies": { "type": "array", "items": { "type": "string" } },
            "civil_society_partners": { "type": "array", "items": { "type": "string" } },
            "tlp": tlp, "revision": { "type": "integer" } } },
        "Report": { "type": "object", "properties": {
            "round": { "type": "string" }, "member": { "type": "string" }, "commitment": { "type": "string" },
            "revision": { "type": "integer" },
            "versions": { "type": "array", "items": { "type": "object", "properties": {
                "number": { "type": "integer" }, "content": { "type": "object" }, "drafted_by": { "type": "array", "items": { "type": "integer" } },
                "created_at": { "type": "string" }, "updated_at": { "type": "string" },
                "submitted": { "type": ["object", "null"] }, "corrects": { "type": ["integer", "null"] } } } } } },
        "NewStrategy": { "type": "object", "required": ["member", "title", "kind", "status", "tlp"], "properties": {
            "member": { "type": "string" }, "title": { "type": "string" },
            "kind": { "type": "string", "enum": ["strategy", "action_plan"] },
            "status": { "type": "string", "enum": ["drafting", "adopted", "under_review"] },
            "adopted_on": { "type": "string", "format": "date" }, "actors": { "type": "array", "items": { "type": "string" } },
            "implements": { "type": "array", "items": { "type": "string" } }, "url": { "type": "string" }, "tlp": tlp } },
        "StrategyUpdate": { "type": "object", "description": "the fields of NewStrategy but member, and the revision last read", "properties": { "revision": { "type": "integer" } } },
        "Strategy": { "type": "object", "properties": {
            "id": { "type": "integer" }, "member": { "type": "string" }, "title": { "type": "string" }, "kind": { "type": "string" },
            "status": { "type": "string" }, "adopted_on": { "type": ["string", "null"] }, "actors": { "type": "array", "items": { "type": "string" } },
            "implements": { "type": "array", "items": { "type": "string" } }, "url": { "type": ["string", "null"] }, "tlp": { "type": "string" },
            "revision": { "type": "integer" }, "updated_by": { "type": "string" }, "updated_at": { "type": "integer" },
            "documents": { "type": "array", "items": { "type": "object", "properties": {
                "id": { "type": "integer" }, "file_name": { "type": "string" }, "content_type": { "type": "string" },
                "size": { "type": "integer" }, "sha256": { "type": "string" }, "added_by": { "type": "string" }, "added_at": { "type": "integer" } } } } } }
    });
    (paths, schemas)
}

fn base_spec() -> Value {
    let none = json!([]);
    // A listing that may name a subject already listed or proposed is
    // stopped with the entries it may be, until confirmed.
    let mut propose = op(
        "Common list",
        "Propose a listing (members' administrators and contributors; the rule decides which members may). A listing whose names or document numbers match an entry of the common list, of a reference list or of a running proposal you may read is refused with 409 `possible_duplicates`, listing them; send `confirm_not_duplicate: true` to propose it all the same. 409 `conflict` when the subject is already pending or the rule refuses the proposer",
        true,
        Some("NewProposal"),
        (201, r("Proposal")),
        none.clone(),
    );
    propose["responses"]["409"] = json!({ "description": "possible duplicates, or a procedure refusal", "content": { "application/json": { "schema": { "allOf": [r("Error"), { "type": "object", "properties": {
        "possible_duplicates": { "type": "array", "items": { "type": "object", "properties": {
            "dataset": { "type": "string", "description": "common, proposals (a running proposal: reference is its id), or a reference list's name" },
            "reference": { "type": "string" }, "caption": { "type": "string" },
            "schema": { "type": "string", "enum": ["Person", "Organization", "Vessel", "Aircraft"] },
            "proposed_name": { "type": "string" }, "matched_name": { "type": "string" },
            "score": { "type": "number" }, "low_confidence": { "type": "boolean" },
            "document": { "type": "string", "description": "the document number both carry, when that is what found it" } } } } } }] } } } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Accord API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of Accord, the platform of the Central and South Asia partnership against violent extremism. \
                Authenticate machines with a personal API token (`Authorization: Bearer acc_…`), created on the profile page or with `accord token create`. \
                Browser sessions must send the `X-CSRF-Token` header on writes. Errors have the shape `{\"error\": {status, code, message, fields}}`."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/me": { "get": op("Account", "The signed-in user", true, None, (200, r("User")), none.clone()) },
            "/api/me/mail": {
                "get": op("Account", "Your e-mail settings (address, mode off/each/daily, language) and whether this server sends mail", true, None, (200, r("MailSettings")), none.clone()),
                "put": op("Account", "Set your e-mail settings: notices by SMTP as they arrive (`each`) or one digest a day (`daily`); an address is needed unless `off`. Turning mail on starts from now: earlier notices are not mailed", true, Some("MailInput"), (200, r("MailSettings")), none.clone())
            },
            "/api/waiting": { "get": op("Account", "What waits for the signed-in user, soonest first: decisions its state owes, holds lapsing, reports owed and drafts it may submit in open rounds, for the secretariat open proposals and rounds, and counts of petitions, library items and hashes to review and of unread notices", true, None, (200, r("Waiting")), none.clone()) },
            "/api/me/password": { "post": op("Account", "Change your password: your other sessions end, the current one is replaced, tokens are revoked if asked. The one call an account with a one-time password may make (any other answers 403 `password_change_required`); throttled with sign-in failures (429)", true, Some("PasswordChange"), (200, r("PasswordChanged")), none.clone()) },
            "/api/members": {
                "get": op("Members", "All members (public)", false, None, (200, list("Member")), none.clone()),
                "post": op("Members", "Add a civil-society or private-sector member (secretariat)", true, Some("NewMember"), (201, r("Member")), none.clone())
            },
            "/api/members/{code}": { "get": op("Members", "One member (public)", false, None, (200, r("Member")), path_param("code", "string")) },
            "/api/members/{code}/keys": {
                "get": op("Members", "The member's decision-signing keys, oldest first (public)", false, None, (200, list("MemberKey")), path_param("code", "string")),
                "post": op("Members", "Register a new signing key (the member's own administrators); it replaces the current key from now on", true, Some("MemberKeyInput"), (201, r("MemberKey")), path_param("code", "string"))
            },
            "/api/members/{code}/focal-points": {
                "get": op("Focal points", "A member's focal points (signed-in users of members; audited)", true, None, (200, list("FocalPoint")), path_param("code", "string")),
                "post": op("Focal points", "Add a focal point (the member's administrators)", true, Some("FocalPointInput"), (201, r("FocalPoint")), path_param("code", "string"))
            },
            "/api/focal-points/{id}": {
                "get": op("Focal points", "One focal point (audited)", true, None, (200, r("FocalPoint")), path_param("id", "integer")),
                "put": op("Focal points", "Replace a focal point; `version` must be the one read (409 otherwise)", true, Some("FocalPointUpdate"), (200, r("FocalPoint")), path_param("id", "integer")),
                "delete": op("Focal points", "Delete a focal point", true, None, (204, json!({})), path_param("id", "integer"))
            },
            "/api/tokens": {
                "get": op("Account", "Your API tokens", true, None, (200, list("ApiToken")), none.clone()),
                "post": op("Account", "Create an API token with its scopes and lifetime; the secret is returned once (signed in only: a token cannot create tokens)", true, Some("NewToken"), (201, r("CreatedToken")), none.clone())
            },
            "/api/tokens/{id}": { "delete": op("Account", "Revoke one of your tokens", true, None, (204, json!({})), path_param("id", "integer")) },
            "/api/users": {
                "get": op("Users", "Accounts you administer", true, None, (200, list("User")), none.clone()),
                "post": op("Users", "Create an account with a one-time password", true, Some("NewUser"), (201, r("CreatedUser")), none.clone())
            },
            "/api/users/{username}/disable": { "post": op("Users", "Disable an account and end its sessions", true, None, (200, r("User")), path_param("username", "string")) },
            "/api/audit": { "get": op("Audit", "Audit records, newest first, filtered and paged as the audit page is (secretariat); 422 naming a bad parameter", true, None, (200, listed("AuditRecord")), list_params(json!([
                { "name": "action", "in": "query", "schema": { "type": "string" }, "description": "one of the actions the log holds" },
                { "name": "actor", "in": "query", "schema": { "type": "string" }, "description": "a user name exactly" },
                { "name": "from", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "from this day (UTC)" },
                { "name": "to", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "to this day (UTC), included; not before from" },
                { "name": "before", "in": "query", "schema": { "type": "integer" }, "description": "only records with a smaller sequence number" }
            ]))) },
            "/api/audit/verify": { "get": op("Audit", "Verify the audit log's hash chain (secretariat)", true, None, (200, r("AuditVerification")), none.clone()) },
            "/api/screen": { "post": op("Screening", "Screen one name or a batch of up to 1,000 against the loaded lists (audited)", true, Some("ScreenRequest"), (200, r("ScreenResponse")), none.clone()) },
            "/api/manifests": {
                "post": manifests_op(),
                "get": op("Screening", "Kept manifest screenings you may read (your own; a member's administrators: all of the member's), newest first: flights, totals, and until when every traveller is kept", true, None, (200, json!({ "type": "array", "items": { "type": "object" } })), none.clone())
            },
            "/api/manifests/{id}": { "get": op("Screening", "One kept manifest screening: flights, totals, the travellers with candidates, and every traveller while manifest_retention_days keeps them (404 for one you may not read; the read is audited)", true, None, (200, json!({ "type": "object" })), path_param("id", "integer")) },
            "/match/{dataset}": { "post": op("Screening", "OpenSanctions yente-compatible matching (request and response as yente's /match/{dataset}, header x-batch-size; errors {\"detail\"}, 422 in FastAPI's shape; Authorization: Bearer or ApiKey)", true, None, (200, json!({ "type": "object" })), path_param("dataset", "string")) },
            "/algorithms": { "get": op("Screening", "yente-compatible: the algorithm names /match accepts (all served by Accord's engine), in yente's AlgorithmResponse shape", true, None, (200, json!({ "type": "object" })), json!([])) },
            "/catalog": { "get": op("Screening", "yente-compatible: the lists screening searches, in yente's DataCatalogModel shape", true, None, (200, json!({ "type": "object" })), json!([])) },
            "/search/{dataset}": { "get": op("Screening", "yente's full-text search: not available (Accord screens by example, POST /match/{dataset}); always 404 {\"detail\"}", true, None, (404, json!({ "type": "object" })), path_param("dataset", "string")) },
            "/api/list": { "get": op("Common list", "The current published version (or ?version=N) with entries and published reasons; ETag. Before the first version is adopted (and for ?version=0) it is version 0 with no entries", false, None, (200, json!({ "type": "object" })), json!([{ "name": "version", "in": "query", "schema": { "type": "integer" } }])) },
            "/api/list/entries/{id}": { "get": op("Common list", "One subject of the common list by its identifier (ACL-0001): its entry as last published, its standing (listed, delisted, merged), the versions it is in and what each did to it, the entries linking to it; for callers who view proposals also the proposals about it and its merges, for the ombudsperson its petitions (tracking number and status, no personal data). A subject never published is found only by those who may see its proposal", false, None, (200, json!({ "type": "object" })), path_param("id", "string")) },
            "/api/list/versions": { "get": op("Common list", "Every published version with what changed", false, None, (200, json!({ "type": "array", "items": { "type": "object" } })), none.clone()) },
            "/api/list/compare": { "get": op("Common list", "What changed between two versions (0 is the empty list)", false, None, (200, json!({ "type": "object" })), json!([{ "name": "from", "in": "query", "required": true, "schema": { "type": "integer" } }, { "name": "to", "in": "query", "required": true, "schema": { "type": "integer" } }])) },
            "/api/list/export/{format}": { "get": op("Common list", "A version as csv, ftm (FollowTheMoney JSON lines), xml (UN consolidated list structure) or stix (STIX 2.1 bundle); ETag", false, None, (200, json!({ "type": "string" })), json!([{ "name": "format", "in": "path", "required": true, "schema": { "type": "string", "enum": ["csv", "ftm", "xml", "stix"] } }, { "name": "version", "in": "query", "schema": { "type": "integer" } }])) },
            "/api/list/export/{format}.minisig": { "get": op("Proof", "The minisign signature of exactly the bytes /api/list/export/{format} returns for the same version (trusted comment: timestamp, file, list, version, sha256)", false, None, (200, json!({ "type": "string" })), json!([{ "name": "format", "in": "path", "required": true, "schema": { "type": "string", "enum": ["csv", "ftm", "xml", "stix"] } }, { "name": "version", "in": "query", "schema": { "type": "integer" } }])) },
            "/api/list/versions/{n}/proof-bundle": { "get": op("Proof", "Everything accord verify --offline needs for one export (?format=csv by default) of version n: file signature, signed version record, inclusion proof, signed tree head, consistency proofs from earlier heads", false, None, (200, json!({ "type": "object" })), json!([{ "name": "n", "in": "path", "required": true, "schema": { "type": "integer" } }, { "name": "format", "in": "query", "schema": { "type": "string" } }])) },
            "/api/transparency/key": { "get": op("Proof", "The platform's public key, in minisign's public-key file format", false, None, (200, json!({ "type": "string" })), none.clone()) },
            "/api/transparency/head": { "get": op("Proof", "The newest signed tree head of the transparency log (404 before the first version)", false, None, (200, json!({ "type": "object" })), none.clone()) },
            "/api/transparency/proof": { "get": op("Proof", "A version's signed record and its inclusion proof in the newest head", false, None, (200, json!({ "type": "object" })), json!([{ "name": "version", "in": "query", "required": true, "schema": { "type": "integer" } }])) },
            "/api/transparency/audit-checkpoint": { "get": op("Proof", "The newest signed audit checkpoint (the audit chain's head), its inclusion proof under the newest head and the key rotations: the file `accord audit verify --checkpoint` reads (404 before the first)", false, None, (200, json!({ "type": "object" })), none.clone()) },
            "/api/transparency/consistency": { "get": op("Proof", "A consistency proof that the log of `to` entries (default: the newest head) extends the log of `from` entries", false, None, (200, json!({ "type": "object" })), json!([{ "name": "from", "in": "query", "required": true, "schema": { "type": "integer" } }, { "name": "to", "in": "query", "schema": { "type": "integer" } }])) },
            "/api/proposals": {
                "get": op("Common list", "Proposals with the procedure's view for the caller (positions only where the rule allows), filtered, ordered and paged as the proposals page is; 422 naming a bad parameter", true, None, (200, listed("Proposal")), list_params(json!([
                    { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["open", "on_hold", "adopted", "rejected", "lapsed", "withdrawn"] } },
                    { "name": "proposer", "in": "query", "schema": { "type": "string" }, "description": "a member's code, or ombudsperson" },
                    { "name": "kind", "in": "query", "schema": { "type": "string", "enum": ["list", "amend", "delist", "delisting_recommendation"] } },
                    { "name": "sort", "in": "query", "schema": { "type": "string", "enum": ["deadline", "-deadline", "-proposed", "proposed", "status", "-status"] }, "description": "- for the reverse order; deadline by default" }
                ]))),
                "post": propose
            },
            "/api/proposals/{id}": { "get": op("Common list", "One proposal", true, None, (200, r("Proposal")), path_param("id", "integer")) },
            "/api/proposals/{id}/decisions": { "post": op("Common list", "Your state's decision: concur, object, hold, extend_hold, lift_hold or withdraw (409 when the procedure refuses it). A state's decision (all but withdraw) carries `at` and `signature`: the minisign signature, by the member's registered key, of the bytes `GET /api/proposals/{id}/decision-to-sign` returns for the same action, reason and `at` (422 on `signature` when it is missing, stale, replayed or does not verify)", true, Some("Decision"), (200, r("Proposal")), path_param("id", "integer")) },
            "/api/proposals/{id}/decision-to-sign": { "get": {
                "tags": ["Common list"],
                "summary": "The canonical bytes (RFC 8785 JSON after NFC) your state signs for a decision: sign them with minisign -S and send the signature with the same action, reason and at",
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "action", "in": "query", "required": true, "schema": { "type": "string", "enum": ["concur", "object", "hold", "extend_hold", "lift_hold"] } },
                    { "name": "reason", "in": "query", "required": false, "schema": { "type": "string" } },
                    { "name": "at", "in": "query", "required": false, "description": "Unix seconds; now when absent", "schema": { "type": "integer" } }
                ],
                "responses": {
                    "200": { "description": "the bytes to sign", "content": { "application/json": { "schema": { "type": "object" } } } },
                    "401": { "$ref": "#/components/responses/Error" }, "403": { "$ref": "#/components/responses/Error" },
                    "404": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" }
                }
            } },
            "/api/subjects/{id}": { "get": op("Common list", "A subject with its entry, status and merges", true, None, (200, json!({ "type": "object" })), path_param("id", "string")) },
            "/api/subjects/{id}/merge": { "post": op("Common list", "Merge this subject into another (secretariat; explicit, audited, reversible)", true, Some("MergeRequest"), (201, json!({ "type": "object" })), path_param("id", "string")) },
            "/api/merges/{id}/undo": { "post": op("Common list", "Undo a merge (secretariat)", true, None, (200, json!({ "type": "object" })), path_param("id", "integer")) },
            "/api/procedure": {
                "get": op("Common list", "The agreement procedure's rule in force (version 0: the built-in UN 1267 default) and the delisting rule derived from it", true, None, (200, r("ProcedureVersion")), none.clone()),
                "put": op("Common list", "Change the rule (secretariat): stored as the next version, audited; new proposals take it, open ones keep theirs; `version` must be the one read (409 otherwise)", true, Some("ProcedureUpdate"), (200, r("ProcedureVersion")), none.clone())
            },
            "/api/procedure/versions": { "get": op("Common list", "Every stored version of the rule, newest first", true, None, (200, list("ProcedureVersion")), none.clone()) },
            "/api/petitions": { "post": op("Common list", "Petition for delisting (no account needed); returns the tracking number", false, Some("NewPetition"), (201, r("PetitionTracking")), none.clone()) },
            "/api/petitions/{tracking}": { "get": op("Common list", "A petition's status by tracking number (no personal data)", false, None, (200, r("PetitionTracking")), path_param("tracking", "string")) },
            "/api/petitions/{tracking}/reply": { "post": op("Common list", "The petitioner's answer to the ombudsperson's question (`information_request` in the status); the tracking number is the credential. 409 when no question is open: one answer per question", false, Some("PetitionReply"), (200, r("PetitionTracking")), path_param("tracking", "string")) },
            "/api/notifications": { "get": op("Common list", "Notifications for the caller's member (or the secretariat), newest first", true, None, (200, json!({ "type": "array", "items": { "type": "object" } })), none.clone()) },
            "/api/commitments": {
                "get": op("Joint Plan", "The frameworks' commitments with their exact text (public)", false, None, (200, json!({ "type": "array", "items": r("Commitment") })), none.clone()),
                "post": op("Joint Plan", "Add a commitment (secretariat)", true, Some("NewCommitment"), (201, r("Commitment")), none.clone())
            },
            "/api/commitments/{id}": { "get": op("Joint Plan", "One commitment (public)", false, None, (200, r("Commitment")), path_param("id", "string")) },
            "/api/lists": { "get": op("Reference lists", "Every stored version of the reference lists, with its import report", true, None, (200, json!({ "type": "array", "items": { "type": "object" } })), none.clone()) },
            "/api/openapi.json": { "get": op("Meta", "This document", false, None, (200, json!({ "type": "object" })), none) }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "A personal API token (acc_…)" } },
            "responses": { "Error": { "description": "An error", "content": { "application/json": { "schema": r("Error") } } } },
            "schemas": {
                "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": {
                    "status": { "type": "integer" }, "code": { "type": "string" }, "message": { "type": "string" },
                    "fields": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } }
                } } } },
                "MemberKind": { "type": "string", "enum": ["regional_state", "partner_state", "partner_organization", "civil_society", "private_sector"] },
                "Member": { "type": "object", "required": ["code", "name", "kind"], "properties": {
                    "id": { "type": "integer" }, "code": { "type": "string", "description": "ISO 3166-1 alpha-3 for states, an acronym for organizations" },
                    "kind": r("MemberKind"), "name": { "type": "string" }, "name_ru": { "type": "string" },
                    "seeded": { "type": "boolean", "description": "named in the Astana conference report" } } },
                "NewMember": { "type": "object", "required": ["code", "kind", "name"], "properties": {
                    "code": { "type": "string" }, "kind": { "type": "string", "enum": ["civil_society", "private_sector"] },
                    "name": { "type": "string" }, "name_ru": { "type": "string" } } },
                "FocalPointInput": { "type": "object", "required": ["name"], "properties": {
                    "name": { "type": "string" }, "title": { "type": "string" }, "agency": { "type": "string" },
                    "languages": { "type": "string" }, "email": { "type": "string" }, "phone": { "type": "string" },
                    "last_verified": { "type": "string", "format": "date", "description": "defaults to today" } } },
                "FocalPointUpdate": { "allOf": [r("FocalPointInput"), { "type": "object", "required": ["version"], "properties": { "version": { "type": "integer" } } }] },
                "FocalPoint": { "allOf": [r("FocalPointInput"), { "type": "object", "properties": {
                    "id": { "type": "integer" }, "member": { "type": "string" }, "version": { "type": "integer" },
                    "stale": { "type": "boolean", "description": "not verified for more than a year" } } }] },
                "Role": { "type": "string", "enum": ["reader", "contributor", "member_admin", "secretariat_admin"] },
                "MailInput": { "type": "object", "required": ["mode", "lang"], "properties": {
                    "address": { "type": "string", "format": "email", "maxLength": 254 },
                    "mode": { "type": "string", "enum": ["off", "each", "daily"] },
                    "lang": { "type": "string", "enum": ["en", "ru"] }
                } },
                "MailSettings": { "type": "object", "properties": {
                    "address": { "type": "string" }, "mode": { "type": "string", "enum": ["off", "each", "daily"] },
                    "lang": { "type": "string" }, "server_sends_mail": { "type": "boolean" }
                } },
                "WaitingItem": { "type": "object", "required": ["label", "detail", "href", "due"], "properties": {
                    "label": { "type": "string", "description": "what it is about: a proposal's subject and name, a round's name" },
                    "detail": { "type": "string", "description": "a short detail in the request's language" },
                    "href": { "type": "string", "description": "the page where it is done" },
                    "due": { "type": "string", "format": "date-time" }
                } },
                "Waiting": { "type": "object", "properties": {
                    "decisions": list("WaitingItem"), "holds": list("WaitingItem"), "reports": list("WaitingItem"),
                    "drafts": list("WaitingItem"), "open_proposals": list("WaitingItem"), "open_rounds": list("WaitingItem"),
                    "petitions_to_review": { "type": "integer" }, "library_to_review": { "type": "integer" },
                    "hashes_to_review": { "type": "integer" }, "unread_notifications": { "type": "integer" }
                } },
                "User": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "username": { "type": "string" }, "display_name": { "type": "string" },
                    "member": { "type": ["string", "null"] }, "role": r("Role"), "disabled": { "type": "boolean" }, "must_change_password": { "type": "boolean" } } },
                "NewUser": { "type": "object", "required": ["username", "display_name", "role"], "properties": {
                    "username": { "type": "string" }, "display_name": { "type": "string" }, "member": { "type": "string" }, "role": r("Role") } },
                "CreatedUser": { "type": "object", "properties": { "user": r("User"), "one_time_password": { "type": "string" } } },
                "ApiToken": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "user_id": { "type": "integer" }, "name": { "type": "string" }, "prefix": { "type": "string" },
                    "created_at": { "type": "integer", "description": "Unix milliseconds" }, "last_used_at": { "type": ["integer", "null"] }, "revoked_at": { "type": ["integer", "null"] },
                    "scopes": { "type": "string", "description": "what it may be used for, space-separated: screen, read, write, taxii, hashes, metrics" },
                    "expires_at": { "type": ["integer", "null"], "description": "Unix milliseconds; it stops working then" } } },
                "NewToken": { "type": "object", "required": ["name", "scopes"], "properties": {
                    "name": { "type": "string", "minLength": 1, "maxLength": 100 },
                    "scopes": { "type": "array", "minItems": 1, "items": { "type": "string", "enum": ["screen", "read", "write", "taxii", "hashes", "metrics"] },
                        "description": "screen: /api/screen, /match, /api/manifests; hashes: /api/hashes, /api/banks, /m, the TCAP list; read and write: the rest of the API; metrics: /metrics. No token can create tokens, accounts, passwords or signing keys. taxii is reserved (no TAXII server yet)." },
                    "days": { "type": "integer", "minimum": 1, "maximum": 730, "description": "lifetime (default 90, the server's token_days)" } } },
                "PasswordChange": { "type": "object", "required": ["current_password", "new_password"], "properties": { "current_password": { "type": "string" }, "new_password": { "type": "string", "minLength": 10 }, "revoke_tokens": { "type": "boolean", "default": false } } },
                "PasswordChanged": { "type": "object", "properties": { "sessions_ended": { "type": "integer" }, "tokens_revoked": { "type": "integer" } } },
                "CreatedToken": { "type": "object", "properties": { "token": r("ApiToken"), "secret": { "type": "string", "description": "shown once" } } },
                "AuditRecord": { "type": "object", "properties": {
                    "seq": { "type": "integer" }, "at_ms": { "type": "integer" }, "actor_id": { "type": ["integer", "null"] }, "actor": { "type": "string" },
                    "action": { "type": "string" }, "target": { "type": "string" }, "outcome": { "type": "string", "enum": ["ok", "denied"] },
                    "ip": { "type": "string" }, "details": { "type": "string" }, "prev_hash": { "type": "string" }, "hash": { "type": "string" } } },
                "ScreenQuery": { "type": "object", "required": ["name"], "properties": {
                    "id": { "type": "string" }, "name": { "type": "string", "description": "any script" },
                    "birth_date": { "type": "string", "description": "1970-01-31, 1970-01 or 1970" },
                    "country": { "type": "string" }, "schema": { "type": "string", "enum": ["Person", "Organization"] } } },
                "ScreenRequest": { "type": "object", "properties": {
                    "queries": { "type": "array", "maxItems": 1000, "items": r("ScreenQuery") },
                    "name": { "type": "string", "description": "a single query may be given at the top level instead of `queries`" },
                    "lists": { "type": "array", "items": { "type": "string" } },
                    "threshold": { "type": "number", "minimum": 0, "maximum": 1 }, "limit": { "type": "integer", "minimum": 1, "maximum": 100 } } },
                "ScreenResponse": { "type": "object", "properties": {
                    "lists": { "type": "array", "items": { "type": "string" } }, "threshold": { "type": "number" },
                    "results": { "type": "array", "items": { "type": "object", "properties": {
                        "id": { "type": "string" }, "name": { "type": "string" }, "error": { "type": "string" },
                        "candidates": { "type": "array", "items": { "type": "object", "properties": {
                            "match_id": { "type": "string" }, "dataset": { "type": "string" }, "name": { "type": "string" },
                            "schema": { "type": ["string", "null"], "enum": ["Person", "Organization", "Vessel", "Aircraft", null], "description": "what kind of subject the list entry is" },
                            "matched_name": { "type": "string" }, "score": { "type": "number" }, "explanation_text": { "type": "string" },
                            "explanation": { "type": "object" } } } } } } } } },
                "Commitment": { "type": "object", "required": ["id", "text", "framework"], "properties": {
                    "id": { "type": "string", "description": "e.g. astana2015.step.1" }, "text": { "type": "string", "description": "verbatim from the source" },
                    "framework": { "type": "string" }, "kind": { "type": "string", "enum": ["task", "initiative", "conclusion", "concrete_step", "other"] },
                    "number": { "type": "integer" }, "pillars": { "type": "array", "items": { "type": "string" } },
                    "applies_to": { "type": "object" }, "due": { "type": ["object", "null"] }, "source": { "type": "string" } } },
                "Proposal": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "subject": { "type": "string" }, "kind": { "type": "string" }, "proposer": { "type": "string" },
                    "narrative_summary": { "type": "string" }, "proposed_entry": { "type": ["object", "null"] },
                    "un_reference": { "type": ["string", "null"], "description": "the linked entry of the stored UN list" },
                    "entry_restricted": { "type": "boolean", "description": "true when whom the proposal names is withheld from the caller until adoption: proposed_entry and un_reference are null and narrative_summary empty (docs/common-list.md, \"Who sees a proposal\")" },
                    "view": { "type": "object", "description": "status, deadline, time left, tally, positions (if visible), available actions" } } },
                "NewProposal": { "type": "object", "required": ["statement_of_case", "narrative_summary"], "properties": {
                    "kind": { "type": "string", "enum": ["list", "amend", "delist"], "default": "list" },
                    "subject": { "type": "string", "description": "the listed entry to amend or delist, e.g. ACL-0001" },
                    "subject_kind": { "type": "string", "enum": ["organization", "individual", "sponsor"], "description": "required unless delisting" },
                    "sponsor_type": { "type": "string", "enum": ["organization", "individual"], "default": "organization" },
                    "name": { "type": "string", "description": "the primary name; required unless delisting" },
                    "aliases": { "type": "array", "maxItems": 50, "items": { "oneOf": [{ "type": "string" }, r("AliasInput")] } },
                    "original_script": { "type": "string" },
                    "birth_date": { "type": "string", "description": "one birth date (see birth_dates)" },
                    "birth_dates": { "type": "array", "maxItems": 50, "items": { "type": "string" }, "description": "individuals: 1970-01-31, 1970-01, 1970, a range of years 1962-1965; ~ before a date: approximate" },
                    "birth_places": { "type": "array", "maxItems": 50, "items": { "type": "string" } },
                    "nationality": { "type": "string", "description": "one nationality (see nationalities)" },
                    "nationalities": { "type": "array", "maxItems": 50, "items": { "type": "string" } },
                    "documents": { "type": "array", "maxItems": 50, "items": { "type": "object", "required": ["kind", "number"], "properties": {
                        "kind": { "type": "string", "description": "e.g. Passport" }, "number": { "type": "string" }, "country": { "type": "string" }, "note": { "type": "string" } } } },
                    "addresses": { "type": "array", "maxItems": 50, "items": { "type": "object", "properties": {
                        "street": { "type": "string" }, "city": { "type": "string" }, "region": { "type": "string" },
                        "postal_code": { "type": "string" }, "country": { "type": "string" }, "note": { "type": "string" } } } },
                    "links": { "type": "array", "maxItems": 50, "description": "a sponsor needs a sponsor_of link to an organization", "items": { "type": "object", "required": ["relation", "target"], "properties": {
                        "relation": { "type": "string", "enum": ["member_of", "sponsor_of", "leader_of", "alias_of"] },
                        "target": { "type": "string", "description": "the other subject, e.g. ACL-0001" } } } },
                    "un_reference": { "type": "string", "description": "an entry of the stored UN list (e.g. QDi.123); unknown: 422" },
                    "statement_of_case": { "type": "string", "description": "confidential" },
                    "tlp": { "type": "string", "enum": ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"], "default": "AMBER" },
                    "narrative_summary": { "type": "string", "description": "published if adopted" },
                    "confirm_not_duplicate": { "type": "boolean", "default": false, "description": "propose it although possible duplicates were found (see the 409 answer)" } } },
                "AliasInput": { "type": "object", "required": ["name"], "properties": {
                    "name": { "type": "string" },
                    "script": { "type": "string", "description": "ISO 15924 (Latn, Cyrl, Arab…); detected when absent" },
                    "language": { "type": "string", "description": "ISO 639 (ru, ps, ur…)" },
                    "quality": { "type": "string", "enum": ["strong", "weak"], "default": "strong", "description": "weak names are screened; a match on one is a low-confidence hit" },
                    "kind": { "type": "string", "enum": ["alias", "former_name"], "default": "alias" } } },
                "Decision": { "type": "object", "required": ["action"], "properties": {
                    "action": { "type": "string", "enum": ["concur", "object", "hold", "extend_hold", "lift_hold", "withdraw"] },
                    "reason": { "type": "string" },
                    "at": { "type": "integer", "description": "Unix seconds: the time in the signed decision (within 30 minutes of the platform's clock)" },
                    "signature": { "type": "string", "description": "minisign signature (the four lines of a .minisig)" } } },
                "MemberKeyInput": { "type": "object", "required": ["public_key"], "properties": {
                    "public_key": { "type": "string", "description": "minisign public key file or its base64 line" } } },
                "MemberKey": { "type": "object", "properties": {
                    "key_id": { "type": "string" }, "public_key": { "type": "string" },
                    "valid_from": { "type": "integer" }, "valid_until": { "type": ["integer", "null"] }, "current": { "type": "boolean" } } },
                "MergeRequest": { "type": "object", "required": ["into", "reason"], "properties": {
                    "into": { "type": "string", "description": "the subject that remains, e.g. ACL-0002" }, "reason": { "type": "string" } } },
                "Span": { "type": "object", "description": "one of {\"working_days\": n}, {\"days\": n}, {\"months\": n}", "minProperties": 1, "maxProperties": 1, "properties": {
                    "working_days": { "type": "integer", "minimum": 0 }, "days": { "type": "integer", "minimum": 0 }, "months": { "type": "integer", "minimum": 0 } } },
                "Rule": { "type": "object", "description": "the engine's rule (crates/procedure); validated on write", "properties": {
                    "name": { "type": "string" },
                    "proposers": { "type": "object", "properties": { "members": r("MemberSet"), "ombudsperson": { "type": "boolean" } } },
                    "deciders": r("MemberSet"),
                    "decision": { "type": "object", "required": ["rule"], "properties": {
                        "rule": { "type": "string", "enum": ["no_objection", "consensus", "qualified_majority"] },
                        "numerator": { "type": "integer" }, "denominator": { "type": "integer" }, "quorum": { "type": "integer" } } },
                    "period": r("Span"),
                    "calendar": { "type": "object", "properties": {
                        "weekend": { "type": "array", "items": { "type": "string", "description": "Monday … Sunday" } },
                        "holidays": { "type": "array", "items": { "type": "string", "format": "date" } } } },
                    "zone": { "type": "object", "properties": {
                        "label": { "type": "string" }, "standard_offset": { "type": "string", "example": "-05:00" },
                        "summer_time": { "type": "array", "items": { "type": "object", "properties": {
                            "from": { "type": "string", "format": "date" }, "until": { "type": "string", "format": "date" }, "utc_offset": { "type": "string" } } } },
                        "deadline_time": { "type": "string", "example": "15:00" } } },
                    "holds": { "type": "object", "properties": {
                        "allowed": { "type": "boolean" }, "max_duration": r("Span"), "extensions": { "type": "integer" }, "extension": r("Span"),
                        "on_lapse": { "type": "string", "enum": ["adopt", "lapse", "count_as_objection"] } } },
                    "reasons_required": { "type": "object", "properties": { "objection": { "type": "boolean" }, "hold": { "type": "boolean" } } },
                    "visibility": { "type": "string", "enum": ["open", "deciders_only", "secretariat_only"] },
                    "reminders": { "type": "array", "items": { "type": "integer" }, "description": "working days before the deadline" } } },
                "MemberSet": { "type": "object", "properties": {
                    "kinds": { "type": "array", "items": r("MemberKind") }, "codes": { "type": "array", "items": { "type": "string" } } } },
                "ProcedureSettings": { "type": "object", "required": ["rule", "reverse_consensus_days", "review_years"], "properties": {
                    "rule": r("Rule"),
                    "reverse_consensus_days": { "type": "integer", "minimum": 1, "maximum": 3660, "description": "delisting recommendations take effect after this many days unless the states keep the listing by consensus" },
                    "review_years": { "type": "integer", "minimum": 1, "maximum": 20 } } },
                "ProcedureVersion": { "type": "object", "properties": {
                    "version": { "type": "integer" }, "settings": r("ProcedureSettings"), "reason": { "type": "string" },
                    "changed_by": { "type": "string" }, "changed_at": { "type": "integer", "description": "Unix milliseconds" },
                    "delisting_rule": r("Rule") } },
                "ProcedureUpdate": { "type": "object", "required": ["version", "reason", "settings"], "properties": {
                    "version": { "type": "integer", "description": "the version read" }, "reason": { "type": "string" }, "settings": r("ProcedureSettings") } },
                "NewPetition": { "type": "object", "required": ["subject", "petitioner_name", "petitioner_contact", "grounds"], "properties": {
                    "subject": { "type": "string" }, "petitioner_name": { "type": "string" }, "petitioner_contact": { "type": "string" },
                    "representative": { "type": "boolean" }, "grounds": { "type": "string" } } },
                "PetitionTracking": { "type": "object", "properties": {
                    "tracking_number": { "type": "string" }, "subject": { "type": "string" },
                    "status": { "type": "string", "enum": ["received", "under_review", "information_requested", "recommended", "decided"] },
                    "outcome": { "type": ["string", "null"] },
                    "information_request": { "type": ["string", "null"], "description": "what the ombudsperson asks the petitioner, while a reply is awaited" },
                    "created_at": { "type": "integer" }, "updated_at": { "type": "integer" } } },
                "PetitionReply": { "type": "object", "required": ["reply"], "properties": { "reply": { "type": "string", "maxLength": 20000 } } },
                "AuditVerification": { "type": "object", "properties": { "intact": { "type": "boolean" }, "records": { "type": "integer" }, "problem": { "type": "string" } } }
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}

pub async fn docs_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &accord_core::Action::ViewApiDocs)
        .await?;
    Ok(Html(
        html! {
            (DOCTYPE)
            html lang=(ctx.lang.code()) {
                head {
                    meta charset="utf-8";
                    title { "Accord API" }
                    link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css";
                    link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
                }
                body {
                    p { a href="/" { "← Accord" } }
                    div id="swagger-ui" {}
                    script src="/static/vendor/swagger-ui/swagger-ui-bundle.js" {}
                    script src="/static/api-docs.js" {}
                }
            }
        }
        .into_string(),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_api_route_is_documented() {
        let spec = super::spec();
        let paths = spec["paths"].as_object().unwrap();
        let router_src = include_str!("routes/mod.rs");
        for line in router_src.lines() {
            let Some(start) = line.find("\"/api/") else {
                continue;
            };
            let path = line[start + 1..].split('"').next().unwrap();
            if path == "/api/docs" {
                continue;
            }
            assert!(
                paths.contains_key(path),
                "{path} is routed but not in the OpenAPI document"
            );
        }
    }
}
