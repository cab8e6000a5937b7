"""How each resource is stored: constructors with the real server's defaults, shared by the handlers
and the fixture loader. Keys starting with `_` are private state, never sent."""

from __future__ import annotations

import base64
from typing import Any

from mock_server.ids import Clock, IdFactory, iso_instant

Row = dict[str, Any]
RUN_LIFETIME_SECONDS = 3600
FILE_LIFETIME_SECONDS = 3600  # an upload's expires_at: an hour on (the platform's purge daemon reads it)


def public(row: Row) -> Row:
    return {key: value for key, value in row.items() if not key.startswith("_")}


def new_user(ids: IdFactory, clock: Clock, fields: Row, *, is_admin: bool = False, user_id: str | None = None) -> Row:
    """A user. Its id is minted (a client's `id` is not a field of UserCreate, so it is ignored),
    unless a fixture names one."""
    now = clock.iso()
    return {
        "id": user_id or ids.new("user"),
        "email": fields.get("email"),
        "full_name": fields.get("full_name"),
        "given_name": fields.get("given_name"),
        "family_name": fields.get("family_name"),
        "picture_url": fields.get("picture_url"),
        "email_verified": bool(fields.get("email_verified") or False),
        "oauth_provider": fields.get("oauth_provider") or "local",
        "created_at": now,
        "updated_at": now,
        "_is_admin": is_admin,
        "_provider_user_id": fields.get("provider_user_id"),
    }


ASSISTANT_DEFAULTS: Row = {
    "description": "",
    "instructions": "",
    "tools": None,
    "tool_resources": None,
    "meta_data": None,
    "top_p": 1.0,
    "temperature": 1.0,
    "response_format": "auto",
    "max_tokens": None,
    "max_turns": 1,
    "agent_mode": False,
    "web_access": False,
    "deep_research": False,
    "engineer": False,
    "decision_telemetry": False,
}


def new_assistant(ids: IdFactory, clock: Clock, owner_id: str, fields: Row) -> Row:
    row: Row = {
        "id": fields.get("id") or ids.new("asst"),
        "user_id": None,
        "owner_id": owner_id,
        "object": "assistant",
        "created_at": clock.now(),
        "name": fields["name"],
        "model": fields["model"],
    }
    for key, default in ASSISTANT_DEFAULTS.items():
        value = fields.get(key)
        row[key] = default if value is None else value
    row["tools"] = row["tools"] or []
    row["vector_stores"] = []
    row["webhook_url"] = None  # accepted, never persisted (as on the real server)
    row["_shared_with"] = []
    return row


def new_thread(ids: IdFactory, clock: Clock, owner_id: str, participant_ids: list[str], meta_data: Row | None) -> Row:
    participants = [owner_id] + [p for p in participant_ids if p != owner_id]
    return {
        "id": ids.new("thread"),
        "created_at": clock.now(),
        "meta_data": dict(meta_data or {}),
        "object": "thread",
        "tool_resources": {},
        "owner_id": owner_id,
        "materialized": False,
        "_participant_ids": list(dict.fromkeys(participants)),
    }


def new_message(ids: IdFactory, clock: Clock, fields: Row, *, role: str, completed: bool = False) -> Row:
    now = clock.now()
    return {
        "id": ids.new("message"),
        "assistant_id": fields.get("assistant_id"),
        "attachments": list(fields.get("attachments") or []),
        "completed_at": now if completed else None,
        "content": fields["content"],
        "created_at": now,
        "incomplete_at": None,
        "incomplete_details": None,
        "meta_data": dict(fields.get("meta_data") or {}),
        "object": "message",
        "role": role,
        "run_id": fields.get("run_id"),
        "tool_id": fields.get("tool_id"),
        "tool_call_id": fields.get("tool_call_id"),
        "status": None,
        "thread_id": fields["thread_id"],
        "sender_id": fields.get("sender_id"),
    }


def new_run(ids: IdFactory, clock: Clock, user_id: str, assistant: Row, body: Row) -> Row:
    """A queued run. The client's id, status, created_at and expires_at are ignored, as on the real
    server. A model left out is RunCreate's default, gpt-4; only an empty one, like empty
    instructions, falls back to the assistant's."""
    now = clock.now()
    return {
        "id": ids.new("run"),
        "user_id": user_id,
        "assistant_id": assistant["id"],
        "cancelled_at": None,
        "completed_at": None,
        "created_at": now,
        "expires_at": now + RUN_LIFETIME_SECONDS,
        "failed_at": None,
        "incomplete_details": None,
        "instructions": body.get("instructions") or assistant.get("instructions") or "",
        "last_error": None,
        "max_completion_tokens": None,
        "max_prompt_tokens": None,
        "meta_data": dict(body.get("meta_data") or {}),
        "model": body.get("model", "gpt-4") or assistant["model"],
        "object": "thread.run",
        "parallel_tool_calls": bool(body.get("parallel_tool_calls", False)),
        "required_action": None,
        "response_format": body.get("response_format") or "text",
        "started_at": None,
        "status": "queued",
        "thread_id": body["thread_id"],
        "tool_choice": body.get("tool_choice") or "none",
        "truncation_strategy": body.get("truncation_strategy") or "auto",
        "usage": {},
        "temperature": body.get("temperature", 0.7),
        "top_p": body.get("top_p", 0.9),
        "tool_resources": dict(body.get("tool_resources") or {}),
        "_current_turn": 0,
    }


