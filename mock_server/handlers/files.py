"""Files: upload (multipart), read, hard and soft delete, the bytes as base64, a signed download
URL and the download it points to. A file is its uploader's alone: another user gets 403 (an
admin too), as the real server's FileService checks. As on the real server, only signing and
soft-deleting look at the soft-delete stamp: reading, base64, deleting and a URL signed before
still find a soft-deleted file."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from mock_server.bodies import Upload
from mock_server.context import Context
from mock_server.errors import ApiError, forbidden
from mock_server.file_types import OCTET_STREAM, checked_type, disposition
from mock_server.records import Row, new_file, public
from mock_server.registry import Operations
from mock_server.reply import Reply, ok

operations = Operations()

FILE_DENIED = "You do not have permission to access this file."
DOWNLOAD_PATH = "/v1/files/download"


def not_found(detail: str = "File not found") -> ApiError:
    return ApiError(404, detail)


async def file_for(ctx: Context, file_id: str, *, live: bool = False, missing: str = "File not found") -> Row:
    """The caller's file: 404 when there is none (`live`: or it is soft-deleted), 403 when it is
    another user's, in that order, as the real server looks."""
    row = await ctx.store.files.get(file_id)
    if row is None or (live and row["_deleted_at"] is not None):
        raise not_found(missing)
    if row["_user_id"] != ctx.caller.user_id:
        raise forbidden(FILE_DENIED)
    return row


def read_view(row: Row) -> Row:
    """A file as the real server reads it back: its expiry is sent by the upload alone."""
    return {**public(row), "expires_at": None}


def deleted(file_id: str) -> Reply:
    return ok({"id": file_id, "object": "file", "deleted": True})


@operations("uploadFile")
async def upload_file(ctx: Context, body: dict[str, Any]) -> Reply:
    upload: Upload = body["file"]
    if len(upload.data) > ctx.files.max_bytes:  # the mock's limit; the real server takes any size
        raise ApiError(413, f"The file is larger than the limit of {ctx.files.max_bytes} bytes")
    mime = checked_type(upload.filename, upload.content_type)
    fields = {"filename": upload.filename, "purpose": body["purpose"], "data": upload.data}
    row = new_file(ctx.ids, ctx.clock, ctx.caller.user_id, fields, mime_type=mime)
    await ctx.store.files.add(row)
    return ok(public(row), status=201)


@operations("getFile")
async def get_file(ctx: Context, file_id: str) -> Reply:
    return ok(read_view(await file_for(ctx, file_id)))


@operations("deleteFile")
async def delete_file(ctx: Context, file_id: str) -> Reply:
    await file_for(ctx, file_id)
    await ctx.store.files.remove(file_id)
    return deleted(file_id)


@operations("softDeleteFile")
async def soft_delete_file(ctx: Context, file_id: str) -> Reply:
    await file_for(ctx, file_id, live=True, missing="File not found or already deleted")
    await ctx.store.files.update(file_id, {"_deleted_at": ctx.clock.now()})
    return deleted(file_id)


@operations("getFileAsBase64")
async def get_file_as_base64(ctx: Context, file_id: str) -> Reply:
    row = await file_for(ctx, file_id)
    return ok({"file_id": file_id, "base64": row["_content"]})


@operations("getFileSignedUrl")
async def get_file_signed_url(ctx: Context, file_id: str, expires_in: int, use_real_filename: bool) -> Reply:
    await file_for(ctx, file_id, live=True)
    expires = ctx.clock.now() + expires_in
    query = {
        "file_id": file_id,
        "expires": expires,
        "signature": ctx.files.signature(file_id, expires, use_real_filename),
        "use_real_filename": use_real_filename,  # written True/False, as the real server's urlencode writes it
    }
    return ok({"signed_url": f"{ctx.base_url}{DOWNLOAD_PATH}?{urlencode(query)}"})


@operations("downloadFile")
async def download_file(ctx: Context, file_id: str, expires: int, signature: str, use_real_filename: bool) -> Reply:
    # No key: the signature is the credential, checked after the expiry, as the real server does.
    if ctx.clock.peek() > expires:
        raise ApiError(400, "Signed URL expired")
    if not ctx.files.verify(file_id, expires, use_real_filename, signature):
        raise ApiError(403, "Invalid signature")
    row = await ctx.store.files.get(file_id)
    if row is None:
        raise not_found()
    mime = row["_mime_type"] or OCTET_STREAM
    headers = {
        "Content-Disposition": disposition(mime, row["filename"] if use_real_filename else file_id),
        "X-Content-Type-Options": "nosniff",
    }
    return Reply(200, base64.b64decode(row["_content"]), mime, headers)
