"""Request bodies exactly as the official SDK (projectdavid) sends them. Shared by the suite's
workflows, the benchmark and the toolkit's own tests; it imports nothing, so each can use it
without loading the suite."""

from __future__ import annotations

from typing import Any

MODEL = "hyperbolic/deepseek-ai/DeepSeek-V3"
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
