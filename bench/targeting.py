"""How long selection takes for one facility and day, by number of candidates
(the pure selection, without the store): ``python bench/targeting.py``."""

import argparse
import time

import numpy as np

from ecomrisk.domain.enums import ExamType
from ecomrisk.targeting.selection import EXAMS, Candidate, select


def candidates(n: int, rng: np.random.Generator) -> list[Candidate]:
    p = rng.beta(0.3, 6, size=n)
    return [
        Candidate(
            i,
            float(p[i]),
            float(rng.gamma(2, 10)),
            required_exam=EXAMS[int(rng.integers(3))],
            forced=bool(rng.random() < 0.002),
            random_rate=0.01 if rng.random() < 0.9 else 0.002,
            stratum=f"s{int(rng.integers(40))}",
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    print("| candidates | capacity (doc/scan/physical) | selected | best of runs (ms) |")
    print("|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        pool = candidates(n, rng)
        scale = max(1, n // 1000)
        capacity = {
            ExamType.DOCUMENT_REVIEW: 20 * scale,
            ExamType.SCAN: 10 * scale,
            ExamType.PHYSICAL: 15 * scale,
        }
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            plan = select(pool, capacity, 0.05, rng)
            best = min(best, time.perf_counter() - start)
        caps = "/".join(str(capacity[e]) for e in EXAMS)
        print(f"| {n:,} | {caps} | {len(plan.picks):,} | {best * 1000:,.1f} |")


if __name__ == "__main__":
    main()
