"""Every filer API route is described in docs/api.md."""

import re
from pathlib import Path

from ecomrisk.api import create_app
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_store_engine

API_DOC = Path(__file__).parents[1] / "docs" / "api.md"


def test_every_route_is_documented(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(create_store_engine(settings))
    app = create_app(settings)
    text = API_DOC.read_text("utf-8")
    missing = []
    for path, operations in app.openapi()["paths"].items():
        documented = re.sub(r"\{filer_reference:path\}", "{filer_reference}", path)
        for method in operations:
            if f"{method.upper()} {documented}" not in text:
                missing.append(f"{method.upper()} {documented}")
    assert missing == []


def test_the_app_refuses_an_unmigrated_store(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(RuntimeError, match="run `ecomrisk db upgrade` first"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
