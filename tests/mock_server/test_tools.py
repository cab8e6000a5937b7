"""The platform's tools: scripted web pages read, scrolled and searched in a session's browser
cache, web search results, a thread's scratchpad, and the sandbox and computer tickets."""

from __future__ import annotations

import jwt
import pytest

from mock_server import Settings, create_app
from tests.mock_server.conftest import ADMIN_KEY

ADMIN = {"X-API-Key": ADMIN_KEY}
PRICING = "Pricing. " + "The enterprise plan has SSO and a support line. " * 100  # > one 4000-char page


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    fixtures = tmp_path_factory.mktemp("tools") / "fixtures.yaml"
    fixtures.write_text(
        "web:\n"
        f"  - match: 'example\\.com/pricing'\n    title: Pricing\n    text: '{PRICING}'\n"
        "  - match: 'example\\.com/about'\n    text: 'About us: a small team.'\n"
    )
    return create_app(Settings(admin_key=ADMIN_KEY, seed=3, fixtures=fixtures))


def tool(client, name: str, headers=ADMIN, **body):
    return client.post(f"/v1/tools/{name}", json=body, headers=headers)


def content(client, name: str, **body) -> str:
    answer = tool(client, name, **body)
    assert answer.status_code == 200, answer.text
    return answer.json()["content"]


def test_a_scripted_page_reads_in_pages_of_4000_characters(client):
    first = content(client, "web/read", url="https://example.com/pricing")
    assert first.startswith("--- 🌐 WEB BROWSER: https://example.com/pricing ---")
    assert "VIEW: Page 0 of 1" in first and "web_scroll(url='https://example.com/pricing', page=1)" in first
    second = content(client, "web/scroll", url="https://example.com/pricing", page=1)
    assert "VIEW: Page 1 of 1" in second and second.endswith("✅ SYSTEM NOTICE: End of Document.")


def test_scrolling_past_the_end_or_a_url_not_read_says_so_in_the_content(client):
    assert content(client, "web/scroll", url="https://example.com/never", page=0).startswith("❌ Error: Cache miss.")
    content(client, "web/read", url="https://example.com/about")
    assert content(client, "web/scroll", url="https://example.com/about", page=5) == (
        "❌ Error: Page 5 out of bounds. Total pages: 1. (Try page 0)"
    )


def test_searching_a_page_read_finds_the_words_in_context(client):
    content(client, "web/read", url="https://example.com/about")
    found = content(client, "web/search", url="https://example.com/about", query="SMALL team")
    assert "--- 📄 FOUND IN PAGE 0 ---" in found and "a small team" in found
    missing = content(client, "web/search", url="https://example.com/about", query="pricing")
    assert missing == "❌ Keyword 'pricing' not found in any of the 1 pages."


def test_a_url_without_a_scripted_page_reads_the_same_page_every_time(client):
    first = content(client, "web/read", url="https://unknown.example.org/x")
    assert first == content(client, "web/read", url="https://unknown.example.org/x", force_refresh=True)
    assert "scripted page of the Entities API mock for https://unknown.example.org/x" in first


def test_web_search_answers_the_scripted_pages_that_hold_the_query(client):
    results = content(client, "web/serp", query="enterprise SSO")
    assert "1. **Pricing**" in results and "LINK: https://example.com/pricing" in results
    assert "About" not in results
    made_up = content(client, "web/serp", query="quantum gardening", count=2)
    assert made_up.count("LINK:") == 2


def test_a_scratchpad_is_empty_then_holds_what_was_written_and_appended(client, thread):
    empty = content(client, "scratchpad/read", thread_id=thread["id"])
    assert empty.startswith("(The scratchpad is currently empty.")
    assert tool(client, "scratchpad/update", thread_id=thread["id"], content="1. Compare").json() == {
        "status": "success",
        "message": "Scratchpad updated successfully.",
    }
    tool(client, "scratchpad/append", thread_id=thread["id"], note="2. Decide")
    view = content(client, "scratchpad/read", thread_id=thread["id"])
    assert view.startswith("--- 📝 RESEARCH SCRATCHPAD (Last Updated: ") and "1. Compare\n\n2. Decide\n---" in view


def test_a_deleted_thread_takes_its_scratchpad_with_it(client, thread, alice):
    tool(client, "scratchpad/update", thread_id=thread["id"], content="notes")
    assert client.delete(f"/v1/threads/{thread['id']}", headers=alice.headers).status_code == 200
    assert content(client, "scratchpad/read", thread_id=thread["id"]).startswith("(The scratchpad is currently empty.")


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("web/read", {"url": "https://example.com"}),
        ("web/serp", {"query": "x"}),
        ("scratchpad/read", {"thread_id": "thread_x"}),
        ("scratchpad/append", {"thread_id": "thread_x", "note": "n"}),
    ],
)
def test_the_web_and_scratchpad_tools_are_admin_only(client, alice, name, body):
    refused = tool(client, name, headers=alice.headers, **body)
    assert (refused.status_code, refused.json()) == (403, {"detail": "Admin privileges required to use Web Tools."})


def test_the_sandbox_ticket_is_a_60_second_hs256_jwt_for_the_caller(app, client, alice):
    answer = client.post("/v1/tools/sandbox/authorize", headers=alice.headers).json()
    claims = jwt.decode(
        answer["token"], app.mock.wiring.engine.token_secret, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert claims["sub"] == alice.id and claims["type"] == "sandbox_access" and claims["exp"] - claims["iat"] == 60
    assert (answer["expires_in"], answer["sandbox_url"]) == (60, "ws://localhost:8000/ws/computer")


def test_a_computer_session_ticket_names_the_room_and_observes_only(app, client, alice):
    answer = client.get("/v1/computer/session", params={"room_id": "room-7"}, headers=alice.headers).json()
    claims = jwt.decode(
        answer["token"], app.mock.wiring.engine.token_secret, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert (claims["sub"], claims["room"], claims["scopes"], claims["type"]) == (
        alice.id,
        "room-7",
        ["observation"],
        "ws_ticket",
    )
    assert answer["room_id"] == "room-7"
    assert client.get("/v1/computer/session", headers=alice.headers).status_code == 422


def test_a_web_fixture_whose_pattern_is_no_regular_expression_stops_the_start(tmp_path):
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text("web:\n  - match: '('\n    text: x\n")
    with pytest.raises(Exception, match=r"web\[0\]\.match"):
        create_app(Settings(admin_key=ADMIN_KEY, fixtures=fixtures))
