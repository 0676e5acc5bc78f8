"""The analysis pages in a real browser against a real server on a world that went
through the whole demo (network, model, facilities, compliance design, selection):
explore a network, read a model's report and promote it, read compliance and make
a design, run the selection and work the queue it makes. No page may break its
Content-Security-Policy (Cytoscape.js included)."""

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select

from ecomrisk.domain.enums import Role
from ecomrisk.store.schema import models, selection_runs, shipments
from tests.web.server import CHROMIUM, CHROMIUM_ARGS, Server, serve
from tests.web.test_browser import _chromium_or_skip, _page

pytestmark = pytest.mark.slow

# Big enough for a model to train (it needs 50 exams with both outcomes).
SHIPMENTS = 1_500
# What the browser logs for the refusals the tests provoke (and nothing else).
REFUSED = "Failed to load resource: the server responded with a status of 409 (Conflict)"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _chromium_or_skip()
    with serve(tmp_path_factory.mktemp("analysis"), SHIPMENTS, product=True, seed=42) as running:
        engine = create_engine(f"sqlite:///{running.database}")
        with engine.connect() as connection:
            live = connection.execute(select(models.c.version).where(models.c.status == "live"))
            assert live.first(), "the demo trained and promoted no model on this world"
        engine.dispose()
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_analyst_opens_a_network_expands_a_node_and_sees_the_shipments_behind_a_link(
    browser: object, server: Server
) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, server, Role.ANALYST)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Networks").click()
    page.locator("#networks tbody tr td a").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Network N\d+"))).to_be_visible()
    graph = page.locator("#graph")
    expect(graph).to_have_attribute("data-nodes", re.compile(r"^[1-9]\d*$"))
    # From a member entity: the graph starts at it, its neighbours come with it.
    member = page.locator("a", has_text=re.compile(r"^entity:E\d+$")).first
    entity = member.inner_text()
    member.click()
    expect(page.locator("#node-panel")).to_contain_text(entity)
    before = int(graph.get_attribute("data-nodes") or 0)
    assert before >= 2
    # Expand an identifier it shares: more nodes join the graph.
    grow = page.locator(
        "#node-panel button", has_text=re.compile(r"^Expand (phone|email|seller|address):")
    )
    if grow.count():
        grow.first.click()
        expect(page.locator("#node-panel")).to_contain_text("neighbours shown")
    page.goto(f"/app/network?node={entity}")
    page.locator(
        "#node-panel button", has_text="What is behind the link to shipment:"
    ).first.click()
    panel = page.locator("#link-panel")
    expect(panel).to_contain_text("party records behind this link")
    panel.locator("tbody a").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Shipment "))).to_be_visible()
    assert problems == []


def test_analyst_reads_a_model_report_and_promotes_it(browser: object, server: Server) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, server, Role.ANALYST)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Models").click()
    page.get_by_role("link", name="risk@1").click()
    expect(page.get_by_role("heading", name="Model risk@1 (live)")).to_be_visible()
    expect(page.get_by_role("heading", name="Evaluation report")).to_be_visible()
    expect(page.get_by_role("rowheader", name="random_sample")).to_be_visible()
    for image in page.locator("img.plot").all():
        image.scroll_into_view_if_needed()
        # Each plot is drawn on its first request (Matplotlib is loaded then): on a
        # loaded machine that took longer than the default 5 s (CI, 2026-12-01).
        expect(image).to_have_js_property("complete", True, timeout=30_000)
        assert image.evaluate("i => i.naturalWidth") > 100
    page.get_by_role("button", name="Score in shadow").click()
    expect(page.get_by_role("heading", name="Model risk@1 (shadow)")).to_be_visible()
    page.get_by_role("button", name="Promote to live").click()
    expect(page.get_by_role("heading", name="Model risk@1 (live)")).to_be_visible()
    # Nothing was live before it: rolling back is refused, and says why.
    page.get_by_role("button", name="Roll back").first.click()
    expect(page.get_by_text("nothing to roll back to")).to_be_visible()
    assert problems == [REFUSED]


def test_programme_manager_reads_compliance_and_makes_a_design(
    browser: object, server: Server
) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, server, Role.PROGRAMME_MANAGER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compliance").click()
    expect(page.get_by_role("heading", name="Sample design in force")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Design 1: margin"))).to_be_visible()
    expect(page.locator("#lift")).to_contain_text("Lift of targeting")
    page.get_by_label("Margin of error").fill("0.05")
    page.get_by_label("Allocation").select_option("per_stratum")
    page.get_by_label("hs").uncheck()
    page.get_by_role("button", name="Make and put in force").click()
    expect(page.get_by_text(re.compile(r"^Design 2: margin ±5\.0 points"))).to_be_visible()
    expect(page.get_by_text("strata by mode, region, trusted")).to_be_visible()
    assert problems == []


def test_supervisor_runs_the_selection_and_the_queue_shows_it(
    browser: object, server: Server
) -> None:
    from playwright.sync_api import expect

    engine = create_engine(f"sqlite:///{server.database}")
    with engine.connect() as connection:
        last = connection.execute(select(func.max(selection_runs.c.day))).scalar_one()
        # The busiest facility on a day after those the demo selected.
        code, arrival = connection.execute(
            select(shipments.c.port_of_arrival, func.date(shipments.c.estimated_arrival))
            .where(shipments.c.is_current, func.date(shipments.c.estimated_arrival) > last)
            .group_by(shipments.c.port_of_arrival, func.date(shipments.c.estimated_arrival))
            .order_by(func.count().desc())
        ).first()
    engine.dispose()
    day = str(arrival)
    page, problems = _page(browser, server, Role.SUPERVISOR)
    page.goto("/app/queue")
    page.locator("#select-facility").select_option(code)
    page.locator("#select-day").fill(day)
    page.get_by_role("button", name="Run selection").click()
    expect(page.locator("#queue-source")).to_contain_text(
        f"Targeting selection for {code} on {day}"
    )
    reasons = page.locator("#selection td.reason").all_inner_texts()
    assert reasons
    assert set(reasons) <= {"forced", "score", "exploration", "random"}
    ranks = [int(t) for t in page.locator("#selection tbody tr td:first-child").all_inner_texts()]
    assert ranks == list(range(1, len(ranks) + 1))
    # Once per facility and day: a second run is refused with the reason.
    page.get_by_role("button", name="Run selection").click()
    expect(page.get_by_text("selected already")).to_be_visible()
    # The officer's queue opens on the facility's first selected day.
    officer, more = _page(browser, server, Role.OFFICER)
    officer.goto(f"/app/queue?facility={code}")
    expect(officer.locator("#queue-source")).to_contain_text(f"Targeting selection for {code}")
    house_bill = officer.locator("#selection tbody tr td a").first.inner_text()
    officer.get_by_role("button", name=f"Claim {house_bill}").first.click()
    expect(officer.get_by_role("heading", name=f"Shipment {house_bill}")).to_be_visible()
    assert problems == [REFUSED]
    assert more == []
