"""The normaliser: examples, and Hypothesis properties (idempotent, never crashes)."""

from hypothesis import given
from hypothesis import strategies as st

from ecomrisk.risk.screening.normalise import normalise_name, normalise_text, phonetic


def test_examples() -> None:
    assert normalise_text("  Zürich-Straße  & Söhne ") == "zurich strasse and sohne"
    assert normalise_text("华为") == "hua wei"
    assert normalise_name("HUAWEI TECHNOLOGIES CO., LTD.").tokens == ("huawei", "technologies")
    assert normalise_name("HUAWEI TECHNOLOGIES CO., LTD.").legal_forms == ("co", "ltd")
    assert normalise_name("ООО «Ромашка»").tokens == ("romashka",)
    assert normalise_name("华为技术有限公司").compact == "huaweijishu"
    assert normalise_name("Co. Ltd.").tokens == ("co", "ltd")  # nothing but legal forms: kept
    assert normalise_name("Ivanov Sergei").sorted_key == normalise_name("Sergei Ivanov").sorted_key
    assert phonetic("iwanow") == phonetic("ivanov") == phonetic("ivanoff")
    assert phonetic("sergey") == phonetic("sergei") == phonetic("serguei".replace("gu", "g"))


@given(st.text())
def test_normalise_text_is_idempotent_and_ascii(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert once.isascii()
    assert "  " not in once
    assert once == once.strip()


@given(st.text())
def test_normalise_name_never_crashes_and_core_is_stable(text: str) -> None:
    name = normalise_name(text)
    again = normalise_name(" ".join(name.tokens))
    assert again.tokens == name.tokens
    assert name.compact == "".join(name.tokens)
    assert phonetic(phonetic(name.compact)) is not None
