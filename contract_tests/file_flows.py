"""The files workflow: what the SDK's files client does, and the signed download it leads to.

An upload (multipart, as the SDK sends it) reads back with its size, name and purpose; its bytes
come back as sent as base64 and through a signed URL followed with no key at all; a URL that has
expired, or whose signature or expiry was changed, is refused; the upload refuses an extension
it does not take and a part typed other than its name; a soft-deleted file can no longer be
signed, and a deleted one is gone, its URL with it.

The signed URL is followed against the suite's base URL with the URL's own query: a real
server's URLs point at its public `DOWNLOAD_BASE_URL`, which the suite may not reach."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlsplit

from contract_tests.client import Client
from contract_tests.sdk_bodies import file_upload
from contract_tests.world import World, require, upload

DOWNLOAD_PATH = "/v1/files/download"
# Text, then every byte value: a server that decodes or re-encodes what it keeps changes them.
DATA = "Contract suite notes: ship the files API on Friday. ü\n".encode() + bytes(range(256))
KEPT, AUTH, GONE = "kept_as_sent", "ignored_auth", "deleted_then_not_found"


def signed_query(c: Client, file_id: str, **params: Any) -> dict[str, str]:
    """The query of the file's signed URL, which must be a download URL."""
    url = c.call("getFileSignedUrl", file_id=file_id, params=params)["signed_url"]
    parts = urlsplit(url)
    require(parts.path.endswith(DOWNLOAD_PATH), f"the signed URL {url!r} is not a {DOWNLOAD_PATH} URL")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    require({"file_id", "expires", "signature"} <= set(query), f"the signed URL {url!r} lacks its parameters")
    return query


def file_download(world: World) -> None:
    c, anonymous = world.caller, world.api.as_key(None, "NO_KEY")
    made = upload(world, c, "contract-notes.txt", DATA)
    shown = (made["bytes"], made["filename"], made["purpose"])
    require(shown == (len(DATA), "contract-notes.txt", "assistants"), f"the upload answered {made}", KEPT)
    read = c.call("getFile", file_id=made["id"])
    require((read["bytes"], read["filename"], read["purpose"]) == shown, f"getFile reads {read}", KEPT)
    encoded = c.call("getFileAsBase64", file_id=made["id"])
    require(base64.b64decode(encoded["base64"]) == DATA, "the base64 bytes are not the uploaded ones", KEPT)

    query = signed_query(c, made["id"], use_real_filename="true")
    got = anonymous.fetch("downloadFile", params=query)
    require(got.content == DATA, f"the download holds {len(got.content)} other bytes, not the uploaded ones", KEPT)
    disposition = got.headers.get("content-disposition", "")
    require('filename="contract-notes.txt"' in disposition, f"the download is named {disposition!r}", KEPT)
    forged = {**query, "signature": query["signature"][::-1]}
    anonymous.fetch("downloadFile", params=forged, expect=403, check=AUTH)
    later = {**query, "expires": str(int(query["expires"]) + 3600)}  # a longer life, under the old signature
    anonymous.fetch("downloadFile", params=later, expect=403, check=AUTH)
    expired = signed_query(c, made["id"], expires_in=-60)
    anonymous.fetch("downloadFile", params=expired, expect=400)

    c.call("uploadFile", form=file_upload("contract.exe", b"MZ"), expect=400)
    c.call("uploadFile", form=file_upload("contract-notes.txt", DATA, content_type="image/png"), expect=400)

    deleted = c.call("softDeleteFile", file_id=made["id"])
    require(deleted == {"id": made["id"], "object": "file", "deleted": True}, f"softDeleteFile answered {deleted}")
    c.call("softDeleteFile", file_id=made["id"], expect=404)
    c.call("getFileSignedUrl", file_id=made["id"], expect=404)

    gone = c.call("uploadFile", form=file_upload("contract-gone.txt", b"soon gone"), expect=201)
    url = signed_query(c, gone["id"])
    c.call("deleteFile", file_id=gone["id"])
    c.call("getFile", file_id=gone["id"], expect=404, check=GONE)
    anonymous.fetch("downloadFile", params=url, expect=404, check=GONE)


FLOWS = [file_download]
