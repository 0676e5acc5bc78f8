"""Examples drawn from a known model of violation, for the training tests."""

from datetime import UTC, datetime, timedelta

import numpy as np

from ecomrisk.risk.model.dataset import Example

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def true_probability(value_ratio: np.ndarray, express: np.ndarray) -> np.ndarray:
    """P(violation): low declared-to-reference ratios and express are riskier."""
    return np.asarray(0.02 + 0.6 * (value_ratio < 0.3) + 0.1 * express)


def simulated_examples(
    n: int, seed: int, *, random_share: float = 0.3, shuffle: bool = False
) -> list[Example]:
    """``n`` inspected shipments: a share from a random sample (inclusion probability
    0.01), the rest targeted towards low value ratios, as past rules would."""
    rng = np.random.default_rng(seed)
    random = rng.random(n) < random_share
    # Targeted exams see mostly low ratios; the random sample sees the flow.
    ratio = np.where(random, rng.random(n), rng.beta(1, 3, n))
    express = rng.random(n) < 0.4
    violation = rng.random(n) < true_probability(ratio, express)
    if shuffle:
        violation = rng.permutation(violation)
    return [
        Example(
            sid=i,
            received_at=T0 + timedelta(minutes=i),
            examined_at=T0 + timedelta(minutes=i, hours=20),
            features={
                "value_to_reference_min": float(ratio[i]),
                "mode": "express" if express[i] else "mail",
                "description_vague": bool(rng.random() < 0.5),
                "port_of_arrival": "USJFK" if i % 2 else "USLAX",
            },
            violation=bool(violation[i]),
            revenue=float(violation[i]) * 50.0 * (1 - float(ratio[i])),
            selection="random" if random[i] else "targeted",
            inclusion_probability=0.01 if random[i] else None,
        )
        for i in range(n)
    ]
