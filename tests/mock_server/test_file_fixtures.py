"""Fixture files seed files: bytes from a file beside the fixture file or inline text, owned by the
admin or another fixture user, served like uploads; rows the upload would refuse stop the mock."""

from __future__ import annotations

import base64

import pytest

from mock_server import Settings, create_app
from tests.mock_server.test_seeding import ADMIN_KEY, refusal

ADA_KEY = "ea_AdaFixtureKey000000000000000000000000000000"
FIXTURE = """
users:
  - {ref: ada, email: ada@example.com, api_keys: [ea_AdaFixtureKey000000000000000000000000000000]}
files:
  - {path: docs/guide.md, owner: ada, purpose: assistants}
  - {id: file_SeededNotes00000000001, filename: notes.txt, text: "Ship on Friday.\\n"}
"""


@pytest.fixture
def app(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_bytes(b"# Guide\n\xe2\x9c\x93\n")
    path = tmp_path / "fixtures" / "seed.yaml"
    path.parent.mkdir()
    path.write_text(FIXTURE.replace("docs/guide.md", "../docs/guide.md"), encoding="utf-8")
    return create_app(Settings(fixtures=path, admin_key=ADMIN_KEY, seed=5))


def test_a_file_from_a_path_beside_the_fixture_file_is_its_owners_under_its_own_name(app, tmp_path):
    client = app.test_client()
    ada = {"X-API-Key": ADA_KEY}
    (row,) = [row for row in app.mock.seed.tables["files"] if row["filename"] == "guide.md"]
    read = client.get(f"/v1/files/{row['id']}", headers=ada).json()
    assert (read["bytes"], read["purpose"]) == (len("# Guide\n✓\n".encode()), "assistants")
    url = client.get(f"/v1/files/{row['id']}/signed-url", headers=ada).json()["signed_url"]
    assert client.get(url).content == "# Guide\n✓\n".encode()
    assert client.get(url).headers["content-type"] == "text/markdown; charset=utf-8"
    admin = client.get(f"/v1/files/{row['id']}", headers={"X-API-Key": ADMIN_KEY})
    assert admin.status_code == 403


def test_an_inline_text_file_keeps_its_id_and_is_the_admins_by_default(app):
    client = app.test_client()
    encoded = client.get("/v1/files/file_SeededNotes00000000001/base64", headers={"X-API-Key": ADMIN_KEY}).json()
    assert base64.b64decode(encoded["base64"]) == b"Ship on Friday.\n"


def test_every_session_starts_with_the_seeded_files_again_after_one_deletes_them(app):
    client = app.test_client()
    admin = {"X-API-Key": ADMIN_KEY, "X-Mock-Session": "one"}
    assert client.delete("/v1/files/file_SeededNotes00000000001", headers=admin).status_code == 200
    other = {"X-API-Key": ADMIN_KEY, "X-Mock-Session": "two"}
    assert client.get("/v1/files/file_SeededNotes00000000001", headers=other).status_code == 200


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("files:\n  - {path: nowhere.txt}\n", "files[0].path: no file at "),
        ("files:\n  - {text: hi}\n", "files[0].filename: missing, and required with `text`"),
        ("files:\n  - {filename: a.txt}\n", "files[0]: give the file's bytes as `path`"),
        ("files:\n  - {filename: a.txt, text: x, path: a.txt}\n", "files[0]: give the file's bytes as `path`"),
        ("files:\n  - {filename: setup.exe, text: x}\n", "files[0].filename: 'setup.exe' is not a file the API takes"),
        ("files:\n  - {filename: a.txt, text: x, purpose: " + "p" * 65 + "}\n", "files[0].purpose: "),
        ("files:\n  - {filename: a.txt, text: x, owner: nobody}\n", "files[0].owner: no user has the ref or id"),
        ("files:\n  - {filename: a.txt, text: x, size: 3}\n", "files[0].size: not a field of a fixture file"),
        (
            "files:\n  - {id: file_Same000000000000000001, filename: a.txt, text: x}\n"
            "  - {id: file_Same000000000000000001, filename: b.txt, text: y}\n",
            "files[1].id: 'file_Same000000000000000001' already names files[0]",
        ),
    ],
)
def test_a_file_row_the_upload_would_refuse_stops_the_mock_naming_it(tmp_path, content, line):
    assert any(said.startswith(line) for said in refusal(tmp_path, content)), line
