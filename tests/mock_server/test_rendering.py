"""An event on the wire: SSE text whose data is JSON exactly as Python's json module writes it
(the real server's spacing, non-ASCII as it is), whatever the mock does to write it faster."""

from __future__ import annotations

import json

import pytest

from mock_server.rendering import frame
from mock_server.reply import Event

VALUES = [
    {"type": "content", "content": "It is 18 °C ", "run_id": "run_x"},
    {"type": "tool_call", "content": {"name": "f", "arguments": '{"q": "\\"quoted\\"\\n"}'}, "run_id": "run_x"},
    {"nested": [1, 2.5, None, True, False, {}, [], {"deep": ["\u2028", "\x00", "😀"]}], "big": 10**30},
    {"float": 1e100, "negative": -0.0, "tab": "\t"},
]


@pytest.mark.parametrize("value", VALUES, ids=["content", "escapes", "nested", "numbers"])
def test_a_frames_data_is_json_as_pythons_json_module_writes_it(value):
    expected = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    assert frame(Event(value)) == f"data: {expected}\n\n"


def test_a_named_event_and_a_comment_keep_their_lines_and_line_ends():
    assert frame(Event({"a": 1}, event="action_required"), "\r\n") == 'event: action_required\r\ndata: {"a": 1}\r\n\r\n'
    assert frame(Event(comment="ping")) == ": ping\n\n"
    assert frame(Event("[DONE]")) == "data: [DONE]\n\n"


def test_a_value_json_cannot_write_is_refused_not_sent():
    with pytest.raises(TypeError):
        frame(Event({"when": object()}))
