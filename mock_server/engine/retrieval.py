"""The scripted assistant's file_search: deterministic retrieval without embeddings.

An assistant with a `file_search` tool and vector stores in `tool_resources.file_search.
vector_store_ids` (where the real server looks for them) answers from the stores' stored texts:
the one that shares the most words with the user's message (stopwords aside, case ignored; the
first stored wins a tie). Only the stores of the run's user or of the assistant's owner are read,
soft-deleted stores and files marked `deleted` are left out."""

from __future__ import annotations

from dataclasses import dataclass

from mock_server.engine.assistant import keywords
from mock_server.records import Row
from mock_server.store import Store


@dataclass(frozen=True)
class Passage:
    text: str
    store_name: str
    file_name: str

    def reply(self) -> str:
        return f'I searched the vector store "{self.store_name}" and found this in {self.file_name}: "{self.text}"'


def store_ids(assistant: Row) -> list[str]:
    """The vector stores the assistant's file_search reads; none without a file_search tool."""
    tools = assistant.get("tools") or []
    if not any(isinstance(tool, dict) and tool.get("type") == "file_search" for tool in tools):
        return []
    resources = assistant.get("tool_resources") or {}
    search = resources.get("file_search") if isinstance(resources, dict) else None
    ids = search.get("vector_store_ids") if isinstance(search, dict) else None
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def _words(text: str) -> set[str]:
    return {word.lower() for word in keywords(text)}


async def best_passage(store: Store, assistant: Row, readers: set[str], message: str) -> Passage | None:
    """The stored text that shares the most words with `message`, from the stores `readers` own."""
    wanted = _words(message)
    if not wanted:
        return None
    best: Passage | None = None
    best_overlap = 0
    for store_id in store_ids(assistant):
        vector_store = await store.vector_stores.get(store_id)
        if vector_store is None or vector_store["status"] == "deleted" or vector_store["user_id"] not in readers:
            continue
        async for chunk in store.vector_store_files.chunks_of_store(store_id):
            for file in chunk:
                if file.get("status") == "deleted":
                    continue
                for text in file.get("_texts") or []:
                    if not isinstance(text, str):
                        continue
                    overlap = len(wanted & _words(text))
                    if overlap > best_overlap:
                        best_overlap, best = overlap, Passage(text, vector_store["name"], file["file_name"])
    return best
