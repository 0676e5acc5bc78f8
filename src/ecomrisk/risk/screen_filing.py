"""Screening as part of a decision: the parties of one shipment version against the
current watch lists (online), or the stored hits of many versions (batch).

Hits become features (``screening_max_score``, ``screening_hits``) that rules
act on, and reasons that say who matched whom on which list version.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from ecomrisk.domain.records import Reason
from ecomrisk.risk.screening.matcher import Hit, Query
from ecomrisk.risk.screening.repo import LoadedList, hit_row, load_current_lists, versions_label
from ecomrisk.store.schema import (
    parties,
    screening_hits,
    watchlist_entries,
    watchlist_versions,
    watchlists,
)


def _reason(
    role: str, name: str, watchlist: str, version: int, entry_key: str, score: float, matched: str
) -> Reason:
    return Reason(
        kind="screening",
        code=f"{watchlist}:{entry_key}",
        text=f"{role} {name!r} matches {matched!r} on {watchlist} (version {version}), "
        f"score {score:.2f}",
        weight=round(score, 4),
    )


_ADDRESS = ("address_line1", "address_line2", "city", "region", "postal_code")


def _queries(party_rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str, Query]]:
    out = []
    for position, row in enumerate(party_rows):
        address = " ".join(row[part] for part in _ADDRESS if row[part]) or None
        query = Query(row["name"], country=row["country"], address=address)
        out.append((position, row["role"], row["name"], query))
    return out


# Built once: the ids of a version's parties, in the order they were stored.
_PARTY_IDS = (
    select(parties.c.id).where(parties.c.shipment_id == bindparam("sid")).order_by(parties.c.id)
)


def screen_version(
    connection: Connection,
    sid: int,
    party_rows: Sequence[Mapping[str, Any]],
    lists: Sequence[LoadedList] | None = None,
) -> tuple[dict[str, float], list[Reason], str]:
    """Screen the stored parties of shipment version ``sid`` (their rows, in the order
    stored), store the hits, return features, reasons and the list versions used
    (``name@version,...``)."""
    lists = load_current_lists(connection) if lists is None else lists
    used = versions_label((loaded.watchlist, loaded.version) for loaded in lists)
    found: list[tuple[int, str, str, LoadedList, Hit]] = []
    for position, role, name, query in _queries(party_rows) if lists else []:
        for loaded in lists:
            for hit in loaded.index.screen(query):
                found.append((position, role, name, loaded, hit))
    if found:
        # Hits are stored against the party rows' ids, read only when there are hits
        # (rare): one INSERT of many rows gives them in the order of the rows.
        ids = connection.execute(_PARTY_IDS, {"sid": sid}).scalars().all()
        assert len(ids) == len(party_rows), (sid, len(ids), len(party_rows))
        found = [(ids[position], *rest) for position, *rest in found]
        now = datetime.now(UTC)
        connection.execute(
            screening_hits.insert(),
            [hit_row(p, loaded, hit, now) for p, _, _, loaded, hit in found],
        )
    found.sort(key=lambda item: -item[4].score)
    reasons = [
        _reason(
            role,
            name,
            loaded.watchlist,
            loaded.version,
            loaded.index.entries[hit.entry_index].key,
            hit.score,
            hit.matched_name,
        )
        for _, role, name, loaded, hit in found
    ]
    features = {
        "screening_max_score": max((item[4].score for item in found), default=0.0),
        "screening_hits": float(len(found)),
    }
    return features, reasons, used


def stored_screening(
    connection: Connection, between: tuple[int, int] | None = None
) -> dict[int, tuple[dict[str, float], list[Reason]]]:
    """Features and reasons of every shipment version with stored hits, for batch runs;
    ``between``: only versions with ids in that closed range (a chunk of a run)."""
    query = (
        select(
            parties.c.shipment_id,
            parties.c.role,
            parties.c.name,
            watchlists.c.name.label("watchlist"),
            watchlist_versions.c.version,
            watchlist_entries.c.entry_key,
            screening_hits.c.score,
            screening_hits.c.matched_name,
        )
        .join(parties, parties.c.id == screening_hits.c.party_id)
        .join(watchlist_entries, watchlist_entries.c.id == screening_hits.c.entry_id)
        .join(watchlist_versions, watchlist_versions.c.id == screening_hits.c.version_id)
        .join(watchlists, watchlists.c.id == watchlist_versions.c.watchlist_id)
        .order_by(parties.c.shipment_id, screening_hits.c.score.desc())
    )
    if between is not None:
        query = query.where(parties.c.shipment_id.between(*between))
    rows = connection.execute(query).all()
    by_sid: dict[int, tuple[dict[str, float], list[Reason]]] = {}
    for row in rows:
        features, reasons = by_sid.setdefault(row.shipment_id, (no_screening(), []))
        features["screening_max_score"] = max(features["screening_max_score"], row.score)
        features["screening_hits"] += 1
        reasons.append(
            _reason(
                row.role,
                row.name,
                row.watchlist,
                row.version,
                row.entry_key,
                row.score,
                row.matched_name,
            )
        )
    return by_sid


def no_screening() -> dict[str, float]:
    return {"screening_max_score": 0.0, "screening_hits": 0.0}


def hit_total(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(screening_hits)).scalar_one())
