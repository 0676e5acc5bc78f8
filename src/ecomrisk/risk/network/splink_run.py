"""Splink on the distinct signatures: train the model from the data, predict links.

u probabilities come from random sampling of record pairs (nearly all of them
non-matches), m probabilities from expectation maximisation on blocked pairs,
and the prior from deterministic rules. Only this module talks to Splink.
"""

import logging
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from ecomrisk.risk.network.engines import SplinkBackend
from ecomrisk.risk.network.model import equal_sql, on_backend, splink_settings

# Training sizes: enough pairs for stable estimates, small enough for two cores.
U_MAX_PAIRS = 2_000_000
EM_MAX_PAIRS = 1_000_000
SEED = 20261201
# Blocks for EM: each leaves the fields it does not block on free to estimate.
EM_BLOCKS = (("name_key", "country"), ("phone",), ("email",))
# Rules that admit almost no false matches, to estimate the prior.
DETERMINISTIC_RULES = (("seller",), ("phone", "email"))
DETERMINISTIC_RECALL = 0.7

# Splink warns about levels a small sample never shows; those are expected here.
logging.getLogger("splink").setLevel(logging.ERROR)


def _linker(backend: SplinkBackend, table: pa.Table, settings: dict[str, Any]) -> Any:
    from splink import Linker

    db_api = backend.db_api()
    frame = db_api.register(table)
    return Linker(frame, settings, log_level=None)


def train(
    backend: SplinkBackend, table: pa.Table, labels: Sequence[tuple[int, int]] = ()
) -> dict[str, Any]:
    """A trained model (Splink's settings with m and u) for the records in ``table``."""
    linker = _linker(backend, table, splink_settings(backend))
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [equal_sql(rule, backend) for rule in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
    )
    training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    for block in EM_BLOCKS:
        training.estimate_parameters_using_expectation_maximisation(
            equal_sql(block, backend),
            max_pairs=EM_MAX_PAIRS,
            estimate_without_term_frequencies=True,
        )
    if labels:  # confirmed matches: their agreements are what a match looks like
        labelled = pa.table(
            {
                "unique_id_l": [a for a, _ in labels],
                "unique_id_r": [b for _, b in labels],
                "clerical_match_score": [1.0] * len(labels),
            }
        )
        label_frame = linker.table_management.register_labels_table(
            linker._db_api.register(labelled)
        )
        training.estimate_m_from_pairwise_labels(label_frame)
    model: dict[str, Any] = linker.misc.save_model_to_json()
    return model


def predict(
    backend: SplinkBackend, table: pa.Table, model: dict[str, Any], threshold: float
) -> pa.Table:
    """Pairs at or above ``threshold`` match probability: unique_id_l, unique_id_r, match_weight."""
    linker = _linker(backend, table, on_backend(model, backend))
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    result: pa.Table = predictions.as_pyarrow_table()
    # In pair order: engines return rows in any order, and the explaining forest
    # breaks ties between equally strong links by the order they come in.
    ordered = result.sort_by([("unique_id_l", "ascending"), ("unique_id_r", "ascending")])
    return ordered.select(["unique_id_l", "unique_id_r", "match_weight"])
