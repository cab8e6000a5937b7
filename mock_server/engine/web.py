"""The platform's web tools, scripted: pages come from the fixtures' `web` rules (a regular
expression on the URL and the page's text), else a page made from the URL, so the same URL reads
the same everywhere. What an agent is shown follows the real server's formats
(services/web_reader.py and cache/web_cache.py in projectdavid-core): 4000-character pages, the
browser view's header and notices, a search's 150-character windows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PAGE_CHARS = 4000
WINDOW = 150
MAX_MATCHES = 15
NOT_READ = "❌ Error: Cache miss. This URL has not been loaded yet. Please call `web_read` first."
RULE = "=" * 30


@dataclass(frozen=True)
class WebPage:
    pattern: re.Pattern[str]
    text: str
    title: str = ""


def page_from_fixture(item: dict[str, Any]) -> WebPage:
    return WebPage(re.compile(item["match"], re.IGNORECASE), item["text"], item.get("title", ""))


def text_for(url: str, pages: list[WebPage]) -> str:
    for page in pages:
        if page.pattern.search(url):
            return page.text
    return (
        f"{url}\n\nThis is a scripted page of the Entities API mock for {url}. "
        "Its text is the same on every read; give the mock `web` fixtures for pages of your own."
    )


def session_row(url: str, text: str) -> dict[str, Any]:
    """What the browser cache keeps of a page read (the store's `web_pages` row)."""
    clean = text.strip()
    chunks = [clean[i : i + PAGE_CHARS] for i in range(0, len(clean), PAGE_CHARS)] or [""]
    return {"id": url, "url": url, "chunks": chunks, "full_length": len(clean), "source": "Remote Browserless"}


def page_view(row: dict[str, Any] | None, page: int) -> str:
    if row is None:
        return NOT_READ
    total = len(row["chunks"])
    if page >= total or page < 0:
        return f"❌ Error: Page {page} out of bounds. Total pages: {total}. (Try page {total - 1})"
    lines = [
        f"--- 🌐 WEB BROWSER: {row['url']} ---",
        f"--- 📊 SOURCE: {row['source']} | VIEW: Page {page} of {total - 1} ---",
        f"--- 📏 SIZE: {row['full_length']} chars total ---\n",
        row["chunks"][page],
        "\n" + RULE,
    ]
    if page < total - 1:
        lines.append(
            "👉 SYSTEM NOTICE: Content continues. To read the next part, call "
            f"`web_scroll(url='{row['url']}', page={page + 1})`"
        )
    else:
        lines.append("✅ SYSTEM NOTICE: End of Document.")
    return "\n".join(lines)


def search_view(row: dict[str, Any] | None, query: str) -> str:
    if row is None:
        return NOT_READ
    found = []
    wanted = query.lower()
    for index, chunk in enumerate(row["chunks"]):
        at = chunk.lower().find(wanted)
        if wanted and at >= 0:
            snippet = chunk[max(0, at - WINDOW) : min(len(chunk), at + len(query) + WINDOW)].replace("\n", " ")
            found.append(f"--- 📄 FOUND IN PAGE {index} ---\n...{snippet}...")
            if len(found) >= MAX_MATCHES:
                break
    if not found:
        return f"❌ Keyword '{query}' not found in any of the {len(row['chunks'])} pages."
    lines = [f"--- 🔍 SEARCH RESULTS: '{query}' in {row['url']} ---", *found]
    if len(found) >= MAX_MATCHES:
        lines.append("\n(⚠️ Search limit reached. There may be more matches.)")
    lines += ["\n" + RULE, "👉 SYSTEM HINT: Use `web_scroll(url, page=X)` to read the full context of a specific page."]
    return "\n".join(lines)


def serp_view(query: str, count: int, pages: list[WebPage]) -> str:
    """Results for a query: the fixture pages whose text holds one of its words (in the order
    written), else results made from the query; at most `count`."""
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 2]
    hits = [p for p in pages if any(w in p.text.lower() for w in words)]
    results = [
        (p.title or p.pattern.pattern, _example_url(p), p.text.strip().splitlines()[0][:160] if p.text.strip() else "")
        for p in hits
    ]
    if not results:
        slug = "-".join(words) or "search"
        results = [
            (f"{query} — result {n}", f"https://example.com/{slug}/{n}", f"A scripted result {n} for '{query}'.")
            for n in range(1, 4)
        ]
    shown = [
        f"{n}. **{title}**\n   LINK: {link}\n   {snippet}"
        for n, (title, link, snippet) in enumerate(results[:count], 1)
    ]
    return f"🔎 Web results for '{query}' (scripted by the mock):\n\n" + "\n\n".join(shown)


def _example_url(page: WebPage) -> str:
    """A URL the page's pattern matches, when the pattern is a plain address; else the pattern."""
    text = page.pattern.pattern.replace("\\.", ".").lstrip("^").rstrip("$")
    if re.fullmatch(r"(https?://)?[\w-]+(\.[\w-]+)+(/[^\s()\[\]*+?|\\]*)?", text):
        return text if text.startswith("http") else f"https://{text}"
    return page.pattern.pattern
