"""List-file parsers: good files read whole, bad files rejected naming line and field."""

import json

import pytest

from ecomrisk.risk.screening.lists import CSL_COLUMNS, ListFileError, parse_list

CSL_HEADER = ",".join(CSL_COLUMNS)


def _csl_row(**values: str) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerow([values.get(column, "") for column in CSL_COLUMNS])
    return out.getvalue()


def test_csl_csv() -> None:
    text = (
        CSL_HEADER
        + "\n"
        + _csl_row(
            _id="a1",
            source="Entity List (EL) - Bureau of Industry and Security",
            entity_number="123",
            type="Entity",
            programs="EAR",
            name="Huawei Technologies Co., Ltd.",
            addresses="Bantian, Longgang District, Shenzhen, CN; Dubai, AE",
            alt_names="Huawei; 华为技术有限公司",
        )
        + _csl_row(_id="b2", type="Individual", name="Sergey Ivanov", nationalities="RU")
    )
    parsed = parse_list("csl", text.encode(), "csl.csv")
    first, second = parsed.entries
    assert first.key == "123"
    assert first.aliases == ("Huawei", "华为技术有限公司")
    assert first.addresses == ("Bantian, Longgang District, Shenzhen", "Dubai")
    assert first.countries == ("CN", "AE")
    assert second.entity_type == "individual"
    assert second.countries == ("RU",)
    assert second.key == "b2"
    assert len(parsed.content_hash) == 64


def test_csl_json() -> None:
    document = {
        "results": [
            {
                "_id": "x",
                "type": "Entity",
                "name": "ZTE Corporation",
                "alt_names": ["ZTE", "Zhongxing"],
                "addresses": [
                    {"address": "55 Keji Road", "city": "Shenzhen", "country": "CN"},
                ],
                "programs": ["EAR"],
            }
        ]
    }
    (entry,) = parse_list("csl", json.dumps(document).encode(), "csl.json").entries
    assert entry.aliases == ("ZTE", "Zhongxing")
    assert entry.addresses == ("55 Keji Road, Shenzhen",)
    assert entry.countries == ("CN",)
    assert entry.details["programs"] == "EAR"


def test_uflpa_and_agency() -> None:
    uflpa = (
        "entity_name,alternate_names,addresses,country,date_added,list_section\n"
        "Xinjiang Example Cotton Co.,XEC; Example Cotton,Urumqi,CN,2023-06-09,i\n"
    )
    (entry,) = parse_list("uflpa", uflpa.encode(), "uflpa.csv").entries
    assert entry.aliases == ("XEC", "Example Cotton")
    assert entry.details == {"date_added": "2023-06-09", "list_section": "i"}
    agency = "name,aliases,address,country,reason\nAcme Fakes Ltd,Acme,1 Road,GB,counterfeits\n"
    (entry,) = parse_list("agency", agency.encode(), "own.csv").entries
    assert (entry.name, entry.countries, entry.details["reason"]) == (
        "Acme Fakes Ltd",
        ("GB",),
        "counterfeits",
    )


AGENCY = "name,aliases,address,country,reason\n"
UFLPA = "entity_name,alternate_names,addresses,country,date_added,list_section\n"


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("agency", "name,aliases,country,reason\nA,,GB,x\n", "line 1: field 'address': missing"),
        ("agency", AGENCY + "A,,,GB,x\n,,,GB,y\n", "line 3: field 'name': required but empty"),
        ("agency", AGENCY + "A,,,XX,x\n", "line 2: field 'country': unknown ISO country code"),
        ("agency", AGENCY + "A,,,GB,\n", "line 2: field 'reason': required but empty"),
        ("agency", AGENCY + "A,,,GB,x,extra\n", "line 2: more fields than the header"),
        ("agency", AGENCY, "the list has no entries"),
        ("uflpa", UFLPA + "A,,,CN,9 June 2023,i\n", "line 2: field 'date_added': not a YYYY-MM-DD"),
        ("uflpa", UFLPA + "A,,,CN,2023-06-09,vi\n", "line 2: field 'list_section'"),
        ("csl", CSL_HEADER + "\n" + _csl_row(type="Entity"), "line 2: field 'name': required"),
        ("csl", '{"results": [{"name": "A"}, {"type": "x"}]}', "results[1]: field 'name'"),
        ("csl", '{"results": [{"name": "A", "addresses": [3]}]}', "field 'addresses[0]'"),
        ("csl", '{"results": \n[1,', "line 2: bad JSON"),
        ("csl", '{"hits": []}', "field 'results'"),
    ],
)
def test_bad_files_name_line_field_and_problem(kind: str, text: str, message: str) -> None:
    with pytest.raises(ListFileError) as error:
        parse_list(kind, text.encode(), "bad.csv")
    assert str(error.value).startswith("bad.csv:")
    assert message in str(error.value)


def test_non_utf8_is_rejected_with_its_line() -> None:
    with pytest.raises(ListFileError, match=r"bad.csv:line 3: not UTF-8"):
        parse_list("agency", (AGENCY + "A,,,GB,x\n").encode() + b"\xff\xfe,,,GB,x\n", "bad.csv")
