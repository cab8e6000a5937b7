"""Making vector stores, file records and points over HTTP, as the SDK sends them, for the
vector-store tests."""

from __future__ import annotations

import uuid
from typing import Any

from tests.mock_server.conftest import Caller


def shared_id() -> str:
    return f"vect_{uuid.uuid4().hex[:22]}"


def file_id() -> str:
    return f"vsf_{uuid.uuid4()}"


def make_store(client: Any, caller: Caller, *, size: int = 3, metric: str = "COSINE", **fields: Any) -> dict[str, Any]:
    body = {"shared_id": shared_id(), "name": "Handbook", "vector_size": size, "distance_metric": metric, **fields}
    response = client.post("/v1/vector-stores", json=body, headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


def file_body(name: str = "handbook.md", **fields: Any) -> dict[str, Any]:
    return {"file_id": file_id(), "file_name": name, "file_path": f"/docs/{name}", **fields}


def add_file(client: Any, caller: Caller, store_id: str, **fields: Any) -> dict[str, Any]:
    response = client.post(f"/v1/vector-stores/{store_id}/files", json=file_body(**fields), headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


def vectors_body(points: list[tuple[str, list[float]]], name: str = "handbook.md", **meta: Any) -> dict[str, Any]:
    """The SDK's ingestion body for one file: its chunks' texts, vectors and metadata."""
    file = file_body(name, status="completed", meta_data={})
    metadata = [
        {"source": file["file_path"], "file_path": file["file_path"], "file_name": name, "chunk_index": i,
         "file_id": file["file_id"], **meta}
        for i in range(len(points))
    ]  # fmt: skip
    return {"texts": [t for t, _ in points], "vectors": [v for _, v in points], "metadata": metadata, "file": file}


def ingest(client: Any, caller: Caller, store_id: str, points: list[tuple[str, list[float]]], **kw: Any) -> Any:
    response = client.post(
        f"/v1/vector-stores/{store_id}/vectors", json=vectors_body(points, **kw), headers=caller.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def search(client: Any, caller: Caller, store_id: str, query: list[float], **body: Any) -> Any:
    response = client.post(
        f"/v1/vector-stores/{store_id}/search", json={"query_vector": query, **body}, headers=caller.headers
    )
    assert response.status_code == 200, response.text
    return response.json()
