"""The scripted assistant: decides what one turn says or does, deterministically.

Rules (from fixtures) map a pattern of the last user message to a reply, a reasoning stream, a
tool call or an error. Without a matching rule: after a tool's output, the assistant reports it;
an assistant with file_search quotes the stored text that best matches the user's words (the
passage retrieval.py found, if any); an assistant with function tools calls the one whose name
the user wrote, with arguments made from the tool's JSON-schema parameters; otherwise it answers
plainly, from the user's words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

Row = dict[str, Any]


class Passage(Protocol):
    """A stored text file_search found (retrieval.py), which the reply quotes."""

    def reply(self) -> str: ...


_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w'-]*")
_STOPWORDS = frozenset(
    "a an and are at be can could do does for from give how i in is it me my of on or please tell the "
    "to use using what whats when where which who why with would you your".split()
)
# Words the plain reply's template ("You asked about …") already says: a topic that opens with
# them would repeat them ("What about rain?" is not "You asked about about rain").
_SAID_BY_TEMPLATE = frozenset({"ask", "asked", "asking", "about"})


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Turn:
    """What the assistant does in one turn: stream `reasoning`, then `text`, then call `tool_call`
    or fail with `error`."""

    text: str = ""
    reasoning: str = ""
    tool_call: ToolCall | None = None
    error: str | None = None
    # An error before the model says anything (a missing provider key), and whether it is the
    # router's (the stream breaks off, no `[DONE]`) rather than a worker's.
    error_first: bool = False
    breaks_stream: bool = False


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    turn: Turn
    assistant_id: str | None = None
    source: Row = field(default_factory=dict, compare=False)  # as written (the control plane shows it)

    def applies(self, assistant_id: str, message: str) -> bool:
        return self.assistant_id in (None, assistant_id) and bool(self.pattern.search(message))


@dataclass
class ScriptedAssistant:
    rules: list[Rule] = field(default_factory=list)

    def plan(self, assistant: Row, history: list[Row], passage: Passage | None = None) -> Turn:
        last = history[-1] if history else None
        if last is not None and last["role"] == "tool":
            return Turn(text=_report_tool_output(last))
        message = last_user_text(history)
        for rule in self.rules:
            if rule.applies(assistant["id"], message):
                return rule.turn
        if passage is not None:
            return Turn(text=passage.reply())
        tool = _named_tool(assistant.get("tools") or [], message)
        if tool is not None:
            arguments = arguments_for(tool.get("parameters") or {}, message, skip=tool["name"])
            return Turn(tool_call=ToolCall(tool["name"], arguments))
        return Turn(text=_plain_reply(assistant, message))


def rule_from_fixture(item: Row) -> Rule:
    """A rule as written in a fixture file: `match` plus one of reply/reasoning/tool_call/error."""
    if "match" not in item:
        raise ValueError(f"a rule needs a `match` pattern: {item}")
    call = item.get("tool_call")
    turn = Turn(
        text=item.get("reply", ""),
        reasoning=item.get("reasoning", ""),
        tool_call=ToolCall(call["name"], dict(call.get("arguments") or {})) if call else None,
        error=item.get("error"),
    )
    return Rule(re.compile(item["match"], re.IGNORECASE), turn, item.get("assistant_id"), dict(item))


def last_user_text(history: list[Row]) -> str:
    for message in reversed(history):
        if message["role"] == "user":
            content = message["content"]
            if isinstance(content, list):
                return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
            return str(content)
    return ""


def _named_tool(tools: list[Row], message: str) -> Row | None:
    lowered = message.lower()
    for tool in tools:
        function = tool.get("function") or {}
        name = function.get("name")
        if tool.get("type") == "function" and name and name.lower() in lowered:
            return function
    return None


def keywords(message: str) -> list[str]:
    return [w for w in _WORD.findall(message) if w.lower() not in _STOPWORDS]


def arguments_for(schema: Row, message: str, *, skip: str = "") -> dict[str, Any]:
    """Arguments satisfying a JSON-schema object, filled from the message where a string will do:
    proper nouns first (capitalised, not opening the sentence), then the other keywords."""
    words = [w for w in keywords(message) if w.lower() != skip.lower()]
    first = _WORD.match(message.strip())
    opening = first.group(0) if first else None
    capitalised = [w for w in words if w[0].isupper() and w != opening]
    candidates = iter(capitalised + [w for w in words if w not in capitalised])
    properties: Row = schema.get("properties") or {}
    required = schema.get("required") or list(properties)
    return {name: _value_for(properties.get(name) or {}, candidates) for name in required}


def _value_for(schema: Row, words: Any) -> Any:
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type", "string")
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    if kind == "array":
        return [_value_for(schema.get("items") or {}, words)] if schema.get("minItems") else []
    if kind == "object":
        return arguments_for(schema, "")
    return next(words, "example")


def _report_tool_output(message: Row) -> str:
    content = message["content"] if isinstance(message["content"], str) else json.dumps(message["content"])
    return f"Here is what the tool returned: {content}"


def _plain_reply(assistant: Row, message: str) -> str:
    if not message:
        return f"Hello! I am {assistant['name']}. How can I help?"
    topic = _topic(message)
    return f"You asked about {topic}. This is a scripted reply from {assistant['name']} on the Entities API mock."


def _topic(message: str) -> str:
    """What the message is about, in at most six of its words, without those the template says."""
    words = keywords(message)
    while words and words[0].lower() in _SAID_BY_TEMPLATE:
        words.pop(0)
    if words:
        return " ".join(words[:6])
    # Nothing but stopwords ("What about it?"): the message without the ones it opens with ("it").
    tokens = message.split()
    while len(tokens) > 1 and tokens[0].lower().strip("?!.,") in _STOPWORDS | _SAID_BY_TEMPLATE:
        tokens.pop(0)
    return " ".join(tokens).rstrip("?!.,") or message.strip()
