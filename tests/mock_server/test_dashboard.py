"""The dashboard (/__mock__/) in a real browser: Debian's Chromium, headless, driven by Playwright
against a live mock. Each test starts its own mock (a fresh journal and fresh sessions) and
drives traffic with httpx while the page stays open: what the page shows must follow without a
reload. `make test` installs Chromium from Debian when it is missing; Playwright's own browser
download is never used (the machine's network is closed)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from contract_tests import sdk_bodies
from tests.live_server import serve
from tests.mock_server.conftest import ADMIN_KEY, DEMO_ASSISTANT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from mock_server import Settings, create_app

CHROMIUM = "/usr/bin/chromium"
# The machine's network is closed: nothing may try to reach out (QUIC, updates, sync).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 10_000  # the page polls the journal about every second, the rest every two
SESSION = "dash-test"

expect.set_options(timeout=WAIT_MS)


@dataclass
class Mock:
    url: str
    http: httpx.Client  # authenticated as the seeded admin

    def dashboard(self, page: Page, key: str | None = ADMIN_KEY) -> Page:
        page.goto(f"{self.url}/__mock__/" + (f"#key={key}" if key is not None else ""))
        return page

    def in_session(self, name: str = SESSION) -> dict[str, str]:
        return {"X-Mock-Session": name}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # its own sessionStorage
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"the page threw: {errors}"


@pytest.fixture
def mock() -> Iterator[Mock]:
    with serve(create_app(Settings(admin_key=ADMIN_KEY, seed=11))) as url:
        with httpx.Client(base_url=url, headers={"X-API-Key": ADMIN_KEY}, timeout=10) as http:
            yield Mock(url, http)


def journal_rows(page: Page):
    return page.locator("#journal tbody tr[data-seq]")


def session_row(page: Page, name: str):
    return page.locator(f'#sessions tbody tr[data-session="{name}"]')


def count_cell(page: Page, session: str, column: str):
    columns = ["session", "users", "keys", "assistants", "threads", "messages", "runs", "actions", "faults"]
    return session_row(page, session).locator("td").nth(columns.index(column))


def choose_session(page: Page, name: str) -> None:
    expect(page.locator(f'#session-select option[value="{name}"]')).to_have_count(1)
    page.select_option("#session-select", name)
    expect(page.locator("#faults .chosen-name")).to_have_text(name or "(default)")


def test_the_sessions_panel_shows_the_default_sessions_counts_from_the_seed(mock: Mock, page: Page) -> None:
    mock.dashboard(page)
    expect(count_cell(page, "", "session")).to_have_text("(default)")
    expect(count_cell(page, "", "assistants")).to_have_text("1")
    expect(count_cell(page, "", "users")).to_have_text("1")
    expect(count_cell(page, "", "threads")).to_have_text("0")
    expect(page.locator("#health")).to_contain_text("ok · v")
    expect(page.locator("#journal .empty")).to_be_visible()


def test_requests_appear_in_the_journal_newest_first_without_a_reload(mock: Mock, page: Page) -> None:
    mock.dashboard(page)
    expect(session_row(page, "")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    assert mock.http.get("/v1/assistants").status_code == 200
    assert mock.http.get("/v1/assistants", headers={"X-API-Key": "ad_NotTheKey"}).status_code == 401
    assert mock.http.get("/v1/no-such-thing").status_code == 404
    created = mock.http.post("/v1/threads", json={"meta_data": {}}, headers=mock.in_session())
    assert created.status_code == 200, created.text

    rows = journal_rows(page)
    expect(rows).to_have_count(4)
    expect(rows.first).to_have_attribute("data-session", SESSION)
    expect(rows.first).to_contain_text("createThread")
    expect(rows.last).to_contain_text("listAssistants")
    expect(page.locator("#journal .empty")).to_be_hidden()
    assert page.evaluate("window.notReloaded") is True


def test_failed_requests_stand_out_in_the_journal(mock: Mock, page: Page) -> None:
    mock.dashboard(page)
    expect(session_row(page, "")).to_be_visible()

    mock.http.get("/v1/assistants")
    mock.http.get("/v1/assistants", headers={"X-API-Key": "ad_NotTheKey"})
    mock.http.get("/v1/no-such-thing")

    failed = re.compile(r"\bfailed\b")
    expect(page.locator('#journal tr[data-status="401"]')).to_have_class(failed)
    expect(page.locator('#journal tr[data-status="404"]')).to_have_class(failed)
    expect(page.locator('#journal tr[data-status="200"]')).not_to_have_class(failed)
    page.check("#only-failed")
    expect(page.locator('#journal tr[data-status="200"]')).to_be_hidden()
    expect(page.locator('#journal tr[data-status="401"]')).to_be_visible()


def test_a_dropped_connection_is_a_failed_row(mock: Mock, page: Page) -> None:
    fault = {"faults": [{"operation": "listAssistants", "times": 1, "drop_connection": True}]}
    assert mock.http.put("/__mock__/faults", json=fault).status_code == 200
    mock.dashboard(page)
    expect(session_row(page, "")).to_be_visible()

    with pytest.raises(httpx.RemoteProtocolError):
        mock.http.get("/v1/assistants")

    row = page.locator('#journal tr[data-status="dropped"]')
    expect(row).to_have_class(re.compile(r"\bfailed\b"))
    expect(row).to_contain_text("fault")


def test_clicking_a_journal_row_shows_its_request_and_response_bodies(mock: Mock, page: Page) -> None:
    mock.dashboard(page)
    expect(session_row(page, "")).to_be_visible()
    thread = mock.http.post("/v1/threads", json={"meta_data": {"shown": "in the page"}}).json()

    journal_rows(page).first.click()
    detail = page.locator("#journal tr.detail")
    expect(detail.locator("pre.request")).to_contain_text('"shown": "in the page"')
    expect(detail.locator("pre.request")).to_contain_text("POST /v1/threads")
    expect(detail.locator("pre.request")).not_to_contain_text(ADMIN_KEY)  # the journal shows 8 characters
    expect(detail.locator("pre.response")).to_contain_text(thread["id"])
    journal_rows(page).first.click()
    expect(detail).to_have_count(0)


def test_a_session_named_by_a_request_appears_with_its_counts(mock: Mock, page: Page) -> None:
    mock.dashboard(page)
    expect(session_row(page, "")).to_be_visible()
    expect(session_row(page, SESSION)).to_have_count(0)

    mock.http.post("/v1/threads", json={"meta_data": {}}, headers=mock.in_session())

    expect(count_cell(page, SESSION, "threads")).to_have_text("1")
    expect(count_cell(page, "", "threads")).to_have_text("0")


def test_the_faults_panel_shows_the_chosen_sessions_faults_and_clears_them(mock: Mock, page: Page) -> None:
    mock.dashboard(page)
    expect(page.locator("#faults .empty")).to_be_visible()
    fault = {"faults": [{"operation": "listAssistants", "times": 1, "status": 422}]}  # a status it documents
    put = mock.http.put("/__mock__/faults", json=fault, headers=mock.in_session())
    assert put.status_code == 200, put.text

    choose_session(page, SESSION)
    shown = page.locator('#faults li.fault[data-operation="listAssistants"]')
    expect(shown).to_contain_text("status 422")
    expect(shown).to_contain_text("1 of 1 left")
    expect(count_cell(page, SESSION, "faults")).to_have_text("1")

    choose_session(page, "")
    expect(page.locator("#faults li.fault")).to_have_count(0)
    choose_session(page, SESSION)
    expect(shown).to_be_visible()
    page.click("#faults-clear")
    expect(page.locator("#faults li.fault")).to_have_count(0)
    assert mock.http.get("/__mock__/faults", headers=mock.in_session()).json() == {"faults": []}


def test_the_runs_panel_shows_the_chosen_sessions_runs_with_their_status(mock: Mock, page: Page) -> None:
    thread = mock.http.post("/v1/threads", json={"meta_data": {}}, headers=mock.in_session()).json()
    run = mock.http.post("/v1/runs", json=sdk_bodies.run_body(DEMO_ASSISTANT, thread["id"]), headers=mock.in_session())
    assert run.status_code == 200, run.text
    mock.dashboard(page)
    expect(page.locator("#runs .empty")).to_be_visible()  # the default session has none

    choose_session(page, SESSION)
    row = page.locator(f'#runs tr[data-run-id="{run.json()["id"]}"]')
    expect(row).to_have_attribute("data-status", run.json()["status"])
    expect(row.locator(".badge")).to_have_class(re.compile(rf"\brun-{run.json()['status']}\b"))

    changed = mock.http.put(
        f"/v1/runs/{run.json()['id']}/status", json={"status": "cancelled"}, headers=mock.in_session()
    )
    assert changed.status_code == 200, changed.text
    expect(row).to_have_attribute("data-status", "cancelled")


def test_the_reset_button_asks_first_then_resets_the_chosen_session(mock: Mock, page: Page) -> None:
    mock.http.post("/v1/threads", json={"meta_data": {}}, headers=mock.in_session())
    mock.dashboard(page)
    choose_session(page, SESSION)
    expect(count_cell(page, SESSION, "threads")).to_have_text("1")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#reset")
    page.wait_for_timeout(1500)  # a poll or two
    expect(count_cell(page, SESSION, "threads")).to_have_text("1")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reset")
    expect(count_cell(page, SESSION, "threads")).to_have_text("0")
    state = mock.http.get("/__mock__/state", headers=mock.in_session()).json()
    assert state["tables"]["threads"] == []


def test_a_wrong_key_is_refused_and_another_can_be_pasted(mock: Mock, page: Page) -> None:
    mock.dashboard(page, key="ad_NotTheAdminKey")
    expect(page.locator("#key-refused")).to_be_visible()
    expect(page.locator("#key-refused")).to_contain_text("Key refused")
    expect(page.locator("#app")).to_be_hidden()

    page.fill("#key-input", ADMIN_KEY)
    page.click("#key-form button[type=submit]")
    expect(count_cell(page, "", "assistants")).to_have_text("1")
    expect(page.locator("#key-form")).to_be_hidden()


def test_a_valid_key_that_is_not_the_seeded_admins_is_refused(mock: Mock, page: Page) -> None:
    user = mock.http.post("/v1/users", json={"email": "ann@example.com", "full_name": "Ann"}).json()
    key = mock.http.post(f"/v1/users/{user['id']}/apikeys", json={}).json()["plain_key"]
    mock.dashboard(page, key=key)
    expect(page.locator("#key-refused")).to_contain_text("403")


def test_without_a_key_the_page_asks_for_one_and_keeps_it_in_the_tab(mock: Mock, page: Page) -> None:
    mock.dashboard(page, key=None)
    expect(page.locator("#key-form")).to_be_visible()
    expect(page.locator("#key-refused")).to_be_hidden()

    page.fill("#key-input", ADMIN_KEY)
    page.press("#key-input", "Enter")
    expect(session_row(page, "")).to_be_visible()
    page.reload()
    expect(session_row(page, "")).to_be_visible()


def test_the_key_leaves_the_address_bar_and_never_a_request_line(mock: Mock, page: Page) -> None:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    mock.dashboard(page)
    expect(session_row(page, "")).to_be_visible()
    assert "key=" not in page.url
    assert seen and not [url for url in seen if ADMIN_KEY in url]
