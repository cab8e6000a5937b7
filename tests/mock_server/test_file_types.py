"""The upload's type rules and the signing of download URLs, against the real server's own table
and signature (projectdavid_common, installed with the SDK)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from mock_server.errors import ApiError
from mock_server.file_signing import FileSettings, signing_secret
from mock_server.file_types import SUPPORTED_TYPES, checked_type, disposition


def test_the_supported_types_are_the_real_servers_in_its_order():
    from projectdavid_common.constants.mime_types import SUPPORTED_MIME_TYPES

    assert list(SUPPORTED_TYPES.items()) == list(SUPPORTED_MIME_TYPES.items())


def test_the_contract_lists_every_type_a_download_may_have():
    from tests.contract_document import operations

    (download,) = [op for op in operations() if op.id == "downloadFile"]
    documented = set(download.responses["200"]["content"])
    assert documented == {*SUPPORTED_TYPES.values(), "application/octet-stream"}


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("a.TXT", None, "text/plain"),
        ("a.tar.gz", "application/gzip", "application/gzip"),
        ("a.py", "application/octet-stream", "text/x-python"),
        ("photo.jpeg", "image/jpeg", "image/jpeg"),
    ],
)
def test_a_supported_name_gives_its_type_whatever_the_case_of_its_extension(filename, content_type, expected):
    assert checked_type(filename, content_type) == expected


@pytest.mark.parametrize(("filename", "content_type"), [(".txt", None), ("a.exe", None), ("a.txt", "TEXT/PLAIN")])
def test_a_dotfile_an_unknown_extension_or_a_type_in_another_case_is_refused(filename, content_type):
    with pytest.raises(ApiError) as refused:
        checked_type(filename, content_type)
    assert refused.value.status == 400


def test_images_text_and_pdf_are_shown_inline_and_the_rest_attached():
    assert disposition("image/svg+xml", "a.svg") == 'inline; filename="a.svg"'
    assert disposition("application/pdf", "a.pdf") == 'inline; filename="a.pdf"'
    assert disposition("application/json", "a.json") == 'attachment; filename="a.json"'


def test_a_quote_or_a_line_break_in_a_name_never_reaches_the_header_as_it_is():
    header = disposition("text/plain", 'a"b\r\n.txt')
    assert '"b' not in header and "\r" not in header and "\n" not in header
    assert header.endswith("filename*=UTF-8''a%22b%0D%0A.txt")


def test_a_url_is_signed_as_the_real_server_signs_it():
    files = FileSettings("s3cret")
    expected = hmac.new(b"s3cret", b"file_abc:1795534200:true", hashlib.sha256).hexdigest()
    assert files.signature("file_abc", 1795534200, True) == expected
    assert files.verify("file_abc", 1795534200, True, expected)
    assert not files.verify("file_abc", 1795534200, False, expected)


def test_a_seed_makes_the_same_secret_every_start_and_no_seed_a_new_one():
    assert signing_secret(None, 3) == signing_secret(None, 3) != signing_secret(None, 4)
    assert signing_secret(None, None) != signing_secret(None, None)
    assert signing_secret("mine", 3) == "mine"
