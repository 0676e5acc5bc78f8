"""Save screenshots of the main pages under docs/screenshots/ (``make screenshots``):
a real server on a small synthetic world that went through the whole demo
(network, model, selection), Debian's Chromium, one PNG per page."""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from ecomrisk.domain.enums import Role
from tests.web.server import CHROMIUM, CHROMIUM_ARGS, Server, serve

OUT = Path(__file__).parents[2] / "docs" / "screenshots"

# (file name, role, path); the shipment page is reached from the queue.
PAGES: list[tuple[str, Role, str]] = [
    ("queue", Role.OFFICER, "/app/queue"),
    ("cases", Role.OFFICER, "/app/cases"),
    ("rules", Role.ANALYST, "/app/rules"),
    ("ruleset", Role.ANALYST, "/app/rules/default@1"),
    ("rule-edit", Role.ANALYST, "/app/rules/default@1/edit"),
    ("ipr", Role.ADMINISTRATOR, "/app/ipr"),
    ("audit", Role.ADMINISTRATOR, "/app/audit"),
    ("users", Role.ADMINISTRATOR, "/app/users"),
    ("models", Role.ANALYST, "/app/models"),
    ("model", Role.ANALYST, "/app/models/risk@1"),
    ("networks", Role.ANALYST, "/app/network"),
    ("network", Role.ANALYST, "/app/network/networks/1"),
    ("compliance", Role.ANALYST, "/app/compliance"),
]


def _sign_in(page: object, server: Server, role: Role) -> None:
    username, password = server.passwords[role]
    page.goto("/app/sign-in")  # type: ignore[attr-defined]
    page.get_by_label("Username").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


def main() -> None:
    if not Path(CHROMIUM).exists():
        sys.exit(f"screenshots need Chromium at {CHROMIUM}: run `make browser`")
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        serve(Path(folder), shipments=1_500, product=True, seed=42) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {}
        for role in {role for _, role, _ in PAGES}:
            context = browser.new_context(
                base_url=server.url, viewport={"width": 1280, "height": 900}
            )
            pages[role] = context.new_page()
            _sign_in(pages[role], server, role)
        signed_out = browser.new_context(base_url=server.url).new_page()
        signed_out.goto("/app/sign-in")
        signed_out.screenshot(path=OUT / "sign-in.png")
        for name, role, path in PAGES:
            page = pages[role]
            page.goto(path)
            page.wait_for_load_state("networkidle")  # the graph and the plots
            page.screenshot(path=OUT / f"{name}.png", full_page=name not in ("rule-edit", "audit"))
            print(f"saved {OUT / name}.png")
        officer = pages[Role.OFFICER]
        officer.goto("/app/queue")
        officer.locator("#queue tbody tr td a").first.click()
        officer.wait_for_load_state()
        officer.screenshot(path=OUT / "shipment.png", full_page=True)
        print(f"saved {OUT / 'shipment.png'}")
        browser.close()


if __name__ == "__main__":
    main()
