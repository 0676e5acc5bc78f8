"""The Prometheus metrics of the process (prometheus-client's default registry).

Counters are per process, as Prometheus expects: with several workers each one
is scraped (or summed) on its own. Decisions are counted when their
transaction commits, so a rolled-back batch counts nothing.
"""

from typing import Any

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics
from sqlalchemy import Engine, event

from ecomrisk.store import decision_notes

disable_created_metrics()  # no *_created sample beside every counter: half the output

REQUESTS = Counter(
    "ecomrisk_http_requests_total",
    "HTTP requests by method, route template and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "ecomrisk_http_request_duration_seconds",
    "Time from request start to the end of the response, by method and route template.",
    ["method", "route"],
    # Filings are answered in milliseconds; bulk uploads take minutes.
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
)
IN_FLIGHT = Gauge("ecomrisk_http_requests_in_flight", "Requests being served now.")
FILINGS = Counter(
    "ecomrisk_filings_total",
    "Shipment and postal-item filings by outcome: accepted (a new version stored), "
    "replayed (identical to one stored) or rejected (refused, nothing stored).",
    ["outcome"],
)
DECISIONS = Counter(
    "ecomrisk_decisions_total",
    "Decisions committed by this process, by lane and kind (live or shadow).",
    ["lane", "kind"],
)
FILING_GROUP = Histogram(
    "ecomrisk_filing_group_size",
    "Single filings written in one transaction (group commit, SQLite): above 1 when "
    "filings arrive faster than one writer writes them one by one.",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
BULK_IN_PROGRESS = Gauge(
    "ecomrisk_bulk_uploads_in_progress", "Bulk uploads being received or written."
)
BULK_SPOOLED = Gauge(
    "ecomrisk_bulk_spool_bytes", "Bytes of bulk uploads spooled (memory or temporary files) now."
)

for outcome in ("accepted", "replayed", "rejected"):
    FILINGS.labels(outcome)  # exported as 0 from the start, so rates work at once


def count_filings(accepted: int = 0, replayed: int = 0, rejected: int = 0) -> None:
    for outcome, n in (("accepted", accepted), ("replayed", replayed), ("rejected", rejected)):
        if n:
            FILINGS.labels(outcome).inc(n)


def _committed(conn: Any) -> None:
    for lane, kind in decision_notes.take_notes(conn):
        DECISIONS.labels(lane, kind).inc()


def _rolled_back(conn: Any) -> None:
    decision_notes.take_notes(conn)


def count_decisions(engine: Engine) -> None:
    """Count every decision the decider writes on this engine, once its transaction
    commits (store/decision_notes.py)."""
    if event.contains(engine, "commit", _committed):
        return
    event.listen(engine, "begin", decision_notes.open_notes)
    event.listen(engine, "commit", _committed)
    event.listen(engine, "rollback", _rolled_back)
