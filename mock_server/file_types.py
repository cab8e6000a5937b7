"""What the real server takes as an upload and how it hands a file back: the file name's extension
decides its type (the server's table of supported types, below), the part's own Content-Type
must agree unless it is the generic `application/octet-stream`, and a download is shown inline
(images, text, PDF) or as an attachment, under a name a header can carry."""

from __future__ import annotations

import posixpath
import unicodedata
from urllib.parse import quote

from mock_server.errors import ApiError

OCTET_STREAM = "application/octet-stream"
# The real server's supported types (projectdavid_common's SUPPORTED_MIME_TYPES, in its order,
# which its 400 lists): tests/mock_server/test_file_types.py holds this table to it.
SUPPORTED_TYPES: dict[str, str] = {
    ".c": "text/x-c",
    ".cpp": "text/x-c++",
    ".cs": "text/x-csharp",
    ".css": "text/css",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".go": "text/x-golang",
    ".html": "text/html",
    ".java": "text/x-java",
    ".js": "text/javascript",
    ".json": "application/json",
    ".jsonl": "application/x-jsonlines",
    ".md": "text/markdown",
    ".pdf": "application/pdf",
    ".php": "text/x-php",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".py": "text/x-python",
    ".pyx": "text/x-script.python",
    ".rb": "text/x-ruby",
    ".sh": "application/x-sh",
    ".tex": "text/x-tex",
    ".ts": "application/typescript",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".zip": "application/zip",
    ".tar": "application/x-tar",
    ".gz": "application/gzip",
    ".rar": "application/vnd.rar",
    ".7z": "application/x-7z-compressed",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
}
# The database column's width: intended, a longer name is refused (the real server answers 500).
MAX_FILENAME_LENGTH = 256
# Shown in the browser rather than saved: the real server's rule.
_INLINE = ("image/", "text/", "application/pdf")


def extension(filename: str) -> str:
    return posixpath.splitext(filename)[1].lower()


def type_of(filename: str) -> str | None:
    return SUPPORTED_TYPES.get(extension(filename))


def unsupported(filename: str) -> str:
    return f"Unsupported file type: {extension(filename)}. Supported types: {list(SUPPORTED_TYPES)}"


def checked_type(filename: str, content_type: str | None) -> str:
    """The file's type, from its name's extension; ApiError 400 as the real server words it for
    an extension it does not take, or for a part's Content-Type (compared as sent, parameters
    and case included) that is neither that type nor application/octet-stream."""
    mime = type_of(filename)
    if mime is None:
        raise ApiError(400, unsupported(filename))
    if content_type and content_type not in (mime, OCTET_STREAM):
        raise ApiError(400, f"Content type mismatch: expected {mime}, got {content_type}")
    if len(filename) > MAX_FILENAME_LENGTH:
        raise ApiError(400, f"The file name is longer than {MAX_FILENAME_LENGTH} characters")
    return mime


def disposition(mime: str, name: str) -> str:
    """The download's Content-Disposition: the real server's `inline|attachment; filename="…"`.
    Intended for a name that cannot go in it as it is (one outside ASCII, which the real server
    sends as latin-1 bytes clients read as they please, or answers 500 for beyond latin-1; one
    with a quote, backslash or control character, which breaks the header): a plain ASCII
    fallback name, and the name itself as RFC 6266's `filename*=UTF-8''…`."""
    kind = "inline" if mime.startswith(_INLINE) else "attachment"
    if _header_safe(name):
        return f'{kind}; filename="{name}"'
    letters = (c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))  # é -> e
    fallback = "".join(c if _header_safe(c) else "_" for c in letters)
    encoded = quote(name.encode("utf-8", "replace"), safe="")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _header_safe(text: str) -> bool:
    return all(" " <= c <= "~" and c not in '"\\' for c in text)
