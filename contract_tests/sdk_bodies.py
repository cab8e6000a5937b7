"""Request bodies exactly as the official SDK (projectdavid) sends them. Shared by the suite's
workflows, the benchmark and the toolkit's own tests; it imports nothing, so each can use it
without loading the suite."""

from __future__ import annotations

import mimetypes
import secrets
import string
import time
import uuid
from typing import Any

MODEL = "hyperbolic/deepseek-ai/DeepSeek-V3"
RUN_LIFETIME = 3600  # the SDK's expires_at: an hour after created_at
_ALPHABET = string.ascii_letters + string.digits
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def message_body(thread_id: str, assistant_id: str, content: str, role: str = "user", **extra: Any) -> dict[str, Any]:
    """A MessageCreate as the SDK sends it: all ten keys, nulls included."""
    return {
        "content": content,
        "thread_id": thread_id,
        "sender_id": None,
        "assistant_id": assistant_id,
        "role": role,
        "tool_id": None,
        "tool_call_id": None,
        "meta_data": {},
        "is_last_chunk": False,
        "attachments": [],
        **extra,
    }


def run_body(assistant_id: str, thread_id: str, *, model: str = "gpt-4", **extra: Any) -> dict[str, Any]:
    """A RunCreate as the SDK's `runs.create_run` sends it: a client-made `run_` id, its own
    timestamps, `status: pending` and every default (the server ignores the id and the times)."""
    created_at = int(time.time())
    return {
        "id": "run_" + "".join(secrets.choice(_ALPHABET) for _ in range(22)),
        "assistant_id": assistant_id,
        "created_at": created_at,
        "expires_at": created_at + RUN_LIFETIME,
        "instructions": "",
        "max_completion_tokens": 1000,
        "max_prompt_tokens": 500,
        "meta_data": {},
        "model": model,
        "object": "run",
        "parallel_tool_calls": False,
        "response_format": "text",
        "status": "pending",
        "thread_id": thread_id,
        "tool_choice": "none",
        "temperature": 1.0,
        "top_p": 1.0,
        "tool_resources": {},
        **extra,
    }


def vector_store_body(name: str, *, vector_size: int = 3, distance_metric: str = "Cosine") -> dict[str, Any]:
    """A store as the SDK's `vectors.create_vector_store` sends it: its own `vect_` id (which the
    server keeps as the store's id), the metric uppercased, an empty config."""
    return {
        "shared_id": "vect_" + "".join(secrets.choice(_ALPHABET) for _ in range(22)),
        "name": name,
        "vector_size": vector_size,
        "distance_metric": distance_metric.upper(),
        "config": {},
    }


def vectors_body(texts: list[str], vectors: list[list[float]], file_name: str = "handbook.md") -> dict[str, Any]:
    """A file's chunks as the SDK's `add_file_to_vector_store` sends them once it has embedded
    them: a `vsf_<uuid4>` file record, and each chunk's metadata naming the file."""
    file_id = f"vsf_{uuid.uuid4()}"
    path = f"/docs/{file_name}"
    metadata = [
        {"source": path, "file_path": path, "file_name": file_name, "chunk_index": i, "file_id": file_id}
        for i in range(len(texts))
    ]
    file = {"file_id": file_id, "file_name": file_name, "file_path": path, "status": "completed", "meta_data": {}}
    return {"texts": texts, "vectors": vectors, "metadata": metadata, "file": file}


def file_upload(
    filename: str, data: bytes, purpose: str = "assistants", content_type: str | None = None
) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    """An upload as the SDK's upload_file sends it, as httpx's `data` and `files`: the text part
    `purpose`, and the part `file` named after the file, typed with Python's guess for its name
    (application/octet-stream when there is none), unless `content_type` says otherwise."""
    guessed = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return {"purpose": purpose}, {"file": (filename, data, content_type or guessed)}
