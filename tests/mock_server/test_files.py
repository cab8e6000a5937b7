"""File handlers: the multipart upload and its refusals in the real server's words, read back,
base64, signed URLs and the keyless download they lead to, soft and hard delete, ownership."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from contract_tests.sdk_bodies import file_upload
from tests.mock_server.conftest import ADMIN_KEY

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores

BYTES = b"Notes\n\x00\xff\xfe binary too"


def upload(client, caller, filename="notes.txt", data=BYTES, **options):
    data_parts, files = file_upload(filename, data, **options)
    return client.post("/v1/uploads", data=data_parts, files=files, headers=caller.headers)


@pytest.fixture
def notes(client, alice):
    response = upload(client, alice)
    assert response.status_code == 201, response.text
    return response.json()


def signed(client, caller, file_id, **params):
    response = client.get(f"/v1/files/{file_id}/signed-url", params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    return response.json()["signed_url"]


def query_of(url):
    return {name: values[-1] for name, values in parse_qs(urlsplit(url).query).items()}


def test_an_upload_answers_201_with_its_size_name_purpose_and_an_expiry_an_hour_on(notes):
    assert notes["id"].startswith("file_") and notes["object"] == "file"
    assert (notes["bytes"], notes["filename"], notes["purpose"], notes["status"]) == (
        len(BYTES),
        "notes.txt",
        "assistants",
        "uploaded",
    )
    created, expires = notes["created_at"], notes["expires_at"]
    assert "." not in created, "whole seconds, as the real server's database keeps them"
    hours = int(expires[11:13]) - int(created[11:13])
    assert expires[13:] == created[13:] and hours % 24 == 1


def test_a_file_reads_back_as_the_real_server_reads_it_without_its_expiry(client, alice, notes):
    read = client.get(f"/v1/files/{notes['id']}", headers=alice.headers).json()
    assert read == {**notes, "expires_at": None}


def test_the_bytes_come_back_as_uploaded_as_base64_and_through_the_signed_url(client, alice, notes):
    encoded = client.get(f"/v1/files/{notes['id']}/base64", headers=alice.headers).json()
    assert encoded == {"file_id": notes["id"], "base64": base64.b64encode(BYTES).decode()}
    download = client.get(signed(client, alice, notes["id"]))  # no key at all
    assert download.status_code == 200
    assert download.content == BYTES
    assert download.headers["content-type"] == "text/plain; charset=utf-8"
    assert download.headers["x-content-type-options"] == "nosniff"


def test_the_signed_url_is_the_mocks_own_url_and_reaches_the_requests_session(client, alice, notes, session_name):
    url = signed(client, alice, notes["id"], expires_in=120, use_real_filename=True)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://testserver"
    assert parts.path == f"/__session__/{session_name}/v1/files/download"
    query = query_of(url)
    assert query["file_id"] == notes["id"] and query["use_real_filename"] == "True"
    assert len(query["signature"]) == 64
    with client.app.test_client() as other:  # a client that names no session: the URL does
        assert other.get(url).content == BYTES


def test_the_download_is_named_after_the_id_unless_signed_with_the_real_name(client, alice):
    image = upload(client, alice, "photo.png", b"\x89PNG\r\n\x1a\n", purpose="vision").json()
    archive = upload(client, alice, "bundle.zip", b"PK\x03\x04").json()
    shown = client.get(signed(client, alice, image["id"]))
    assert shown.headers["content-disposition"] == f'inline; filename="{image["id"]}"'
    assert shown.headers["content-type"] == "image/png"
    saved = client.get(signed(client, alice, archive["id"], use_real_filename=True))
    assert saved.headers["content-disposition"] == 'attachment; filename="bundle.zip"'


def test_a_name_a_header_cannot_carry_is_sent_with_a_fallback_and_its_utf8_form(client, alice):
    made = upload(client, alice, "données 数据.txt", b"x").json()
    download = client.get(signed(client, alice, made["id"], use_real_filename=True))
    assert download.status_code == 200
    expected = "inline; filename=\"donnees __.txt\"; filename*=UTF-8''donn%C3%A9es%20%E6%95%B0%E6%8D%AE.txt"
    assert download.headers["content-disposition"] == expected


def test_a_url_past_its_expiry_is_a_400_on_the_sessions_clock(client, alice, notes, app, session_name):
    url = signed(client, alice, notes["id"], expires_in=60)
    assert client.get(url).status_code == 200
    app.mock.sessions.peek(session_name).clock.advance(61)
    expired = client.get(url)
    assert expired.status_code == 400 and expired.json() == {"detail": "Signed URL expired"}
    already = client.get(signed(client, alice, notes["id"], expires_in=-1))
    assert already.status_code == 400


@pytest.mark.parametrize("change", ["signature", "expires", "use_real_filename", "file_id"])
def test_a_changed_signature_expiry_naming_or_file_is_a_403(client, alice, notes, change):
    query = query_of(signed(client, alice, notes["id"]))
    changed = {
        "signature": query["signature"][::-1],
        "expires": str(int(query["expires"]) + 1),
        "use_real_filename": "true",
        "file_id": "file_AnotherFile000000000000",
    }
    forged = client.get("/v1/files/download", params={**query, change: changed[change]})
    assert forged.status_code == 403 and forged.json() == {"detail": "Invalid signature"}


def test_a_signature_outside_ascii_is_a_403_not_a_500(client, alice, notes):
    query = query_of(signed(client, alice, notes["id"]))
    assert client.get("/v1/files/download", params={**query, "signature": "é" * 64}).status_code == 403


def test_the_download_needs_its_three_query_parameters_in_fastapis_shape(client):
    missing = client.get("/v1/files/download")
    assert missing.status_code == 422
    assert [item["loc"] for item in missing.json()["detail"]] == [
        ["query", "file_id"],
        ["query", "expires"],
        ["query", "signature"],
    ]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("delete", ""), ("patch", "/soft-delete"), ("get", "/signed-url"), ("get", "/base64")],
)
def test_another_users_file_is_a_403_for_an_admin_too(client, notes, bob, admin, method, suffix):
    for caller in (bob, admin):
        response = client.request(method, f"/v1/files/{notes['id']}{suffix}", headers=caller.headers)
        assert response.status_code == 403
        assert response.json() == {"detail": "You do not have permission to access this file."}


@pytest.mark.parametrize(
    ("method", "suffix", "detail"),
    [
        ("get", "", "File not found"),
        ("delete", "", "File not found"),
        ("patch", "/soft-delete", "File not found or already deleted"),
        ("get", "/signed-url", "File not found"),
        ("get", "/base64", "File not found"),
    ],
)
def test_a_file_that_does_not_exist_is_a_404_in_the_real_servers_words(client, alice, method, suffix, detail):
    response = client.request(method, f"/v1/files/file_Nowhere0000000000000000{suffix}", headers=alice.headers)
    assert response.status_code == 404 and response.json() == {"detail": detail}


def test_an_extension_the_server_does_not_take_is_a_400_listing_those_it_does(client, alice):
    response = upload(client, alice, "setup.exe", b"MZ")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("Unsupported file type: .exe. Supported types: ['.c', '.cpp',")
    assert upload(client, alice, "README", b"x").json()["detail"].startswith("Unsupported file type: . Supported")


def test_a_part_typed_other_than_its_name_is_a_400_unless_it_is_octet_stream_or_untyped(client, alice):
    mismatch = upload(client, alice, "notes.txt", content_type="image/png")
    assert mismatch.status_code == 400
    assert mismatch.json() == {"detail": "Content type mismatch: expected text/plain, got image/png"}
    with_charset = upload(client, alice, "notes.txt", content_type="text/plain; charset=utf-8")
    assert with_charset.status_code == 400, "compared as sent, parameters included"
    assert upload(client, alice, "NOTES.TXT", content_type="application/octet-stream").status_code == 201
    untyped = client.post(
        "/v1/uploads", data={"purpose": "assistants"}, files={"file": ("notes.md", b"# Notes")}, headers=alice.headers
    )
    assert untyped.status_code == 201


def test_a_missing_part_is_a_fastapi_422_and_any_other_body_an_empty_form(client, alice):
    no_file = client.post("/v1/uploads", files={"purpose": (None, "assistants")}, headers=alice.headers)
    assert no_file.status_code == 422
    assert no_file.json() == {
        "detail": [{"type": "missing", "loc": ["body", "file"], "msg": "Field required", "input": None}]
    }
    for body in ({"json": {"purpose": "assistants"}}, {"content": b""}):
        empty = client.post("/v1/uploads", headers=alice.headers, **body)
        assert empty.status_code == 422
        assert [item["loc"] for item in empty.json()["detail"]] == [["body", "purpose"], ["body", "file"]]


def test_a_json_body_without_a_key_is_a_401_since_a_form_route_never_parses_json(client):
    assert (
        client.post("/v1/uploads", content=b'{"purpose": ', headers={"Content-Type": "application/json"}).status_code
        == 401
    )


def test_a_file_part_sent_as_text_is_fastapis_expected_uploadfile_422(client, alice):
    response = client.post("/v1/uploads", data={"purpose": "assistants", "file": "just text"}, headers=alice.headers)
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item == {
        "type": "value_error",
        "loc": ["body", "file"],
        "msg": "Value error, Expected UploadFile, received: <class 'str'>",
        "input": "just text",
        "ctx": {"error": {}},
    }


def test_a_purpose_or_name_longer_than_the_real_servers_columns_is_refused_not_a_500(client, alice):
    long_purpose = upload(client, alice, purpose="p" * 65)
    assert long_purpose.status_code == 422
    assert long_purpose.json()["detail"][0]["type"] == "string_too_long"
    long_name = upload(client, alice, "n" * 253 + ".txt")
    assert long_name.status_code == 400
    assert long_name.json() == {"detail": "The file name is longer than 256 characters"}
    assert upload(client, alice, "n" * 252 + ".txt").status_code == 201


def test_an_unparsable_multipart_body_is_a_400_before_the_key_is_looked_at(client):
    no_boundary = client.post("/v1/uploads", content=b"x", headers={"Content-Type": "multipart/form-data"})
    assert no_boundary.status_code == 400 and no_boundary.json() == {"detail": "Missing boundary in multipart."}
    broken = client.post("/v1/uploads", content=b"garbage", headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert broken.status_code == 400 and broken.json() == {"detail": "There was an error parsing the body"}


def test_a_file_over_the_file_limit_is_a_413_and_one_within_it_is_kept():
    from mock_server import Settings, create_app
    from tests.mock_server.conftest import Caller

    app = create_app(Settings(admin_key=ADMIN_KEY, max_file_bytes=8))
    admin = Caller({"id": app.mock.seed.admin_user_id}, ADMIN_KEY)
    with app.test_client() as client:
        assert upload(client, admin, data=b"12345678").status_code == 201
        refused = upload(client, admin, data=b"123456789")
        assert refused.status_code == 413
        assert refused.json() == {"detail": "The file is larger than the limit of 8 bytes"}


def test_soft_delete_stops_signing_only_and_a_second_one_is_a_404(client, alice, notes):
    url = f"/v1/files/{notes['id']}"
    early = signed(client, alice, notes["id"])
    soft = client.patch(f"{url}/soft-delete", headers=alice.headers)
    assert soft.json() == {"id": notes["id"], "object": "file", "deleted": True}
    again = client.patch(f"{url}/soft-delete", headers=alice.headers)
    assert again.status_code == 404 and again.json() == {"detail": "File not found or already deleted"}
    assert client.get(f"{url}/signed-url", headers=alice.headers).status_code == 404
    # As on the real server, whose other reads do not look at the stamp.
    assert client.get(url, headers=alice.headers).status_code == 200
    assert client.get(f"{url}/base64", headers=alice.headers).status_code == 200
    assert client.get(early).content == BYTES
    assert client.delete(url, headers=alice.headers).status_code == 200


def test_a_deleted_file_is_gone_with_the_url_signed_for_it(client, alice, notes, store):
    url = signed(client, alice, notes["id"])
    deleted = client.delete(f"/v1/files/{notes['id']}", headers=alice.headers)
    assert deleted.json() == {"id": notes["id"], "object": "file", "deleted": True}
    assert client.get(f"/v1/files/{notes['id']}", headers=alice.headers).status_code == 404
    gone = client.get(url)
    assert gone.status_code == 404 and gone.json() == {"detail": "File not found"}
    assert store.files.count() == 0


def test_deleting_a_user_deletes_their_files(client, admin, alice, notes, store):
    assert client.delete(f"/v1/users/{alice.id}", headers=admin.headers).status_code == 200
    assert store.files.get(notes["id"]) is None


def test_a_sessions_state_carries_its_files_bytes_and_all(client, admin, alice, notes, session_name):
    state = client.get("/__mock__/state", headers=admin.headers).json()
    (row,) = state["tables"]["files"]
    assert row["id"] == notes["id"] and base64.b64decode(row["_content"]) == BYTES
    copy = f"{session_name}-copy"
    loaded = client.put("/__mock__/state", json=state, headers={**admin.headers, "X-Mock-Session": copy})
    assert loaded.status_code == 200, loaded.text
    in_copy = {**alice.headers, "X-Mock-Session": copy}
    encoded = client.get(f"/v1/files/{notes['id']}/base64", headers=in_copy).json()
    assert base64.b64decode(encoded["base64"]) == BYTES


def multipart(*parts: bytes, boundary: str = "b0undary") -> tuple[bytes, dict[str, str]]:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return body + b"--" + boundary.encode() + b"--\r\n", {"Content-Type": f"multipart/form-data; boundary={boundary}"}


PURPOSE = b'Content-Disposition: form-data; name="purpose"\r\n\r\nassistants'


@pytest.mark.parametrize(
    ("parts", "status"),
    [
        # A name that is not UTF-8 is read as latin-1, as Starlette reads it: a name like any other.
        ((PURPOSE, b'Content-Disposition: form-data; name="file"; filename="\xff\xfe.txt"\r\n\r\nx'), 201),
        ((PURPOSE, b'Content-Disposition: form-data; name="file"; filename="../../etc/x.txt"\r\n\r\nx'), 201),
        ((PURPOSE, b'Content-Disposition: form-data; name="file"; filename="a\x00b.txt"\r\n\r\nx'), 201),
        ((PURPOSE, b'Content-Disposition: form-data; filename="a.txt"\r\n\r\nx'), 400),  # a part with no name
        ((PURPOSE, b'Content-Disposition: form-data; name="file"; filename="' + b"n" * 5000 + b'.txt"\r\n\r\nx'), 400),
        (tuple(PURPOSE for _ in range(1001)), 400),  # more fields than the parser takes
        ((PURPOSE, PURPOSE, b'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nx'), 201),
    ],
)
def test_a_hostile_multipart_body_gets_a_documented_answer_and_never_a_500(client, alice, parts, status):
    body, headers = multipart(*parts)
    response = client.post("/v1/uploads", content=body, headers={**headers, **alice.headers})
    assert response.status_code == status, response.text
    if status == 201:  # its name, whatever it holds, reaches the download's header safely
        made = response.json()
        download = client.get(signed(client, alice, made["id"], use_real_filename=True))
        assert download.status_code == 200 and download.content == b"x"
