"""Structured logs of a real server: JSON lines with request ids, and no secret or
personal data in them even when requests carry plenty of both."""

import json
import logging
import os
import re
from pathlib import Path

import httpx
import pytest

from ecomrisk.api.ops.logs import REQUEST_ID, JsonFormatter, scrub
from tests.processes import free_port, run, start_server, stop
from tests.samples import party, shipment

NAME, STREET, PHONE, EMAIL = (
    "Zebulon Quartermaine",
    "77 Obscure Lane",
    "+1 202 555 0199",
    "zq@private.example",
)
PASSWORD = "hunter2-correct-horse"


def _personal() -> list[str]:
    return [NAME, STREET, "2025550199", PHONE, EMAIL, "zq@", "Quartermaine"]


def _filing(reference: str) -> dict[str, object]:
    consignee = party(NAME, "US", phone=PHONE, email=EMAIL)
    consignee["address"]["line1"] = STREET  # type: ignore[index]
    return shipment(reference, consignee=consignee)


@pytest.mark.slow
def test_real_server_logs_json_without_secrets_or_personal_data(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ECOMRISK_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "ECOMRISK_DATA_DIR": str(tmp_path),
        "ECOMRISK_LOG_LEVEL": "DEBUG",  # the most the server would ever say
    }
    env.pop("ECOMRISK_CONFIG", None)
    run(env, "db", "upgrade")
    key = next(
        line.strip()
        for line in run(
            env, "filers", "create", "LOG", "--name", "Logs", "--type", "broker"
        ).splitlines()
        if line.startswith("ek_")
    )
    run(env, "users", "create", "ana", "--name", "Ana", "--role", "analyst")
    token = re.findall(r"eu_\S+", run(env, "users", "token", "ana"))[0]
    port = free_port()
    log_file = tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    with log_file.open("wb") as stderr:
        server = start_server(env, port, stderr=stderr)
        try:
            ids = []
            with httpx.Client(base_url=base, timeout=30) as client:
                for response in (
                    client.post(
                        "/api/v1/shipments",
                        json=_filing("LOG-1"),
                        headers={"Authorization": f"Bearer {key}"},
                    ),
                    client.post(
                        "/api/v1/shipments",
                        json={**_filing("LOG-2"), "mode": NAME},  # refused, naming the bad value
                        headers={"X-API-Key": key},
                    ),
                    client.get(
                        f"/api/v1/shipments?password={PASSWORD}",
                        headers={"Authorization": f"Bearer {key}"},
                    ),
                    client.get("/api/v1/shipments", headers={"Authorization": f"Bearer {key}x"}),
                    client.get(
                        "/internal/v1/rulesets", headers={"Authorization": f"Bearer {token}"}
                    ),
                    client.get(
                        "/internal/v1/rulesets", headers={"Authorization": f"Basic {PASSWORD}"}
                    ),
                ):
                    ids.append(response.headers["X-Request-ID"])
                statuses = [client.get("/healthz").status_code]
            assert statuses == [200]
        finally:
            stop(server)
    logged = log_file.read_text()
    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "ecomrisk.access"]
    assert {line["request_id"] for line in access} >= set(ids)  # each request, by its id
    assert {line["status"] for line in access} >= {201, 422, 200, 401}
    assert any(line["route"] == "/api/v1/shipments" for line in access)
    for secret in (key, key[3:], token, token[3:], PASSWORD, *_personal()):
        assert secret not in logged, secret


def test_an_error_is_logged_by_type_and_place_not_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ecomrisk.test.errors")
    logger.addHandler(handler)
    marker = REQUEST_ID.set("req-1")
    try:
        raise ValueError(f"INSERT failed for consignee {NAME}, {EMAIL}")
    except ValueError as error:
        logger.error("unhandled error", exc_info=error)
    finally:
        REQUEST_ID.reset(marker)
        logger.removeHandler(handler)
    line = json.loads(capsys.readouterr().err)
    assert line["error"] == "ValueError"
    assert line["request_id"] == "req-1"
    assert any("test_logs.py" in where for where in line["where"])
    assert NAME not in json.dumps(line)
    assert EMAIL not in json.dumps(line)


def test_scrub_masks_credentials() -> None:
    text = "key ek_abcdef123456 token eu_zyx987654321 Authorization: Bearer abc.def api_key=s3cr3t"
    cleaned = scrub(text)
    for secret in ("ek_abcdef123456", "eu_zyx987654321", "abc.def", "s3cr3t"):
        assert secret not in cleaned
    assert cleaned.count("[redacted]") == 4
