"""Every app route is described in docs/web.md, and every page says who may use it."""

from pathlib import Path

from ecomrisk.web import page_routers
from ecomrisk.web.auth import PREFIX

DOC = Path(__file__).parents[2] / "docs" / "web.md"


def test_every_app_route_is_documented() -> None:
    text = DOC.read_text("utf-8")
    missing = []
    for router in page_routers():
        for route in router.routes:
            for method in sorted(route.methods):  # type: ignore[attr-defined]
                entry = f"`{method} {PREFIX}{route.path}"  # type: ignore[attr-defined]
                if f"{entry}`" not in text and f"{entry}?" not in text:
                    missing.append(entry)
    assert missing == []
