"""Assistants: create, list (owned and shared), read, update (owner only, shares included) and
delete, soft or permanent."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.errors import RequestValidationFailed, forbidden, not_found, validation_item
from mock_server.handlers._common import ASSISTANT_DENIED, assistant_for, bad_request
from mock_server.records import Row, new_assistant, public
from mock_server.registry import Operations
from mock_server.reply import Reply, no_content, ok

operations = Operations()

RESERVED_TOOL_NAMES = frozenset(
    {
        "code_interpreter",
        "file_search",
        "web_search",
        "search_web_page",
        "scroll_web_page",
        "read_web_page",
        "perform_web_search",
        "vector_store_search",
        "computer",
    }
)
# AssistantRead fields that may be null; a null sent for any other field changes nothing.
NULLABLE = frozenset({"description", "instructions", "tools", "tool_resources", "meta_data", "max_tokens"})
UPDATABLE = frozenset(
    {
        "name",
        "description",
        "model",
        "instructions",
        "meta_data",
        "top_p",
        "temperature",
        "response_format",
        "max_tokens",
        "max_turns",
        "agent_mode",
        "web_access",
        "deep_research",
        "engineer",
        "decision_telemetry",
        "tools",
        "tool_resources",
    }
)


async def assistants_of(ctx: Context, user_id: str) -> list[Row]:
    """The live assistants a user owns or that are shared with them, oldest first."""
    owned = await ctx.store.assistants.owned_by(user_id)
    shared = await ctx.store.assistants.shared_with(user_id)
    rows = {row["id"]: row for row in owned + shared if row.get("_deleted_at") is None}
    return sorted(rows.values(), key=lambda row: row["created_at"])


def _check_tool_names(tools: list[Row] | None) -> None:
    for tool in tools or []:
        if tool.get("type") != "function":
            continue
        function = tool.get("function") if isinstance(tool.get("function"), dict) else tool
        name = function.get("name")
        if name in RESERVED_TOOL_NAMES:
            msg = (
                f"Value error, The function name '{name}' is reserved for internal platform use. "
                "Please choose a different name for your custom tool."
            )
            item = validation_item("value_error", ["body", "tools"], msg, tools)
            item["ctx"] = {"error": {}}  # pydantic's ValueError, which JSON renders as {}
            raise RequestValidationFailed([item])


@operations("createAssistant")
async def create_assistant(ctx: Context, body: dict[str, Any]) -> Reply:
    _check_tool_names(body.get("tools"))
    wanted = body.get("id")
    if wanted and await ctx.store.assistants.get(wanted) is not None:
        raise bad_request(f"Assistant with ID '{wanted}' already exists")
    row = await ctx.store.assistants.add(new_assistant(ctx.ids, ctx.clock, ctx.caller.user_id, body))
    return ok(public(row))


@operations("listAssistants")
async def list_assistants(ctx: Context) -> Reply:
    return ok([public(row) for row in await assistants_of(ctx, ctx.caller.user_id)])


@operations("getAssistant")
async def get_assistant(ctx: Context, assistant_id: str) -> Reply:
    return ok(public(await assistant_for(ctx, assistant_id)))


@operations("updateAssistant")
async def update_assistant(ctx: Context, assistant_id: str, body: dict[str, Any]) -> Reply:
    _check_tool_names(body.get("tools"))  # body validation: before any lookup, as in FastAPI
    assistant = await assistant_for(ctx, assistant_id, write=True)
    changes = {key: value for key, value in body.items() if key in UPDATABLE and (value is not None or key in NULLABLE)}
    if "tools" in changes:
        changes["tools"] = changes["tools"] or []  # read back as [] when there are none
    if "users" in body:  # null removes every share, as on the real server
        # Unknown ids are dropped: the contract documents no error for them.
        wanted = body["users"] or []
        known = [u for u in wanted if u != assistant["owner_id"] and await ctx.store.users.get(u) is not None]
        changes["_shared_with"] = list(dict.fromkeys(known))
    # `vector_stores`, `webhook_url` and `webhook_secret` are accepted and not kept, as on the
    # real server: reads always show `vector_stores: []` and `webhook_url: null`.
    return ok(public(await ctx.store.assistants.update(assistant_id, changes)))


@operations("deleteAssistant")
async def delete_assistant(ctx: Context, assistant_id: str, permanent: bool) -> Reply:
    assistant = await ctx.store.assistants.get(assistant_id)
    # A soft-deleted assistant is gone, except to a permanent delete.
    if assistant is None or (assistant.get("_deleted_at") is not None and not permanent):
        raise not_found("Assistant")
    if assistant["owner_id"] != ctx.caller.user_id:
        raise forbidden(ASSISTANT_DENIED)
    if permanent:
        await ctx.store.assistants.remove(assistant_id)
    else:
        await ctx.store.assistants.update(assistant_id, {"_deleted_at": ctx.clock.now()})
    return no_content()
