"""The SDK's platform tools (`tools.*`) and computer tickets (`computer.create_session`) against
the mock over HTTP, unchanged."""

from __future__ import annotations

import pytest


def test_the_sdk_reads_scrolls_and_searches_a_web_page(admin_sdk):
    page = admin_sdk.tools.web_read("https://example.com/sdk")
    assert page.startswith("--- 🌐 WEB BROWSER: https://example.com/sdk ---")
    assert admin_sdk.tools.web_scroll("https://example.com/sdk", 0) == page
    assert "FOUND IN PAGE 0" in admin_sdk.tools.web_search("https://example.com/sdk", "scripted")
    assert "LINK:" in admin_sdk.tools.web_serp("entities mock")


def test_the_sdk_writes_and_reads_a_scratchpad(admin_sdk):
    thread = admin_sdk.threads.create_thread()
    assert admin_sdk.tools.scratchpad_update(thread.id, "Plan") == "Scratchpad updated successfully."
    assert admin_sdk.tools.scratchpad_append(thread.id, "Note") == "Note appended successfully."
    assert "Plan\n\nNote" in admin_sdk.tools.scratchpad_read(thread.id)


def test_the_sdk_refuses_a_users_web_read_as_the_server_does(user_sdk):
    _, client = user_sdk
    with pytest.raises(Exception, match="403"):
        client.tools.web_read("https://example.com/sdk")


def test_the_sdk_gets_a_computer_ticket(user_sdk):
    user, client = user_sdk
    session = client.computer.create_session("room-1")
    assert session["room_id"] == "room-1" and session["ws_url"].startswith("ws://") and session["token"].count(".") == 2
