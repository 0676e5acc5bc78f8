"""A small labelled set of hard screening cases, written by hand for these tests.

Each case: a query, the list entry key it must hit (or None: it must hit
nothing), and why it is hard. The list is ``LIST`` below; names are invented
or public and used only as spellings.
"""

from ecomrisk.risk.screening.lists import ListEntry

LIST = (
    ListEntry(
        "huawei",
        "entity",
        "Huawei Technologies Co., Ltd.",
        aliases=("华为技术有限公司",),
        countries=("CN",),
        addresses=("Bantian, Longgang District, Shenzhen",),
    ),
    ListEntry(
        "ivanov",
        "individual",
        "Sergey Viktorovich Ivanov",
        aliases=("Сергей Викторович Иванов",),
        countries=("RU",),
    ),
    ListEntry("zte", "entity", "ZTE Corporation", countries=("CN",)),
    ListEntry("golden-star", "entity", "Golden Star Trading LLC", countries=("AE",)),
    ListEntry("romashka", "entity", "OOO Romashka", countries=("RU",)),
    ListEntry("dji", "entity", "SZ DJI Technology Co., Ltd.", aliases=("大疆创新科技",)),
    ListEntry("rosneft", "entity", "Rosneft Oil Company", countries=("RU",)),
    ListEntry("aerotech", "entity", "Aero Tech Solutions GmbH", countries=("DE",)),
    ListEntry("khodorov", "individual", "Mikhail Khodorov", countries=("RU",)),
    ListEntry("zhang-wei", "individual", "Zhang Wei", aliases=("张伟",), countries=("CN",)),
    ListEntry("nordic-1", "entity", "Nordic Shipping 1 AS", countries=("NO",)),
    ListEntry("abc", "entity", "ABC", countries=("IR",)),
)

# (query name, query country or None, expected entry key or None, what is hard)
CASES: tuple[tuple[str, str | None, str | None, str], ...] = (
    # transliterations
    ("Сергей Викторович Иванов", None, "ivanov", "Cyrillic against Latin"),
    ("Sergej Viktorovič Iwanow", None, "ivanov", "German-style transliteration"),
    ("Sergei Viktorovich Ivanoff", "RU", "ivanov", "-off ending, -ei ending"),
    ("Michail Chodorov", None, "khodorov", "German ch for kh"),
    ("Mikhail Hodorov", None, "khodorov", "kh/h"),
    ("Hua Wei Ji Shu You Xian Gong Si", None, "huawei", "pinyin of the Chinese alias"),
    ("華為技術有限公司", None, "huawei", "traditional characters"),
    ("Huawei Jishu Youxian Gongsi", "CN", "huawei", "pinyin joined per word"),
    ("Zhang Wei", "CN", "zhang-wei", "pinyin"),
    ("张伟", None, "zhang-wei", "characters"),
    # word order
    ("Ivanov Sergey Viktorovich", None, "ivanov", "family name first"),
    ("Wei Zhang", None, "zhang-wei", "given name first"),
    ("Solutions Aero Tech", "DE", "aerotech", "shuffled words"),
    # legal forms
    ("Huawei Technologies Limited", None, "huawei", "Limited for Co., Ltd."),
    ("HUAWEI TECHNOLOGIES CO LTD", None, "huawei", "capitals, no dots"),
    ("Общество с ограниченной ответственностью «Ромашка»", None, "romashka", "OOO spelled out"),
    ("Romashka LLC", "RU", "romashka", "LLC for OOO"),
    ("Aero Tech Solutions", None, "aerotech", "GmbH dropped"),
    ("Rosneft Oil Co.", None, "rosneft", "Co. for Company"),
    ("Golden Star Trading Co", None, "golden-star", "Co for LLC"),
    # short names
    ("ZTE", "CN", "zte", "three letters, identical"),
    ("Z.T.E. Corp", None, "zte", "dotted acronym"),
    ("ZTA", None, None, "three letters, one different"),
    ("ABC", "IR", "abc", "short, identical"),
    ("ABD", "IR", None, "short, one letter off"),
    ("Huawai", None, None, "one word only: not the listed name"),
    # decoys
    ("Golden Sun Trading LLC", "AE", None, "one word differs"),
    ("Nordic Shipping 2 AS", "NO", None, "number differs"),
    ("Rosneftegaz", "RU", None, "longer word, different company"),
    ("Huawei Marine Networks Co Ltd", "CN", None, "a different company of a similar name"),
    ("Sergey Ivanovich Petrov", "RU", None, "shares a given name"),
    ("Zhang Wen", "CN", None, "one syllable off"),
    ("Aero Solutions GmbH", "DE", None, "shares two words of three"),
)
