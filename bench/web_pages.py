"""Web app benchmark: server time of the officer's main pages on a filled store.

    .venv/bin/python bench/web_pages.py [--shipments 3000] [--requests 100] [--postgres URL]

A synthetic world of --shipments is filed through the ingestion path (each filing
decided), then an officer signs in and each page is requested --requests times
through the ASGI app in process (FastAPI's TestClient: the whole HTTP stack of the
app, no sockets). Results print as Markdown for docs/benchmarks.md.
"""

import argparse
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from ecomrisk.api import create_app
from ecomrisk.demo import DemoReport, file_world, load_outcomes, screen, simulate_world
from ecomrisk.domain.enums import Role
from ecomrisk.settings import Settings
from ecomrisk.store import migrate, users_repo
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import decisions, shipments

PASSWORD = "benchmark password"


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def build(engine: Engine, settings: Settings, world: Path, count: int) -> None:
    migrate.upgrade(engine)
    simulate_world(world, count, 42, _quiet)
    report = DemoReport(world)
    screen(engine, world, report)
    file_world(engine, settings, world, report, _quiet)
    load_outcomes(engine, world, report, _quiet)
    with engine.begin() as connection:
        users_repo.create_user(
            connection,
            username="bench",
            display_name="Bench",
            roles={Role.OFFICER},
            actor="bench",
        )
        users_repo.set_password(connection, "bench", PASSWORD, actor="bench")


def measure(engine: Engine, settings: Settings, requests: int) -> dict[str, tuple[float, float]]:
    client = TestClient(create_app(settings, engine=engine))
    page = client.get("/app/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        "/app/sign-in", data={"username": "bench", "password": PASSWORD, "csrf_token": token}
    )
    with engine.connect() as connection:
        sid = connection.execute(
            select(shipments.c.id)
            .join(decisions, decisions.c.shipment_id == shipments.c.id)
            .where(shipments.c.is_current, decisions.c.lane != "release")
            .limit(1)
        ).scalar_one()
        port = connection.execute(
            select(shipments.c.port_of_arrival).where(shipments.c.id == sid)
        ).scalar_one()
    pages = {
        "queue, all facilities, by score": "/app/queue",
        "queue, one facility, by arrival": f"/app/queue?facility={port}&sort=arrival",
        "queue, page 2": "/app/queue?page=2",
        "shipment page": f"/app/shipments/{sid}",
        "cases": "/app/cases",
    }
    results = {}
    for name, path in pages.items():
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        results[name] = (_percentile(times, 50), _percentile(times, 95))
    client.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shipments", type=int, default=3_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (a new schema)")
    args = parser.parse_args()
    columns: dict[str, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        engine = create_engine_for_url(f"sqlite:///{folder}/bench.db")
        build(engine, settings, Path(folder) / "world", args.shipments)
        columns["SQLite"] = measure(engine, settings, args.requests)
        engine.dispose()
        if args.postgres:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine_for_url(args.postgres)
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            engine = create_engine_for_url(
                args.postgres, connect_args={"options": f"-csearch_path={schema}"}
            )
            try:
                build(engine, settings, Path(folder) / "world", args.shipments)
                columns["PostgreSQL"] = measure(engine, settings, args.requests)
            finally:
                engine.dispose()
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    names = list(columns)
    print(f"| page ({args.shipments:,} shipments), p50 / p95 | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for page in columns[names[0]]:
        cells = [f"{columns[n][page][0]:.1f} / {columns[n][page][1]:.1f} ms" for n in names]
        print(f"| {page} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
