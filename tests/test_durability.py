"""Kill a real server (kill -9) during a bulk upload, restart, re-send: every
accepted record is stored exactly once. On SQLite and on PostgreSQL."""

import contextlib
import json
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import shipments
from tests.conftest import StoreUrl
from tests.processes import free_port, run, start_server
from tests.samples import shipment

RECORDS = 4_000


@pytest.fixture
def world(tmp_path: Path, new_store_url: StoreUrl) -> tuple[dict[str, str], str, str]:
    store_url = new_store_url()
    env = {
        **os.environ,
        "ECOMRISK_DATABASE_URL": store_url,
        "ECOMRISK_INGEST_CHUNK_SIZE": "50",
        "ECOMRISK_DATA_DIR": str(tmp_path),
    }
    env.pop("ECOMRISK_CONFIG", None)
    run(env, "db", "upgrade")
    out = run(env, "filers", "create", "DUR", "--name", "Durable", "--type", "carrier")
    key = next(line for line in out.splitlines() if line.startswith("ek_")).strip()
    return env, key, store_url


def _count(db: str) -> tuple[int, int]:
    engine = create_engine_for_url(db)
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(shipments)).scalar_one()
        keys = connection.execute(
            select(func.count(func.distinct(shipments.c.filer_reference)))
        ).scalar_one()
    engine.dispose()
    return rows, keys


@pytest.mark.slow
def test_kill_during_bulk_upload_then_resend(world: tuple[dict[str, str], str, str]) -> None:
    env, key, db = world
    body = "".join(json.dumps(shipment(f"D{i:05d}")) + "\n" for i in range(RECORDS)).encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"}
    port = free_port()
    server = start_server(env, port)
    url = f"http://127.0.0.1:{port}/api/v1/bulk"

    def upload() -> None:
        # The server is killed under this request: a transport error is expected.
        with contextlib.suppress(httpx.TransportError):
            httpx.post(url, content=body, headers=headers, timeout=120)

    sender = threading.Thread(target=upload)
    sender.start()
    deadline = time.monotonic() + 60
    stored_at_kill = 0
    while time.monotonic() < deadline:
        stored_at_kill = _count(db)[0]
        if stored_at_kill > 0:
            break
        time.sleep(0.005)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    sender.join(timeout=60)
    assert stored_at_kill > 0
    rows_after_kill, _ = _count(db)
    assert rows_after_kill < RECORDS, "the upload finished before the kill: test proves nothing"
    assert rows_after_kill % 50 == 0  # whole chunks only: never half a chunk

    server = start_server(env, port)
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=300)
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = response.json()
    assert response.status_code == 200, result
    assert result["rejected"] == 0
    assert result["replayed"] == rows_after_kill
    assert result["accepted"] == RECORDS - rows_after_kill
    assert _count(db) == (RECORDS, RECORDS)
    assert "intact" in run(env, "audit", "verify")  # check=True: a broken chain fails
