"""The OpenAPI 3.1 description of /api, written out by hand so that it says what the code does."""

from __future__ import annotations

from typing import Any

_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
_CONFLICT = {"type": "object", "required": ["error", "status", "version"], "properties": {
    "error": {"type": "string"}, "status": {"type": "string"}, "version": {"type": "integer"},
    "by": {"type": ["string", "null"], "description": "who acted last on the item"},
    "action": {"type": ["string", "null"]}, "at": {"type": ["string", "null"], "format": "date-time"}}}
_AUTHOR = {"type": "object", "properties": {"handle": {"type": "string"}, "name": {"type": "string"},
                                            "followers": {"type": "integer"}, "verified": {"type": "boolean"}}}
_ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "version": {"type": "integer", "description": "send it back with every action"},
    "status": {"type": "string", "enum": ["pending", "approved", "rejected", "blocked", "ignored", "expired"]},
    "priority": {"type": "string", "enum": ["P1", "P2", "P3", "P4"]},
    "sla_due": {"type": ["string", "null"], "format": "date-time"},
    "sla_state": {"type": "string", "enum": ["ok", "at_risk", "breached", "none"]},
    "sla_seconds_left": {"type": ["number", "null"]}, "platform": {"type": "string"}, "account": {"type": "string"},
    "assignee": {"type": ["string", "null"]}, "claimed_at": {"type": ["string", "null"], "format": "date-time"},
    "snoozed_until": {"type": ["string", "null"], "format": "date-time"},
    "reply_limit": {"type": "integer", "description": "characters allowed in a reply on this platform"},
    "mention": {"type": "object", "properties": {
        "platform_id": {"type": "string"}, "text": {"type": "string"}, "url": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}, "thread_id": {"type": "string"},
        "author": _AUTHOR}},
    "triage": {"type": "object", "properties": {
        "sentiment": {"type": "string"}, "compound": {"type": "number"},
        "intents": {"type": "array", "items": {"type": "string"}}, "relevance": {"type": "number"},
        "reasons": {"type": "array", "items": {"type": "string"}}}},
    "suggestion": {"type": "object", "properties": {
        "rule_id": {"type": "string"}, "action": {"type": "string"}, "text": {"type": "string"},
        "follow_up": {"type": "string"}, "escalate_to": {"type": "string"}, "note": {"type": "string"},
        "why": {"type": "array", "items": {"type": "string"}}}},
    "draft": {"type": ["string", "null"], "description": "an edit saved without approving"}}}

_ACTIONS: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "approve": ("Approve; with `text`, post that instead of the draft or suggestion (edit then approve).",
                {"text": {"type": "string"}}, []),
    "edit": ("Save an edited reply as a draft without approving it.", {"text": {"type": "string"}}, ["text"]),
    "reject": ("Reject with a reason; nothing is posted.", {"reason": {"type": "string"}}, ["reason"]),
    "snooze": ("Hide from the queue until a time: `+4h`, `+1d`, or ISO 8601 (no offset = the brand's timezone).",
               {"until": {"type": "string"}}, ["until"]),
    "assign": ("Assign to a user by name; an empty or null `assignee` unassigns.",
               {"assignee": {"type": ["string", "null"]}}, []),
    "claim": ("Take the item yourself; refused (409) while someone else has it.", {}, []),
}


def _filters() -> list[dict[str, Any]]:
    names = {"platform": "x, reddit, ...", "intent": "e.g. complaint", "priority": "P1..P4",
             "account": "one of our accounts", "assignee": "a user name, or - for unassigned",
             "q": "search the mention text and the author", "snoozed": "1 to list snoozed items instead"}
    params = [{"name": n, "in": "query", "required": False, "description": d, "schema": {"type": "string"}}
              for n, d in names.items()]
    params += [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
               {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}]
    return params


def _responses(ok: dict[str, Any]) -> dict[str, Any]:
    json_error = {"application/json": {"schema": _ERROR}}
    return {"200": {"description": "OK", "content": {"application/json": {"schema": ok}}},
            "400": {"description": "The body is not a JSON object, or a field has the wrong type",
                    "content": json_error},
            "401": {"description": "Missing or unknown token", "content": json_error},
            "403": {"description": "Viewers cannot act", "content": json_error},
            "404": {"description": "No such item", "content": json_error},
            "409": {"description": "Someone acted first, or the item is claimed",
                    "content": {"application/json": {"schema": _CONFLICT}}},
            "422": {"description": "A queue rule refused it (too long, empty reason, ...)", "content": json_error}}


def spec(server: str) -> dict[str, Any]:
    """The OpenAPI document, with ``server`` as its base address."""
    id_param = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    paths: dict[str, Any] = {
        "/api/queue": {"get": {"summary": "List pending items by priority, then SLA deadline",
                               "operationId": "listQueue", "parameters": _filters(),
                               "responses": _responses({"type": "object", "properties": {
                                   "items": {"type": "array", "items": _ITEM}, "total": {"type": "integer"},
                                   "total_is_lower_bound": {"type": "boolean", "description":
                                                            "true when counting stopped (10,000, or 1,000 with "
                                                            "q or intent): there are more"},
                                   "limit": {"type": "integer"}, "offset": {"type": "integer"},
                                   "newest": {"type": "integer"}}})}},
        "/api/items/{item_id}": {"get": {"summary": "Get one item", "operationId": "getItem",
                                         "parameters": [id_param], "responses": _responses(_ITEM)}},
    }
    for action, (summary, fields, required) in _ACTIONS.items():
        body = {"type": "object", "required": ["version", *required],
                "properties": {"version": {"type": "integer", "description": "the version you looked at"}, **fields}}
        paths[f"/api/items/{{item_id}}/{action}"] = {"post": {
            "summary": summary, "operationId": f"{action}Item", "parameters": [id_param],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": _responses({"type": "object", "properties": {
                "ok": {"type": "boolean"}, "message": {"type": "string"}, "item": _ITEM}})}}
    return {"openapi": "3.1.0",
            "info": {"title": "RonR approval queue API", "version": "1",
                     "description": "The approval queue of RonR. Every action takes the item `version` you looked "
                                    "at: when two people act on one item, exactly one wins and the other gets 409 "
                                    "with who acted."},
            "servers": [{"url": server}],
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
            "security": [{"token": []}], "paths": paths}
