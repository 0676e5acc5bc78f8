"""Watch lists, their versions and screening hits in the store: all screening I/O.

Importing a file whose bytes equal the current version's changes nothing;
otherwise it becomes the next version and the current one. ``rescreen`` screens
stored parties against every current version that has not yet been run over
them (or against all, on request), replacing that list's earlier hits.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, func, select, update

from ecomrisk.audit import record
from ecomrisk.domain.records import Party
from ecomrisk.risk.screening.lists import ListEntry, ParsedList
from ecomrisk.risk.screening.matcher import DEFAULT_ALGORITHM, Hit, ListIndex, Query
from ecomrisk.store.schema import (
    parties,
    screening_hits,
    watchlist_entries,
    watchlist_versions,
    watchlists,
)

INSERT_BATCH_ROWS = 1_000
PARTY_BATCH_ROWS = 5_000


@dataclass(frozen=True)
class ImportResult:
    watchlist: str
    version: int
    entries: int
    changed: bool  # False when the file equals the current version


@dataclass(frozen=True)
class LoadedList:
    """One current list version, indexed for matching."""

    watchlist: str
    watchlist_id: int
    version_id: int
    version: int
    content_hash: str
    index: ListIndex
    entry_ids: tuple[int, ...]  # store id of each index entry, by position


def import_list(
    connection: Connection, name: str, parsed: ParsedList, source_file: str, actor: str
) -> ImportResult:
    """Store ``parsed`` as the next version of list ``name`` and audit the import."""
    now = datetime.now(UTC)
    watchlist_id = connection.execute(
        select(watchlists.c.id).where(watchlists.c.name == name)
    ).scalar()
    if watchlist_id is None:
        watchlist_id = connection.execute(
            watchlists.insert()
            .values(name=name, kind=parsed.kind, created_at=now)
            .returning(watchlists.c.id)
        ).scalar_one()
    current = connection.execute(
        select(watchlist_versions.c.version, watchlist_versions.c.content_hash).where(
            watchlist_versions.c.watchlist_id == watchlist_id, watchlist_versions.c.is_current
        )
    ).first()
    if current is not None and current.content_hash == parsed.content_hash:
        return ImportResult(name, current.version, len(parsed.entries), changed=False)
    version = (current.version if current else 0) + 1
    connection.execute(
        update(watchlist_versions)
        .where(watchlist_versions.c.watchlist_id == watchlist_id)
        .values(is_current=False)
    )
    version_id = connection.execute(
        watchlist_versions.insert()
        .values(
            watchlist_id=watchlist_id,
            version=version,
            is_current=True,
            content_hash=parsed.content_hash,
            source_file=source_file[-500:],
            entry_count=len(parsed.entries),
            imported_at=now,
        )
        .returning(watchlist_versions.c.id)
    ).scalar_one()
    rows = [_entry_row(version_id, entry) for entry in parsed.entries]
    for start in range(0, len(rows), INSERT_BATCH_ROWS):
        connection.execute(watchlist_entries.insert(), rows[start : start + INSERT_BATCH_ROWS])
    record(
        connection,
        actor=actor,
        action="import",
        entity="watchlist_version",
        entity_id=version_id,
        after={
            "watchlist": name,
            "kind": parsed.kind,
            "version": version,
            "content_hash": parsed.content_hash,
            "entries": len(parsed.entries),
            "source_file": source_file,
        },
    )
    return ImportResult(name, version, len(parsed.entries), changed=True)


def _entry_row(version_id: int, entry: ListEntry) -> dict[str, object]:
    return {
        "version_id": version_id,
        "entry_key": entry.key[:100],
        "entity_type": entry.entity_type,
        "name": entry.name[:1000],
        "aliases": list(entry.aliases),
        "addresses": list(entry.addresses),
        "countries": list(entry.countries),
        "details": entry.details,
    }


def list_summaries(connection: Connection) -> list[dict[str, object]]:
    """Every list with its current version, for people."""
    query = (
        select(
            watchlists.c.name,
            watchlists.c.kind,
            watchlist_versions.c.version,
            watchlist_versions.c.entry_count,
            watchlist_versions.c.content_hash,
            watchlist_versions.c.imported_at,
            watchlist_versions.c.screened_at,
        )
        .join(watchlist_versions, watchlist_versions.c.watchlist_id == watchlists.c.id)
        .where(watchlist_versions.c.is_current)
        .order_by(watchlists.c.name)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


# An index is built once per list version and kept: versions never change.
_INDEX_CACHE: dict[tuple[int, str], tuple[ListIndex, tuple[int, ...]]] = {}
MAX_CACHED_INDEXES = 32


def versions_label(versions: Iterable[tuple[str, int]]) -> str:
    """``name@version,...``: the lists a decision used, as its versions name them."""
    return ",".join(f"{name}@{version}" for name, version in versions)


def _current_versions() -> Select[Any]:
    """Every list's current version, in the order decisions name them."""
    return (
        select(
            watchlists.c.name,
            watchlists.c.id.label("watchlist_id"),
            watchlist_versions.c.id.label("version_id"),
            watchlist_versions.c.version,
            watchlist_versions.c.content_hash,
        )
        .join(watchlist_versions, watchlist_versions.c.watchlist_id == watchlists.c.id)
        .where(watchlist_versions.c.is_current)
        .order_by(watchlists.c.name)
    )


def current_list_versions(connection: Connection) -> str:
    """The label of the current lists (``versions_label``) without indexing any list:
    a batch run reads screening hits already stored and needs only the label."""
    rows = connection.execute(_current_versions())
    return versions_label((row.name, row.version) for row in rows)


