"""Screening benchmark: our matcher beside nomenklatura's on the same list and parties.

A list of ~2,000 entries and ~5,000 query parties with known truth (variants of
listed names, decoys and unrelated names) is generated deterministically from
a seed. Each matcher says, per query, which entry (if any) it matches; we
report precision, recall, F1 and queries per second.

nomenklatura scores pairs; it has no per-query index of its own to call here
(its blocker is a batch DuckDB index for cross-referencing datasets), so it
is given the candidates our blocker finds, and only its scoring is timed. That
favours nomenklatura in speed; the comparison says so.

    .venv/bin/python bench/screening.py [--queries 5000] [--nk-queries 1000] [--seed 7]
"""

import argparse
import platform
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ecomrisk.risk.screening import ListIndex, Query
from ecomrisk.risk.screening.lists import ListEntry

FIRST = [
    "Golden",
    "Star",
    "Silver",
    "Ocean",
    "Eastern",
    "Northern",
    "Pacific",
    "Global",
    "Royal",
    "Grand",
    "Bright",
    "Blue",
    "Red",
    "Dragon",
    "Phoenix",
    "Lotus",
    "Jade",
    "Crystal",
    "Summit",
    "Alpha",
    "Delta",
    "Sigma",
    "Nova",
    "Prime",
    "Unity",
    "Harmony",
    "Victory",
    "Liberty",
    "Apex",
]
SECOND = [
    "Trading",
    "Logistics",
    "Electronics",
    "Textiles",
    "Shipping",
    "Imports",
    "Exports",
    "Industries",
    "Technologies",
    "Machinery",
    "Chemicals",
    "Metals",
    "Minerals",
    "Fashion",
    "Garments",
    "Components",
    "Solutions",
    "Ventures",
    "Holdings",
    "Resources",
]
PLACES = [
    "Shenzhen",
    "Ningbo",
    "Dubai",
    "Istanbul",
    "Almaty",
    "Tashkent",
    "Minsk",
    "Yiwu",
    "Guangzhou",
    "Xiamen",
    "Karachi",
    "Lagos",
    "Panama",
    "Tehran",
    "Harbin",
]
FORMS = ["Co., Ltd.", "LLC", "Limited", "GmbH", "OOO", "S.A.", "Corp.", "JSC", "FZE", "Co Ltd"]
GIVEN = [
    "Sergey",
    "Aleksandr",
    "Dmitriy",
    "Mikhail",
    "Yuriy",
    "Nikolay",
    "Andrey",
    "Vladimir",
    "Pavel",
    "Oleg",
    "Wei",
    "Jian",
    "Li",
    "Ming",
    "Hui",
    "Ahmad",
    "Mohammad",
    "Reza",
    "Ali",
    "Hassan",
]
FAMILY = [
    "Ivanov",
    "Petrov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Volkov",
    "Sokolov",
    "Lebedev",
    "Kozlov",
    "Novikov",
    "Zhang",
    "Wang",
    "Chen",
    "Liu",
    "Huang",
    "Karimi",
    "Hosseini",
    "Rahimi",
    "Tehrani",
    "Nazari",
]
COUNTRIES = ["CN", "RU", "AE", "TR", "KZ", "UZ", "BY", "IR", "PK", "NG", "PA", "HK"]
# Transliteration variants a clerk or filer may write.
TRANSLIT = [("v", "w"), ("y", "i"), ("kh", "h"), ("ov", "off"), ("iy", "y"), ("j", "zh")]


@dataclass(frozen=True)
class Case:
    query: Query
    truth: int | None  # index of the listed entry, or None
    kind: str


def make_list(rng: random.Random, size: int) -> list[ListEntry]:
    entries: list[ListEntry] = []
    seen: set[str] = set()
    while len(entries) < size:
        country = rng.choice(COUNTRIES)
        if rng.random() < 0.7:
            core = f"{rng.choice(PLACES)} {rng.choice(FIRST)} {rng.choice(SECOND)}"
            if rng.random() < 0.3:
                core += f" {rng.choice(SECOND)}"
            name, kind = f"{core} {rng.choice(FORMS)}", "entity"
        else:
            core = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}ovich {rng.choice(FAMILY)}"
            name, kind = core, "individual"
        if core in seen:
            continue
        seen.add(core)
        aliases = (core.split()[1] + " " + core.split()[-1],) if rng.random() < 0.2 else ()
        entries.append(
            ListEntry(str(len(entries)), kind, name, aliases=aliases, countries=(country,))
        )
    return entries


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :] if text[i] != " " else text


def variant(rng: random.Random, entry: ListEntry) -> str:
    words = entry.name.split()
    choice = rng.randrange(5)
    if entry.entity_type == "entity":
        core = [w for w in words if w not in " ".join(FORMS).split()]
        if choice == 0:  # another legal form
            return f"{' '.join(core)} {rng.choice(FORMS)}"
        if choice == 1:  # word order
            rng.shuffle(core)
            return " ".join(core)
        if choice == 2:
            return _typo(rng, entry.name).upper()
        if choice == 3:  # place dropped, legal form kept
            return " ".join(core[1:] + words[len(core) :])
        return entry.name.lower().replace(",", "").replace(".", "")
    if choice <= 1:
        name = entry.name
        for old, new in rng.sample(TRANSLIT, 2):
            name = name.replace(old, new)
        return name
    if choice == 2:
        return " ".join([words[-1], *words[:-1]])
    if choice == 3:
        return _typo(rng, entry.name)
    return entry.name.upper()


