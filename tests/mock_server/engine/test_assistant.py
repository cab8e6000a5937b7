"""The scripted assistant decides each turn deterministically from rules, tools and the thread."""

from __future__ import annotations

import pytest

from mock_server.engine.assistant import ScriptedAssistant, ToolCall, arguments_for, rule_from_fixture

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
            "required": ["city", "days"],
        },
    },
}
ASSISTANT = {"id": "asst_1", "name": "Weather Bot", "tools": [WEATHER]}


def history(*messages: tuple[str, str]) -> list[dict]:
    return [{"role": role, "content": content} for role, content in messages]


def test_a_plain_question_gets_a_reply_built_from_its_words():
    turn = ScriptedAssistant().plan({**ASSISTANT, "tools": []}, history(("user", "Tell me about lighthouses")))
    assert "lighthouses" in turn.text and turn.tool_call is None


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("What about weather tomorrow", "weather tomorrow"),
        ("I asked about the tides", "tides"),
        ("about about rain", "rain"),
        ("What about it?", "it"),
        ("Tell me something about Paris", "something about Paris"),
    ],
)
def test_a_plain_reply_does_not_repeat_the_words_its_template_opens_with(message, topic):
    turn = ScriptedAssistant().plan({**ASSISTANT, "tools": []}, history(("user", message)))
    assert turn.text.startswith(f"You asked about {topic}. This is a scripted reply")


def test_naming_a_tool_calls_it_with_arguments_made_from_its_schema_and_the_message():
    turn = ScriptedAssistant().plan(ASSISTANT, history(("user", "Use get_weather for Lyon please")))
    assert turn.tool_call == ToolCall("get_weather", {"city": "Lyon", "days": 1})
    assert turn.text == ""


def test_after_a_tool_output_the_assistant_reports_it():
    turn = ScriptedAssistant().plan(ASSISTANT, history(("user", "get_weather Paris"), ("tool", '{"temp": 18}')))
    assert turn.tool_call is None and '{"temp": 18}' in turn.text


def test_a_matching_rule_wins_over_the_defaults():
    rules = [
        rule_from_fixture({"match": "secret", "reply": "I cannot say.", "reasoning": "It is secret."}),
        rule_from_fixture({"match": "boom", "error": "Upstream model error"}),
        rule_from_fixture({"match": "book", "tool_call": {"name": "book_flight", "arguments": {"to": "NYC"}}}),
    ]
    assistant = ScriptedAssistant(rules)
    secret = assistant.plan(ASSISTANT, history(("user", "Tell me the SECRET")))
    assert (secret.text, secret.reasoning) == ("I cannot say.", "It is secret.")
    assert assistant.plan(ASSISTANT, history(("user", "boom"))).error == "Upstream model error"
    assert assistant.plan(ASSISTANT, history(("user", "book it"))).tool_call == ToolCall("book_flight", {"to": "NYC"})


def test_a_rule_for_one_assistant_leaves_others_alone():
    rule = rule_from_fixture({"match": ".", "reply": "only me", "assistant_id": "asst_other"})
    turn = ScriptedAssistant([rule]).plan({**ASSISTANT, "tools": []}, history(("user", "hello")))
    assert turn.text != "only me"


def test_a_rule_without_a_pattern_is_refused():
    with pytest.raises(ValueError, match="match"):
        rule_from_fixture({"reply": "hi"})


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "enum": ["metric", "imperial"]}, "metric"),
        ({"type": "number", "minimum": 2.5}, 2.5),
        ({"type": "boolean"}, True),
        ({"type": "array", "items": {"type": "string"}}, []),
        ({"type": "string", "default": "fr"}, "fr"),
    ],
)
def test_generated_arguments_satisfy_each_json_schema_type(schema, expected):
    assert arguments_for({"properties": {"x": schema}, "required": ["x"]}, "") == {"x": expected}