def load_current_lists(connection: Connection) -> list[LoadedList]:
    """The current version of every list, indexed (from the cache when possible)."""
    rows = connection.execute(_current_versions()).all()
    loaded = []
    for row in rows:
        key = (row.version_id, row.content_hash)
        if key not in _INDEX_CACHE:
            if len(_INDEX_CACHE) >= MAX_CACHED_INDEXES:
                _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
            _INDEX_CACHE[key] = _build_index(connection, row.version_id)
        index, entry_ids = _INDEX_CACHE[key]
        loaded.append(
            LoadedList(
                row.name, row.watchlist_id, row.version_id, row.version, row.content_hash,
                index, entry_ids,
            )
        )  # fmt: skip
    return loaded


def _build_index(connection: Connection, version_id: int) -> tuple[ListIndex, tuple[int, ...]]:
    rows = connection.execute(
        select(watchlist_entries)
        .where(watchlist_entries.c.version_id == version_id)
        .order_by(watchlist_entries.c.id)
    ).all()
    entries = [
        ListEntry(
            key=row.entry_key,
            entity_type=row.entity_type,
            name=row.name,
            aliases=tuple(row.aliases),
            addresses=tuple(row.addresses),
            countries=tuple(row.countries),
            details=dict(row.details),
        )
        for row in rows
    ]
    return ListIndex(entries), tuple(row.id for row in rows)


def query_for_party(party: Party) -> Query:
    address = party.address
    if address is None:
        return Query(party.name)
    lines = (address.line1, address.line2, address.city, address.region, address.postal_code)
    return Query(party.name, country=address.country, address=" ".join(p for p in lines if p))


def screen_party(
    party: Party | Query, lists: Sequence[LoadedList], algorithm: str = DEFAULT_ALGORITHM
) -> list[tuple[LoadedList, Hit]]:
    """Hits of one party on every loaded list, best first. Pure, for real-time use."""
    query = query_for_party(party) if isinstance(party, Party) else party
    found = [(loaded, hit) for loaded in lists for hit in loaded.index.screen(query, algorithm)]
    return sorted(found, key=lambda pair: -pair[1].score)


def _stored_parties(connection: Connection) -> Iterator[list[tuple[int, Query]]]:
    last_id = 0
    while True:
        rows = connection.execute(
            select(parties)
            .where(parties.c.id > last_id)
            .order_by(parties.c.id)
            .limit(PARTY_BATCH_ROWS)
        ).all()
        if not rows:
            return
        batch = []
        for row in rows:
            lines = (row.address_line1, row.address_line2, row.city, row.region, row.postal_code)
            address = " ".join(part for part in lines if part) or None
            batch.append((row.id, Query(row.name, country=row.country, address=address)))
        yield batch
        last_id = rows[-1].id


def rescreen(connection: Connection, everything: bool = False) -> dict[str, int]:
    """Screen stored parties against changed lists (or all); hits per list re-screened."""
    now = datetime.now(UTC)
    todo = [
        loaded
        for loaded in load_current_lists(connection)
        if everything or _screened_at(connection, loaded.version_id) is None
    ]
    counts: dict[str, int] = {}
    for loaded in todo:
        # Earlier hits on this list (any version) are replaced by this run's.
        old_versions = select(watchlist_versions.c.id).where(
            watchlist_versions.c.watchlist_id == loaded.watchlist_id
        )
        connection.execute(
            delete(screening_hits).where(screening_hits.c.version_id.in_(old_versions))
        )
        total = 0
        for batch in _stored_parties(connection):
            rows = [
                hit_row(party_id, loaded, hit, now)
                for party_id, query in batch
                for hit in loaded.index.screen(query)
            ]
            if rows:
                connection.execute(screening_hits.insert(), rows)
            total += len(rows)
        connection.execute(
            update(watchlist_versions)
            .where(watchlist_versions.c.id == loaded.version_id)
            .values(screened_at=now)
        )
        counts[loaded.watchlist] = total
    return counts


def _screened_at(connection: Connection, version_id: int) -> datetime | None:
    return connection.execute(
        select(watchlist_versions.c.screened_at).where(watchlist_versions.c.id == version_id)
    ).scalar()


def hit_row(party_id: int, loaded: LoadedList, hit: Hit, at: datetime) -> dict[str, object]:
    return {
        "party_id": party_id,
        "entry_id": loaded.entry_ids[hit.entry_index],
        "version_id": loaded.version_id,
        "score": hit.score,
        "algorithm": hit.algorithm,
        "matched_name": hit.matched_name[:1000],
        "explanation": hit.explanation(),
        "screened_at": at,
    }


def hits_for_party(connection: Connection, party_id: int) -> list[dict[str, object]]:
    query = (
        select(
            screening_hits.c.score,
            screening_hits.c.algorithm,
            screening_hits.c.matched_name,
            screening_hits.c.explanation,
            watchlist_entries.c.entry_key,
            watchlist_versions.c.version,
            watchlists.c.name.label("watchlist"),
        )
        .join(watchlist_entries, watchlist_entries.c.id == screening_hits.c.entry_id)
        .join(watchlist_versions, watchlist_versions.c.id == screening_hits.c.version_id)
        .join(watchlists, watchlists.c.id == watchlist_versions.c.watchlist_id)
        .where(screening_hits.c.party_id == party_id)
        .order_by(screening_hits.c.score.desc())
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def hit_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(screening_hits)).scalar_one())
