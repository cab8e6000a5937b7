"""The real server's deviations from the contract's intended behaviour (each seen in its code,
see the contract's descriptions), on the mock: the suite must name every one of them."""

from __future__ import annotations

import time
from typing import Any

from tests.contract_tests.real_server import Exchange, StandIn, operation_of

ACTION_STATUSES = {"pending", "processing", "completed", "failed", "expired", "cancelled", "retrying"}


class Deviations(StandIn):
    def __init__(self) -> None:
        super().__init__()
        self.owners: dict[str, str] = {}  # resource id -> the key that created it
        self.broken_assistants: set[str] = set()
        self.before += [self.drops_thread_metadata, self.no_ownership, self.answers_itself, self.loose_queries]
        self.before += [self.no_vector_routes]
        self.after += [self.remembers_owners, self.drops_function_args, self.orders_by_whole_seconds_only]
        self.after += [self.vector_store_errors_crash]

    def _op(self, exchange: Exchange) -> str | None:
        operation = operation_of(self.app, exchange)
        return operation.id if operation else None

    def drops_thread_metadata(self, exchange: Exchange) -> None:
        if self._op(exchange) == "createThread" and isinstance(exchange.body, dict):
            exchange.body = {**exchange.body, "meta_data": {}}

    def no_ownership(self, exchange: Exchange) -> None:
        """Actions, shares and runs on a thread are not checked: the request acts as the owner."""
        op, parts = self._op(exchange), exchange.parts
        owner = None
        if op in ("getAction", "updateAction", "deleteAction"):
            owner = self.owners.get(parts[2])
        elif op in ("listPendingActions", "listActionsByStatus"):
            owner = self.owners.get(parts[3] if op == "listPendingActions" else parts[2])
        elif op in ("createAction",) and isinstance(exchange.body, dict):
            owner = self.owners.get(exchange.body.get("run_id", ""))
        elif op in ("associateAssistantWithUser", "disassociateAssistantFromUser"):
            owner = self.owners.get(parts[4])
        elif op == "createRun" and isinstance(exchange.body, dict):
            owner = self.owners.get(exchange.body.get("thread_id", ""))
        if owner:
            exchange.use_key(owner)

    def answers_itself(self, exchange: Exchange) -> None:
        op, body = self._op(exchange), exchange.body
        if op == "submitToolOutput" and isinstance(body, dict) and isinstance(body.get("content"), list):
            exchange.answer = (500, {"detail": "Failed to create message"})
        elif op == "saveAssistantMessage" and isinstance(body, dict) and body.get("thread_id") not in self.owners:
            exchange.answer = (200, _message(body))
        elif op == "updateAssistant" and isinstance(body, dict) and "top_p" in body and body["top_p"] is None:
            self.broken_assistants.add(exchange.parts[2])
            exchange.answer = (500, {"detail": "Unexpected error"})
        elif op in ("getAssistant", "listAssistants") and (
            exchange.parts[-1] in self.broken_assistants or (op == "listAssistants" and self.broken_assistants)
        ):
            exchange.answer = (500, {"detail": "Unexpected error"})

    def loose_queries(self, exchange: Exchange) -> None:
        op, query = self._op(exchange), exchange.query()
        if op == "listMessages" and query.get("order") not in (None, "asc", "desc"):
            exchange.set_query({**query, "order": "desc"})  # anything but asc is descending
        elif op == "listActionsByStatus" and query.get("status", "pending") not in ACTION_STATUSES:
            exchange.answer = (200, [])

    def no_vector_routes(self, exchange: Exchange) -> None:
        """Storing vectors and searching are SDK-only: the core server has no such routes."""
        if self._op(exchange) in ("addVectorStoreVectors", "searchVectorStore"):
            exchange.answer = (404, {"detail": "Not Found"})

    def vector_store_errors_crash(self, exchange: Exchange, status: int, body: Any) -> tuple[int, Any]:
        """The service's exceptions the router does not catch, and the database's refusals."""
        op = self._op(exchange)
        detail = body.get("detail") if isinstance(body, dict) else None
        file_ops = ("addVectorStoreFile", "deleteVectorStoreFile", "updateVectorStoreFileStatus")
        if op in file_ops and status in (404, 409) and detail != "Vector store not found.":
            return 500, {"detail": "Internal Server Error"}
        if op == "createVectorStore" and (status == 404 or (status == 422 and "shared_id" in str(detail))):
            return 500, {"detail": "Internal error: DB error creating store"}
        return status, body

    def remembers_owners(self, exchange: Exchange, status: int, body: Any) -> tuple[int, Any]:
        op = self._op(exchange)
        if (
            200 <= status < 300
            and isinstance(body, dict)
            and op
            in (
                "createThread",
                "createRun",
                "createAction",
                "createAssistant",
            )
        ):
            self.owners[body["id"]] = exchange.key
        return status, body

    def drops_function_args(self, exchange: Exchange, status: int, body: Any) -> tuple[int, Any]:
        if self._op(exchange) == "createAction" and status == 200 and isinstance(body, dict):
            body = {**body, "function_args": None}
        return status, body

    def orders_by_whole_seconds_only(self, exchange: Exchange, status: int, body: Any) -> tuple[int, Any]:
        """Messages made in the same second come back in no particular order (here: by id). The
        mock's seeded clock ticks a second a reading, so "the same second" is a 1000-second window."""
        if self._op(exchange) == "listMessages" and status == 200 and isinstance(body, dict):
            tied = [{**m, "created_at": m["created_at"] // 1000 * 1000} for m in body["data"]]
            data = sorted(tied, key=lambda m: (m["created_at"], m["id"]))
            if exchange.query().get("order") == "desc":
                data.reverse()
            ids = [m["id"] for m in data]
            body = {**body, "data": data, "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None}
        return status, body


def _message(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "message_OrphanOrphanOrphan0000",
        "assistant_id": body.get("assistant_id"),
        "attachments": [],
        "completed_at": int(time.time()),
        "content": body.get("content", ""),
        "created_at": int(time.time()),
        "incomplete_at": None,
        "incomplete_details": None,
        "meta_data": {},
        "object": "message",
        "role": "assistant",
        "run_id": None,
        "tool_id": None,
        "tool_call_id": None,
        "status": None,
        "thread_id": body.get("thread_id"),
        "sender_id": None,
    }
