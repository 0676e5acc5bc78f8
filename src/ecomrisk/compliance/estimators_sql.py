"""``estimators.by_stratum`` as one aggregation on a batch engine (DuckDB or Spark).

The Hajek mean and its linearised variance need only sums per stratum, so the
sample never has to sit on one machine: with weights w = 1 / pi,

    mean     = S(w y) / S(w)
    variance = fpc * n / (n - 1) * S(w^2 (y - mean)^2) / S(w)^2
             = fpc * n / (n - 1) * (S(w^2 y^2) - 2 mean S(w^2 y) + mean^2 S(w^2)) / S(w)^2

(the linearised values z = w (y - mean) / S(w) sum to zero by the choice of the
mean, so their spread is their sum of squares). The engine returns one row of
sums per stratum; the few arithmetic steps after it are the same as in process.
"""

from collections.abc import Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ecomrisk.compliance.estimators import StratumEstimate
from ecomrisk.engines.batch import BatchEngine


def sums_sql(values: Sequence[str]) -> str:
    """Per stratum: n, S(w), S(w^2), and S(w y), S(w^2 y), S(w^2 y^2) of each value column."""
    sums = [
        f"SUM({v} / pi) AS {v}_wy, SUM({v} / (pi * pi)) AS {v}_w2y, "
        f"SUM({v} * {v} / (pi * pi)) AS {v}_w2y2"
        for v in values
    ]
    return f"""
SELECT stratum, COUNT(*) AS n, SUM(1.0 / pi) AS w, SUM(1.0 / (pi * pi)) AS w2,
       {", ".join(sums)}
FROM sample
GROUP BY stratum
ORDER BY stratum
"""


def sample_table(
    strata: Sequence[str], pi: Sequence[float], values: Mapping[str, Sequence[float]]
) -> pa.Table:
    """The relation ``sample``: a stratum, an inclusion probability and value columns."""
    columns = {"stratum": pa.array(strata, pa.string()), "pi": pa.array(pi, pa.float64())}
    columns.update({name: pa.array(v, pa.float64()) for name, v in values.items()})
    return pa.table(columns)


def _estimate(row: Mapping[str, float], value: str, known: int | None) -> StratumEstimate:
    n, w = int(row["n"]), float(row["w"])
    mean = float(row[f"{value}_wy"]) / w
    variance = 0.0
    if n >= 2:
        squares = row[f"{value}_w2y2"] - 2 * mean * row[f"{value}_w2y"] + mean * mean * row["w2"]
        size = known if known else w
        fpc = max(0.0, 1 - n / size) if size else 1.0
        # Rounding can leave a sum of squares a hair below zero where it is zero.
        variance = fpc * n / (n - 1) * max(0.0, float(squares)) / (w * w)
    return StratumEstimate(str(row["stratum"]), n, float(known) if known else w, mean, variance)


def by_stratum_on(
    batch: BatchEngine, sample: pa.Table, populations: Mapping[str, int] | None = None
) -> dict[str, list[StratumEstimate]]:
    """``by_stratum`` of each value column of ``sample`` (see ``sample_table``), by name."""
    values = [name for name in sample.column_names if name not in ("stratum", "pi")]
    if sample.num_rows == 0:
        return {name: [] for name in values}
    # Checked before the sums: Spark's ANSI mode fails a division by zero outright.
    lowest, highest = pc.min_max(sample.column("pi")).values()
    if lowest.as_py() <= 0 or highest.as_py() > 1:
        raise ValueError("inclusion_probability: every sampled unit needs one in (0, 1]")
    sums = batch.query(sums_sql(values), {"sample": sample}).to_pylist()
    known = populations or {}
    return {name: [_estimate(r, name, known.get(r["stratum"])) for r in sums] for name in values}
