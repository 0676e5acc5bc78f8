"""Lists, versions and hits in the store, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from ecomrisk.domain.records import Address, Party
from ecomrisk.risk.screening import parse_list, repo
from ecomrisk.store.schema import audit_log, filers, parties, shipments

AGENCY_V1 = (
    "name,aliases,address,country,reason\n"
    "Golden Star Trading LLC,Golden Star,12 Creek Road Dubai,AE,counterfeit watches\n"
    "Sergey Viktorovich Ivanov,Сергей Иванов,,RU,undervaluation\n"
)
AGENCY_V2 = AGENCY_V1 + "Acme Fakes Ltd,,1 High Street London,GB,counterfeits\n"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _add_party(connection: Connection, name: str, country: str | None = None) -> int:
    filer_id = connection.execute(select(filers.c.id)).scalar()
    if filer_id is None:
        filer_id = connection.execute(
            filers.insert().values(code="F1", name="Filer", filer_type="express", created_at=NOW)
        ).inserted_primary_key[0]
    shipment_id = connection.execute(
        shipments.insert().values(
            filer_id=filer_id, filer_reference=name[:50], version=1, is_current=True,
            status="accepted", content_hash="0" * 64, received_at=NOW, mode="air",
            house_bill=name[:50], port_of_arrival="USJFK", estimated_arrival=NOW,
            country_of_export="CN", filing={},
        )
    ).inserted_primary_key[0]  # fmt: skip
    return int(
        connection.execute(
            parties.insert().values(
                shipment_id=shipment_id, role="consignor", name=name, country=country
            )
        ).inserted_primary_key[0]
    )


def test_import_versions_screen_and_rescreen(store: Engine) -> None:
    v1 = parse_list("agency", AGENCY_V1.encode(), "own.csv")
    with store.begin() as connection:
        first = repo.import_list(connection, "own", v1, "own.csv", actor="tester")
        again = repo.import_list(connection, "own", v1, "own.csv", actor="tester")
        ivanov = _add_party(connection, "Ivanov Sergei Viktorovich", "RU")
        acme = _add_party(connection, "ACME FAKES LIMITED", "GB")
        _add_party(connection, "Golden Sun Trading LLC", "AE")  # a decoy
    assert (first.version, first.changed, again.changed) == (1, True, False)

    with store.begin() as connection:
        assert repo.rescreen(connection) == {"own": 1}
        assert repo.rescreen(connection) == {}  # nothing changed since
        (hit,) = repo.hits_for_party(connection, ivanov)
        assert hit["watchlist"] == "own"
        assert hit["version"] == 1
        assert hit["algorithm"] == "screen-v1"
        assert hit["explanation"]["features"][0]["feature"] == "name_similarity"
        assert repo.hits_for_party(connection, acme) == []

    v2 = parse_list("agency", AGENCY_V2.encode(), "own.csv")
    with store.begin() as connection:
        assert repo.import_list(connection, "own", v2, "own.csv", actor="tester").version == 2
        assert repo.rescreen(connection) == {"own": 2}
        assert [h["version"] for h in repo.hits_for_party(connection, ivanov)] == [2]
        assert [h["entry_key"] for h in repo.hits_for_party(connection, acme)] == ["agency-3"]
        assert repo.hit_count(connection) == 2
        (summary,) = repo.list_summaries(connection)
        assert (summary["version"], summary["entry_count"]) == (2, 3)
        audits = connection.execute(select(audit_log.c.action, audit_log.c.after)).all()
        assert [a.action for a in audits] == ["import", "import"]
        assert audits[1].after["version"] == 2


def test_screen_party_in_real_time(store: Engine) -> None:
    with store.begin() as connection:
        repo.import_list(
            connection, "own", parse_list("agency", AGENCY_V1.encode(), "own.csv"), "own.csv", "t"
        )
        lists = repo.load_current_lists(connection)
    party = Party(
        name="Golden Star Trading Co",
        address=Address(line1="12 Creek Rd", city="Dubai", country="AE"),
    )
    ((loaded, hit),) = repo.screen_party(party, lists)
    assert loaded.watchlist == "own"
    assert hit.entry.name == "Golden Star Trading LLC"
    features = {f.name: f for f in hit.features}
    assert features["country"].value == 1.0
