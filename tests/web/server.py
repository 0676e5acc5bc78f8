"""A real app server for browser tests and screenshots: a temporary SQLite store
filled with a small synthetic world through the real ingestion path, demo accounts
for each role, and ``ecomrisk serve`` (uvicorn) on a free port of 127.0.0.1."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ecomrisk.demo import (
    DemoReport,
    file_world,
    load_outcomes,
    run_product,
    screen,
    simulate_world,
)
from ecomrisk.domain.enums import Role
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_store_engine
from ecomrisk.web.demo_accounts import seed_demo_accounts

ECOMRISK = str(Path(sys.executable).with_name("ecomrisk"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Server:
    url: str
    passwords: dict[Role, tuple[str, str]]  # role -> (username, password)
    database: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def build_world(
    folder: Path, shipments: int = 150, seed: int = 7, product: bool = False
) -> dict[Role, tuple[str, str]]:
    """Migrate a store in ``folder``, file a synthetic world into it, seed accounts;
    with ``product``, also what ``ecomrisk demo`` does after filing (network, model,
    facilities, compliance design, selection)."""
    settings = Settings(data_dir=folder)
    engine = create_store_engine(settings)
    try:
        migrate.upgrade(engine)
        world = folder / "world"
        simulate_world(world, shipments, seed, _quiet)
        report = DemoReport(world)
        screen(engine, world, report)
        file_world(engine, settings, world, report, _quiet)
        load_outcomes(engine, world, report, _quiet)
        if product:
            run_product(engine, settings, report, _quiet, seed)
        with engine.begin() as connection:
            accounts = seed_demo_accounts(connection)
    finally:
        engine.dispose()
    return {a.role: (a.username, a.password) for a in accounts}


@contextmanager
def serve(
    folder: Path, shipments: int = 150, product: bool = False, seed: int = 7
) -> Iterator[Server]:
    passwords = build_world(folder, shipments, seed, product=product)
    env = {**os.environ, "ECOMRISK_DATA_DIR": str(folder)}
    for name in ("ECOMRISK_DATABASE_URL", "ECOMRISK_CONFIG"):
        env.pop(name, None)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [ECOMRISK, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):  # up to 60 s on a loaded machine
            try:
                httpx.get(f"{url}/app/sign-in", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the app server did not start")
        yield Server(url, passwords, folder / "ecomrisk.db")
    finally:
        process.terminate()
        process.wait(timeout=10)
