"""Rule sets in the store: publish a version, move it through its statuses, load it."""

import hashlib
from datetime import UTC, datetime
from importlib import resources
from typing import Literal

from sqlalchemy import Connection, select, update

from ecomrisk import audit
from ecomrisk.features.registry import known_features
from ecomrisk.risk.rules import RuleSet, parse_ruleset
from ecomrisk.store.schema import rulesets

Status = Literal["draft", "shadow", "live", "retired"]


class RulesetError(ValueError):
    """A rule set operation that cannot be done; the message says why."""


class RulesetNotFoundError(RulesetError):
    """No rule set of that name and version."""


def bundled_default_source() -> str:
    return resources.files("ecomrisk.risk.rules").joinpath("default.yaml").read_text("utf-8")


def publish(connection: Connection, source: str, actor: str, origin: str = "rule set") -> RuleSet:
    """Store a new version as a draft. Its name@version must be new; the same text
    published twice is a no-op."""
    ruleset = parse_ruleset(source, origin, known_features())
    digest = hashlib.sha256(source.encode()).hexdigest()
    existing = connection.execute(
        select(rulesets.c.content_hash).where(
            rulesets.c.name == ruleset.name, rulesets.c.version == ruleset.version
        )
    ).scalar()
    if existing == digest:
        return ruleset
    if existing is not None:
        raise RulesetError(
            f"{ruleset.label} is already published with other content: raise its version"
        )
    connection.execute(
        rulesets.insert().values(
            name=ruleset.name,
            version=ruleset.version,
            source=source,
            content_hash=digest,
            status="draft",
            created_by=actor,
            created_at=datetime.now(UTC),
        )
    )
    audit.record(
        connection, actor=actor, action="publish", entity="ruleset", entity_id=ruleset.label
    )
    return ruleset


def _split(label: str) -> tuple[str, int]:
    name, _, version = label.partition("@")
    if not version.isdecimal() or len(version) > 9:
        raise RulesetError(f"{label!r}: name a rule set as NAME@VERSION, e.g. default@2")
    return name, int(version)


def set_status(connection: Connection, label: str, status: Status, actor: str) -> None:
    """Move a version to ``status``; promoting one to live retires the live one."""
    name, version = _split(label)
    row = connection.execute(
        select(rulesets.c.id, rulesets.c.status).where(
            rulesets.c.name == name, rulesets.c.version == version
        )
    ).one_or_none()
    if row is None:
        raise RulesetNotFoundError(f"no rule set {label}")
    if status == "live":
        connection.execute(
            update(rulesets).where(rulesets.c.status == "live").values(status="retired")
        )
    connection.execute(update(rulesets).where(rulesets.c.id == row.id).values(status=status))
    audit.record(
        connection,
        actor=actor,
        action=f"set_status:{status}",
        entity="ruleset",
        entity_id=label,
        before={"status": row.status},
        after={"status": status},
    )


def load(connection: Connection, label: str) -> RuleSet:
    name, version = _split(label)
    source = connection.execute(
        select(rulesets.c.source).where(rulesets.c.name == name, rulesets.c.version == version)
    ).scalar()
    if source is None:
        raise RulesetNotFoundError(f"no rule set {label}")
    return parse_ruleset(source, label)


def with_status(connection: Connection, status: Status) -> list[RuleSet]:
    sources = connection.execute(
        select(rulesets.c.name, rulesets.c.version, rulesets.c.source)
        .where(rulesets.c.status == status)
        .order_by(rulesets.c.name, rulesets.c.version)
    ).all()
    return [parse_ruleset(r.source, f"{r.name}@{r.version}") for r in sources]


def ensure_live(connection: Connection, actor: str = "system") -> RuleSet:
    """The live rule set; on a new store, the bundled default is published and promoted."""
    live = with_status(connection, "live")
    if live:
        return live[0]
    ruleset = publish(connection, bundled_default_source(), actor, "bundled default.yaml")
    set_status(connection, ruleset.label, "live", actor)
    return ruleset
