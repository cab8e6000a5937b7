"""The SDK's files client against the mock, unchanged: it uploads from a path and from a file
object, reads the metadata back through its own FileResponse model, gets the bytes as base64 and
a signed URL that downloads them without a key, and its delete calls return what it promises
(True, then False on 404)."""

from __future__ import annotations

import base64
import io

import httpx
import pytest

NOTES = b"Meeting notes: ship the files API on Friday.\n"


@pytest.fixture
def notes_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(NOTES)
    return path


def test_a_file_uploaded_from_a_path_reads_back_with_its_size_name_and_purpose(user_sdk, notes_file):
    _, sdk = user_sdk
    made = sdk.files.upload_file(str(notes_file), purpose="assistants")
    assert made.id.startswith("file_")
    assert (made.bytes, made.filename, made.purpose, made.status) == (len(NOTES), "notes.txt", "assistants", "uploaded")
    assert made.expires_at is not None
    read = sdk.files.retrieve_file(made.id)
    assert (read.id, read.bytes, read.filename, read.purpose) == (made.id, made.bytes, made.filename, made.purpose)


def test_a_file_object_uploads_under_the_name_it_is_given(user_sdk):
    _, sdk = user_sdk
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    made = sdk.files.upload_file_object(io.BytesIO(image), "photo.png", purpose="vision")
    assert (made.filename, made.purpose, made.bytes) == ("photo.png", "vision", len(image))
    assert base64.b64decode(sdk.files.get_file_as_base64(made.id)) == image


def test_the_signed_url_downloads_the_bytes_without_a_key(user_sdk, notes_file):
    _, sdk = user_sdk
    made = sdk.files.upload_file(str(notes_file), purpose="assistants")
    url = sdk.files.get_signed_url(made.id, expires_in=120, use_real_filename=True)
    download = httpx.get(url)  # no X-API-Key: the signature is the credential
    assert download.status_code == 200
    assert download.content == NOTES
    assert download.headers["content-disposition"] == 'inline; filename="notes.txt"'
    by_id = httpx.get(sdk.files.get_signed_url(made.id))
    assert by_id.headers["content-disposition"] == f'inline; filename="{made.id}"'


def test_an_expired_or_forged_url_is_refused(user_sdk, notes_file):
    _, sdk = user_sdk
    made = sdk.files.upload_file(str(notes_file), purpose="assistants")
    assert httpx.get(sdk.files.get_signed_url(made.id, expires_in=-1)).status_code == 400
    forged = sdk.files.get_signed_url(made.id).replace("signature=", "signature=0")
    assert httpx.get(forged).status_code == 403


def test_soft_delete_then_delete_answer_true_and_a_second_delete_false(user_sdk, notes_file):
    _, sdk = user_sdk
    made = sdk.files.upload_file(str(notes_file), purpose="assistants")
    assert sdk.files.soft_delete_file(made.id) is True
    assert sdk.files.soft_delete_file(made.id) is False  # already soft-deleted: 404
    assert sdk.files.get_signed_url(made.id) is None
    assert sdk.files.delete_file(made.id) is True
    assert sdk.files.delete_file(made.id) is False
    with pytest.raises(FileNotFoundError):
        sdk.files.retrieve_file(made.id)


def test_another_users_file_is_refused_to_the_sdk(user_sdk, new_user, notes_file):
    _, owner = user_sdk
    _, other = new_user("Someone else")
    made = owner.files.upload_file(str(notes_file), purpose="assistants")
    with pytest.raises(httpx.HTTPStatusError) as refused:
        other.files.retrieve_file(made.id)
    assert refused.value.response.status_code == 403
    assert other.files.get_file_as_base64(made.id) is None
    assert other.files.get_signed_url(made.id) is None


def test_a_type_the_server_does_not_take_is_a_400_the_sdk_raises(user_sdk, tmp_path):
    _, sdk = user_sdk
    path = tmp_path / "setup.exe"
    path.write_bytes(b"MZ")
    with pytest.raises(httpx.HTTPStatusError) as refused:
        sdk.files.upload_file(str(path), purpose="assistants")
    assert refused.value.response.status_code == 400
    assert refused.value.response.json()["detail"].startswith("Unsupported file type: .exe.")
