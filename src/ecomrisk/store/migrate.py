"""Schema migrations, run the same way by the CLI, the tests and production."""

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store to ``revision`` (the latest by default). Safe to repeat."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@dataclass(frozen=True)
class Status:
    current: str | None
    head: str
    pending: list[str]

    @property
    def up_to_date(self) -> bool:
        return not self.pending


def head() -> str:
    """The latest revision the migration scripts define."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None, "no migrations found"
    return revision


def status(engine: Engine) -> Status:
    """Which revision the store is at and which migrations are still to run."""
    script = ScriptDirectory.from_config(_config())
    head = script.get_current_head()
    assert head is not None, "no migrations found"
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    pending = [
        rev.revision
        for rev in script.iterate_revisions(head, current or "base")
        if rev.revision != current
    ]
    return Status(current=current, head=head, pending=list(reversed(pending)))