def new_action(ids: IdFactory, clock: Clock, body: Row) -> Row:
    decision = body.get("decision")
    confidence = decision.get("confidence") if isinstance(decision, dict) else None
    return {
        "id": ids.new("act"),
        "run_id": body["run_id"],
        "tool_id": None,
        "tool_name": body.get("tool_name"),  # the real server takes an action without one
        "tool_call_id": body.get("tool_call_id"),
        "turn_index": body.get("turn_index") or 0,
        "decision": decision,
        "confidence_score": float(confidence) if isinstance(confidence, int | float) else None,
        "triggered_at": clock.iso(),
        "expires_at": iso_instant(body.get("expires_at")),
        "is_processed": False,
        "processed_at": None,
        "status": body.get("status") or "pending",
        "function_args": dict(body.get("function_args") or {}),
        "result": None,
    }


def new_file(
    ids: IdFactory, clock: Clock, user_id: str, upload: Row, *, mime_type: str, file_id: str | None = None
) -> Row:
    """A stored file: its metadata as the upload answers it (timestamps in whole seconds, as the
    real server's database keeps them) and, private, its owner, type, soft-deletion and bytes
    (base64 text: a row stays JSON, and the base64 operation answers it as it is)."""
    data: bytes = upload["data"]
    now = clock.now()
    return {
        "id": file_id or ids.new("file"),
        "object": "file",
        "bytes": len(data),
        "created_at": _seconds(clock, now),
        "expires_at": _seconds(clock, now + FILE_LIFETIME_SECONDS),
        "filename": upload["filename"],
        "purpose": upload["purpose"],
        "status": "uploaded",
        "_user_id": user_id,
        "_mime_type": mime_type,
        "_deleted_at": None,
        "_content": base64.b64encode(data).decode("ascii"),
    }


def _seconds(clock: Clock, seconds: int) -> str:
    return clock.iso(seconds).partition(".")[0]


# Runs waiting for something (a turn, tool output), which expire when their hour is up.
WAITING_RUN_STATUSES = frozenset({"queued", "pending", "action_required", "processing", "retrying"})


def overdue(run: Row, now: int) -> bool:
    return run["status"] in WAITING_RUN_STATUSES and bool(run["expires_at"]) and now > run["expires_at"]


def pending_action(action: Row, run: Row) -> Row:
    """An action waiting for tool output, in the shape of the pending list and the run events."""
    return {
        "action_id": action["id"],
        "tool_call_id": action["tool_call_id"],
        "action_status": action["status"],
        "function_arguments": action["function_args"],
        "tool_name": action["tool_name"],
        "run_id": run["id"],
        "run_status": run["status"],
    }


def new_vector_store(clock: Clock, owner_id: str, fields: Row) -> Row:
    """A store, its id the client's `shared_id` (which is also its collection name)."""
    return {
        "id": fields["shared_id"],
        "name": fields["name"],
        "user_id": owner_id,
        "collection_name": fields["shared_id"],
        "vector_size": fields["vector_size"],
        "distance_metric": fields["distance_metric"].upper(),
        "created_at": clock.now(),
        "updated_at": None,
        "status": "active",
        "config": dict(fields.get("config") or {}),
        "file_count": 0,
        "object": "vector_store",
    }


def new_vector_store_file(clock: Clock, store_id: str, fields: Row, points: Row | None = None) -> Row:
    """A file record. `points` (texts, vectors and metadata, in step) are the vectors stored
    with it, kept privately on the record: removing the file removes them."""
    status = fields.get("status") or "completed"
    points = points or {}
    return {
        "id": fields["file_id"],
        "vector_store_id": store_id,
        "file_name": fields["file_name"],
        "file_path": fields["file_path"],
        "processed_at": clock.now() if status == "completed" else None,
        "status": status,
        "error_message": None,
        "meta_data": dict(fields.get("meta_data") or {}),
        "object": "vector_store.file",
        "_texts": list(points.get("texts") or []),
        "_vectors": list(points.get("vectors") or []),
        "_metadata": list(points.get("metadata") or []),
    }
