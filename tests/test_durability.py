"""Kill a real server (kill -9) during a bulk upload, restart, re-send: every
accepted record is stored exactly once."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from ecomrisk.store.schema import shipments
from tests.samples import shipment

RECORDS = 4_000
ECOMRISK = str(Path(sys.executable).with_name("ecomrisk"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [ECOMRISK, *args], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [ECOMRISK, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):  # up to 30 s to come up
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("server did not start")


@pytest.fixture
def world(tmp_path: Path) -> tuple[dict[str, str], str, Path]:
    db = tmp_path / "store.db"
    env = {
        **os.environ,
        "ECOMRISK_DATABASE_URL": f"sqlite:///{db}",
        "ECOMRISK_INGEST_CHUNK_SIZE": "50",
        "ECOMRISK_DATA_DIR": str(tmp_path),
    }
    env.pop("ECOMRISK_CONFIG", None)
    _run(env, "db", "upgrade")
    out = _run(env, "filers", "create", "DUR", "--name", "Durable", "--type", "carrier")
    key = next(line for line in out.splitlines() if line.startswith("ek_")).strip()
    return env, key, db


def _count(db: Path) -> tuple[int, int]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(shipments)).scalar_one()
        keys = connection.execute(
            select(func.count(func.distinct(shipments.c.filer_reference)))
        ).scalar_one()
    engine.dispose()
    return rows, keys


@pytest.mark.slow
def test_kill_during_bulk_upload_then_resend(world: tuple[dict[str, str], str, Path]) -> None:
    env, key, db = world
    body = "".join(json.dumps(shipment(f"D{i:05d}")) + "\n" for i in range(RECORDS)).encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"}
    port = _free_port()
    server = _start(env, port)
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

    server = _start(env, port)
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
    assert "intact" in _run(env, "audit", "verify")  # check=True: a broken chain fails
