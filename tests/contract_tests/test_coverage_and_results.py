"""The coverage matrix counts what any part of the suite saw against what the contract documents;
the Schemathesis report is read back into requests, failures (with a curl) and errors."""

from __future__ import annotations

import base64
import json

from contract_tests import contract, coverage, reproduce, results

SPEC = contract.load()


def test_the_matrix_counts_schemathesis_requests_and_journaled_ones_alike():
    matrix = coverage.build(
        SPEC,
        [("GET /v1/threads/{thread_id}", 200), ("GET /v1/threads/{thread_id}", 418), ("GET /nowhere", 200)],
        [{"operation": "getThread", "status": 403, "source": "no_cross_user_access"}],
    )
    assert matrix.covered("getThread") == ["200", "403"]
    assert matrix.missing("getThread") == ["401", "404", "422", "503"]
    assert matrix.undocumented("getThread") == [418]
    assert matrix.total == sum(len(op.statuses) for op in SPEC.operations.values())
    assert matrix.hit == 2
    assert "| getThread | `GET /v1/threads/{thread_id}` | 200✓ 401· 403✓ 404· 422· 503· | 418 |" in matrix.to_markdown()


def _scenario(status: int, checks: list[dict[str, object]], **headers: list[str]) -> dict[str, object]:
    body = base64.b64encode(b'{"meta_data": {}}').decode()
    return {
        "ScenarioFinished": {
            "recorder": {
                "cases": {"c1": {"value": {"method": "POST", "path": "/v1/threads"}}},
                "interactions": {
                    "c1": {
                        "request": {
                            "method": "POST",
                            "uri": "http://127.0.0.1:9000/v1/threads",
                            "headers": {
                                "X-API-Key": ["[Filtered]"],
                                "Content-Type": ["application/json"],
                                **{name.replace("_", "-"): value for name, value in headers.items()},
                            },
                            "body": {"$base64": body},
                        },
                        "response": {"status_code": status, "content": {"$base64": base64.b64encode(b"oops").decode()}},
                    }
                },
                "checks": {"c1": checks},
            }
        }
    }


def test_the_ndjson_report_gives_requests_every_failed_check_with_its_request_and_errors(tmp_path):
    failure = {"operation": "POST /v1/threads", "title": "Server error", "message": "", "type": "ServerError"}
    events = [
        _scenario(500, [{"name": "not_a_server_error", "status": "failure", "failure_info": {"failure": failure}}]),
        _scenario(500, [{"name": "not_a_server_error", "status": "failure", "failure_info": {"failure": failure}}]),
        {"NonFatalError": {"label": "GET /v1/runs", "value": {"type": "Timeout", "message": "read timed out"}}},
        {"EngineFinished": {"running_time": 1.5, "failures": []}},
    ]
    path = tmp_path / "report.ndjson"
    path.write_text("\n".join(json.dumps(event) for event in events))
    run = results.read(path)
    assert run.finished and run.seconds == 1.5 and run.test_cases == 2
    assert run.exercised == {("POST /v1/threads", 500)}
    assert len(run.failures) == 2  # each sighting is kept: grouping counts them
    first = run.failures[0]
    assert (first.where, first.check, first.status, first.response, first.cause) == (
        "POST /v1/threads",
        "not_a_server_error",
        500,
        "[500] oops",
        "Server error: answered 500",
    )
    assert reproduce.curl(first.request, tmp_path) == (
        "curl -X POST -H \"X-API-Key: $API_KEY\" -H 'Content-Type: application/json' "
        "--data-binary '{\"meta_data\": {}}' http://127.0.0.1:9000/v1/threads"
    )
    assert run.errors == ["GET /v1/runs: Timeout: read timed out"]


def test_a_report_without_its_final_event_is_a_run_that_did_not_finish(tmp_path):
    path = tmp_path / "report.ndjson"
    path.write_text(json.dumps(_scenario(200, [])))
    assert results.read(path).finished is False


def test_a_session_header_the_report_filtered_is_put_back_in_the_reproduction(tmp_path):
    failure = {"operation": "POST /v1/threads", "title": "Server error", "message": ""}
    check = {"name": "not_a_server_error", "status": "failure", "failure_info": {"failure": failure}}
    path = tmp_path / "report.ndjson"
    path.write_text(json.dumps(_scenario(500, [check], X_Mock_Session=["[Filtered]"])))
    (sighting,) = results.read(path, session="team a").failures
    command = reproduce.curl(sighting.request, tmp_path)
    assert "-H 'X-Mock-Session: team a'" in command and "[Filtered]" not in command
