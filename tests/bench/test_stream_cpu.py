"""bench/stream_cpu.py times the mock's own streams in process: it reads each completion to its
`[DONE]`, counts every frame, and refuses a stream that came out short."""

from __future__ import annotations

import asyncio
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Connexion (jsonschema) warns on import
    from bench import stream_cpu


def test_it_reports_the_cost_of_opening_a_stream_and_of_each_frame_after_it():
    figures = asyncio.run(stream_cpu.measure(streams=2, tokens=3, warm=1))
    assert set(figures) == {"open_us", "frame_us"}
    assert figures["open_us"] > 0 and figures["frame_us"] > 0


def test_a_stream_with_other_frames_than_the_reply_asks_is_an_error(monkeypatch):
    rules = stream_cpu.reply_rules
    monkeypatch.setattr(stream_cpu, "reply_rules", lambda tokens: rules(tokens + 1))  # a word more than counted
    with pytest.raises(RuntimeError, match="frames"):
        asyncio.run(stream_cpu.measure(streams=1, tokens=3, warm=1))
