"""Training on simulated outcomes: it learns what is there and nothing that is not."""

import numpy as np
import pytest

from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.booster import DEFAULT_CANDIDATES, BoosterParams
from ecomrisk.risk.model.dataset import selection_weight
from ecomrisk.risk.model.training import CLASSIFIER_PARAMS, TrainingError, time_slices, train
from tests.model.simulated import simulated_examples, true_probability


def test_a_model_ranks_violations_and_its_metrics_name_the_population() -> None:
    _, details = train(simulated_examples(3000, seed=1), seed=3)
    random = details["metrics"]["populations"]["random_sample"]
    assert random["auc"] > 0.75
    assert random["precision"]["10%"] > 2 * random["violation_rate"]
    assert "unbiased" in random["description"]
    assert set(details["metrics"]["by_mode"]["inspected"]) == {"express", "mail"}
    assert set(details["metrics"]["by_facility"]["inspected"]) == {"USJFK", "USLAX"}
    assert details["slices"]["test"]["examples"] == 600


def test_shuffled_labels_give_chance_level_results() -> None:
    _, details = train(simulated_examples(3000, seed=2, shuffle=True), seed=3)
    for population in ("random_sample", "inspected"):
        assert details["metrics"]["populations"][population]["auc"] == pytest.approx(0.5, abs=0.08)


def test_calibration_recovers_known_probabilities() -> None:
    model, _ = train(simulated_examples(6000, seed=4, random_share=1.0), seed=0)
    grid = np.linspace(0.01, 0.99, 40)
    for express in (False, True):
        rows = [
            {"value_to_reference_min": r, "mode": "express" if express else "mail"} for r in grid
        ]
        truth = true_probability(grid, np.full(len(grid), express))
        assert np.abs(model.probability(rows) - truth).mean() < 0.05


def test_same_seed_same_model_and_the_artifact_round_trips() -> None:
    examples = simulated_examples(800, seed=5)
    first, _ = train(examples, seed=11)
    second, _ = train(examples, seed=11)
    assert first.to_bytes() == second.to_bytes()
    other, _ = train(examples, seed=12)
    assert other.to_bytes() != first.to_bytes()
    loaded = TrainedModel.from_bytes(first.to_bytes(), "risk@1")
    rows = [e.features for e in examples[:50]]
    assert np.array_equal(loaded.probability(rows), first.probability(rows))
    assert np.array_equal(loaded.expected_revenue(rows), first.expected_revenue(rows))


def test_random_outcomes_stand_for_the_flow_and_targeted_ones_for_themselves() -> None:
    assert selection_weight("random", 0.01) == 100
    assert selection_weight("exploration", 0.05) == 20
    assert selection_weight("targeted", None) == 1
    assert selection_weight("forced", None) == 1
    # Targeting chose low ratios: weighted, the model's mean probability over the
    # random sample (the flow) matches the flow's violation rate; unweighted it
    # would be the inspected rate, far higher.
    examples = simulated_examples(4000, seed=6, random_share=0.25)
    model, _ = train(examples, seed=0)
    flow = [e for e in time_slices(examples).test if e.selection == "random"]
    predicted = model.probability([e.features for e in flow]).mean()
    observed = np.mean([e.violation for e in flow])
    inspected = np.mean([e.violation for e in examples])
    assert abs(predicted - observed) < 0.04
    assert inspected - observed > 0.1  # the bias the weights correct


def test_too_little_data_is_refused_with_what_is_missing() -> None:
    with pytest.raises(TrainingError, match="needs at least 50"):
        train(simulated_examples(30, seed=1))
    clean = [e for e in simulated_examples(400, seed=1) if not e.violation]
    with pytest.raises(TrainingError, match="has no violations"):
        train(clean)


def test_the_tuning_search_keeps_its_best_candidate_and_records_every_trial() -> None:
    examples = simulated_examples(1500, seed=5)
    model, details = train(examples, seed=1, search=True)
    trials = details["tuning"]["trials"]
    assert len(trials) == len(DEFAULT_CANDIDATES)
    best = max(trials, key=lambda t: t["auc"])
    assert details["tuning"]["best"] == best["params"]
    assert details["best_iteration"] == best["best_iteration"]
    # The kept trees are the best candidate's, on the shared budget of CLASSIFIER_PARAMS.
    assert model.classifier.params.max_rounds == CLASSIFIER_PARAMS.max_rounds
    assert details["classifier_params"]["max_depth"] == best["params"].get(
        "max_depth", BoosterParams().max_depth
    )
    assert train(examples, seed=1, search=True)[1]["tuning"] == details["tuning"]
    plain = train(examples, seed=1)[1]
    assert plain["tuning"] is None
    assert plain["classifier_params"]["max_depth"] == CLASSIFIER_PARAMS.max_depth


def test_without_a_test_slice_the_newest_outcomes_are_fitted() -> None:
    """Weekly retraining (the targeting simulation) fits what was found last: the fit
    slice takes the test slice's share and the calibration slice stays the newest."""
    examples = simulated_examples(1000, seed=6)
    kept, fitted = time_slices(examples), time_slices(examples, test_slice=False)
    assert (len(kept.fit), len(kept.calibration), len(kept.test)) == (600, 200, 200)
    assert (len(fitted.fit), len(fitted.calibration), len(fitted.test)) == (800, 200, 0)
    assert max(e.examined_at for e in fitted.fit) <= min(e.examined_at for e in fitted.calibration)
    _, details = train(examples, seed=1, test_slice=False)
    assert details["slices"]["test"]["examples"] == 0
    assert details["metrics"] == {}
