"""Every filer API route is described in docs/api.md."""

import re
from pathlib import Path

from ecomrisk.api import create_app
from ecomrisk.settings import Settings

API_DOC = Path(__file__).parents[1] / "docs" / "api.md"


def test_every_route_is_documented(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    text = API_DOC.read_text("utf-8")
    missing = []
    for path, operations in app.openapi()["paths"].items():
        documented = re.sub(r"\{filer_reference:path\}", "{filer_reference}", path)
        for method in operations:
            if f"{method.upper()} {documented}" not in text:
                missing.append(f"{method.upper()} {documented}")
    assert missing == []