def decoy(rng: random.Random, entry: ListEntry) -> str:
    words = entry.name.split()
    if entry.entity_type == "entity":
        swap = 1 if rng.random() < 0.5 else 2  # the distinctive words
        pool = FIRST if swap == 1 else SECOND
        words[swap] = rng.choice([w for w in pool if w != words[swap]])
        return " ".join(words)
    words[-1] = rng.choice([w for w in FAMILY if w != words[-1]])
    return " ".join(words)


def make_cases(rng: random.Random, entries: list[ListEntry], count: int) -> list[Case]:
    names = {e.name.lower() for e in entries}
    cases: list[Case] = []
    while len(cases) < count:
        index = rng.randrange(len(entries))
        entry = entries[index]
        country = entry.countries[0] if rng.random() < 0.6 else None
        roll = rng.random()
        if roll < 0.5:
            cases.append(Case(Query(variant(rng, entry), country), index, "variant"))
        elif roll < 0.8:
            name = decoy(rng, entry)
            if name.lower() not in names:  # a decoy that happens to be listed is no decoy
                cases.append(Case(Query(name, country), None, "decoy"))
        else:
            name = (
                f"{rng.choice(FIRST)} {rng.choice(FIRST)} {rng.choice(SECOND)} {rng.choice(FORMS)}"
            )
            cases.append(Case(Query(name, rng.choice(COUNTRIES)), None, "unrelated"))
    return cases


def evaluate(predictions: list[int | None], cases: list[Case]) -> dict[str, float]:
    tp = sum(1 for p, c in zip(predictions, cases, strict=True) if p is not None and p == c.truth)
    fp = sum(1 for p, c in zip(predictions, cases, strict=True) if p is not None and p != c.truth)
    fn = sum(
        1 for p, c in zip(predictions, cases, strict=True) if c.truth is not None and p != c.truth
    )
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def run_ours(index: ListIndex, cases: list[Case]) -> tuple[list[int | None], float]:
    start = time.perf_counter()
    predictions = []
    for case in cases:
        hits = index.screen(case.query)
        predictions.append(hits[0].entry_index if hits else None)
    return predictions, time.perf_counter() - start


def run_nomenklatura(
    algorithm_name: str, threshold: float, index: ListIndex, cases: list[Case]
) -> tuple[list[int | None], float]:
    from followthemoney import model
    from nomenklatura.matching import get_algorithm

    algorithm = get_algorithm(algorithm_name)
    assert algorithm is not None
    config = algorithm.default_config()

    def entity(key: str, entry_type: str, names: tuple[str, ...], country: str | None):  # type: ignore[no-untyped-def]
        made = model.make_entity("Person" if entry_type == "individual" else "Company")
        made.id = key
        for name in names:
            made.add("name", name)
        if country:
            made.add("country", country.lower())
        return made

    listed = [
        entity(e.key, e.entity_type, e.names, e.countries[0] if e.countries else None)
        for e in index.entries
    ]
    from ecomrisk.risk.screening.normalise import normalise_name

    # Candidates (our blocker) are found outside the timed part: nomenklatura is timed
    # on scoring only.
    candidates = [sorted(index.candidates(normalise_name(c.query.name))) for c in cases]
    queries = [
        entity(
            f"q{i}",
            "individual" if "ovich" in c.query.name.lower() else "entity",
            (c.query.name,),
            c.query.country,
        )
        for i, c in enumerate(cases)
    ]
    start = time.perf_counter()
    predictions: list[int | None] = []
    for query, found in zip(queries, candidates, strict=True):
        best: tuple[float, int] | None = None
        for position in found:
            score = algorithm.compare(query, listed[position], config).score
            if score >= threshold and (best is None or score > best[0]):
                best = (score, position)
        predictions.append(best[1] if best else None)
    return predictions, time.perf_counter() - start


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{cores} CPUs (nproc), {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=5_000)
    parser.add_argument(
        "--nk-queries", type=int, default=5_000, help="queries given to nomenklatura"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    entries = make_list(rng, args.entries)
    cases = make_cases(rng, entries, args.queries)
    index = ListIndex(entries)
    print(f"machine: {machine()}")
    print(
        f"list: {len(entries)} entries; queries: {len(cases)} "
        f"({sum(c.truth is not None for c in cases)} listed variants, "
        f"{sum(c.kind == 'decoy' for c in cases)} decoys, "
        f"{sum(c.kind == 'unrelated' for c in cases)} unrelated)"
    )
    rows: list[tuple[str, dict[str, float], float, int]] = []
    predictions, seconds = run_ours(index, cases)
    rows.append(
        ("ecomrisk screen-v1 (block + score)", evaluate(predictions, cases), seconds, len(cases))
    )
    subset = cases[: args.nk_queries]
    ours_subset = evaluate(predictions[: len(subset)], subset)
    runs: list[tuple[str, Callable[[], tuple[list[int | None], float]]]] = [
        (
            "nomenklatura logic-v2 >= 0.7 (score only)",
            lambda: run_nomenklatura("logic-v2", 0.7, index, subset),
        ),
        (
            "nomenklatura name-based >= 0.7 (score only)",
            lambda: run_nomenklatura("name-based", 0.7, index, subset),
        ),
    ]
    for label, run in runs:
        nk_predictions, nk_seconds = run()
        rows.append((label, evaluate(nk_predictions, subset), nk_seconds, len(subset)))
    print()
    print("| matcher | queries | precision | recall | F1 | queries/s |")
    print("|---|---|---|---|---|---|")
    for label, metrics, secs, n in rows:
        print(
            f"| {label} | {n} | {metrics['precision']:.3f} | {metrics['recall']:.3f} | "
            f"{metrics['f1']:.3f} | {n / secs:,.0f} |"
        )
    if len(subset) != len(cases):
        print(f"\necomrisk on the same {len(subset)} queries: F1 {ours_subset['f1']:.3f}")


if __name__ == "__main__":
    main()
