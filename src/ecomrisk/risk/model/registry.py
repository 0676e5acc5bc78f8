"""Model versions in the store: register a trained artifact, move it through its
statuses, load it. Audited like rule sets (``rulesets_repo``).

Artifacts live in the store (``models.artifact``), not in files: a decision
names a model version, and that version must reload years later from the one
thing that is backed up, in the same transaction that changes its status.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, func, select, update

from ecomrisk import audit
from ecomrisk.store.schema import models

Status = Literal["draft", "shadow", "live", "retired"]
STATUSES: tuple[Status, ...] = ("draft", "shadow", "live", "retired")
DEFAULT_NAME = "risk"


class ModelRegistryError(ValueError):
    """A model operation that cannot be done; the message says why."""


class ModelNotFoundError(ModelRegistryError):
    """No model of that name and version."""


@dataclass(frozen=True)
class StoredModel:
    label: str
    status: str
    artifact: bytes
    details: dict[str, Any]
    created_by: str
    created_at: datetime
    promoted_at: datetime | None


def split_label(label: str) -> tuple[str, int]:
    """``risk@3`` -> ("risk", 3); a bare number names a version of the default model."""
    name, _, version = label.rpartition("@") if "@" in label else (DEFAULT_NAME, "", label)
    if not name or not version.isdecimal() or len(version) > 9:
        raise ModelRegistryError(f"{label!r}: name a model as NAME@VERSION, e.g. risk@2")
    return name, int(version)


def _row(row: Any) -> StoredModel:
    return StoredModel(
        f"{row.name}@{row.version}",
        row.status,
        bytes(row.artifact),
        dict(row.details),
        row.created_by,
        row.created_at,
        row.promoted_at,
    )


def register(
    connection: Connection,
    artifact: bytes,
    details: dict[str, Any],
    actor: str,
    name: str = DEFAULT_NAME,
) -> str:
    """Store a trained model as the next version of ``name``, a draft; returns its label."""
    latest = connection.execute(
        select(func.max(models.c.version)).where(models.c.name == name)
    ).scalar()
    version = int(latest or 0) + 1
    label = f"{name}@{version}"
    connection.execute(
        models.insert().values(
            name=name,
            version=version,
            status="draft",
            artifact=artifact,
            artifact_sha256=hashlib.sha256(artifact).hexdigest(),
            details=details,
            created_by=actor,
            created_at=datetime.now(UTC),
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="register",
        entity="model",
        entity_id=label,
        after={"sha256": hashlib.sha256(artifact).hexdigest(), "window": details.get("window")},
    )
    return label


def load(connection: Connection, label: str) -> StoredModel:
    name, version = split_label(label)
    row = connection.execute(
        select(models).where(models.c.name == name, models.c.version == version)
    ).one_or_none()
    if row is None:
        raise ModelNotFoundError(f"no model {name}@{version}")
    return _row(row)


def listing(connection: Connection) -> list[StoredModel]:
    rows = connection.execute(select(models).order_by(models.c.name, models.c.version)).all()
    return [_row(r) for r in rows]


def with_status(connection: Connection, status: Status) -> list[StoredModel]:
    rows = connection.execute(
        select(models).where(models.c.status == status).order_by(models.c.id)
    ).all()
    return [_row(r) for r in rows]


def status_key(connection: Connection) -> tuple[tuple[int, str], ...]:
    """What identifies the live and shadow models right now (cheap to read often)."""
    return tuple(
        (int(r.id), str(r.status))
        for r in connection.execute(
            select(models.c.id, models.c.status)
            .where(models.c.status.in_(["live", "shadow"]))
            .order_by(models.c.id)
        )
    )


def set_status(
    connection: Connection, label: str, status: Status, actor: str, *, restore: bool = False
) -> None:
    """Move a version to ``status``; promoting one to live retires the live one.
    ``restore`` (a rollback) keeps its promotion time, so rolling back again goes
    further back in history instead of back and forth."""
    if status not in STATUSES:
        raise ModelRegistryError(f"status {status!r}: use one of {', '.join(STATUSES)}")
    stored = load(connection, label)
    name, version = split_label(stored.label)
    values: dict[str, Any] = {"status": status}
    if status == "live":
        connection.execute(update(models).where(models.c.status == "live").values(status="retired"))
        if not restore:
            values["promoted_at"] = datetime.now(UTC)
    connection.execute(
        update(models).where(models.c.name == name, models.c.version == version).values(**values)
    )
    audit.record(
        connection,
        actor=actor,
        action=f"set_status:{status}",
        entity="model",
        entity_id=stored.label,
        before={"status": stored.status},
        after={"status": status},
    )


def rollback(connection: Connection, actor: str) -> tuple[str, str]:
    """Retire the live model and make live again the one that was live before it;
    returns (retired, restored)."""
    live = with_status(connection, "live")
    if not live:
        raise ModelRegistryError("no model is live: nothing to roll back")
    current = live[0]
    earlier = [
        (m.promoted_at, m.label)
        for m in listing(connection)
        if m.promoted_at is not None
        and current.promoted_at is not None
        and m.promoted_at < current.promoted_at
    ]
    if not earlier:
        raise ModelRegistryError(
            f"{current.label} is the first model that was live: nothing to roll back to "
            "(retire it to decide on rules alone)"
        )
    previous = max(earlier)[1]
    set_status(connection, previous, "live", actor, restore=True)
    audit.record(
        connection,
        actor=actor,
        action="rollback",
        entity="model",
        entity_id=current.label,
        after={"live": previous},
    )
    return current.label, previous
