import numpy as np
import pytest

from playground.monitoring import drift as d
from playground.monitoring import retraining as r


def test_never_rots_and_retraining_recovers_after_concept_drift():
    stream = d.simulate_stream(kind="concept", magnitude=0.6, seed=0)
    runs = r.compare(stream, label_delay=3, every=14)
    assert runs["never"].retrains == 0
    assert runs["never"].mean_accuracy(60) < np.mean(runs["never"].accuracy[20:60]) - 0.2
    assert runs["fixed schedule"].retrains == len(range(20 + 13, 120, 14))
    assert runs["drift-triggered"].mean_accuracy(60) > runs["never"].mean_accuracy(60) + 0.15
    assert runs["drift-triggered"].retrains < runs["fixed schedule"].retrains
    assert all(day >= 60 for day in runs["drift-triggered"].retrain_days)  # no false alarm


def test_no_drift_no_triggered_retrain_and_schedule_buys_nothing():
    stream = d.simulate_stream(kind="none", seed=3)
    runs = r.compare(stream)
    assert runs["drift-triggered"].retrains == 0
    assert runs["fixed schedule"].mean_accuracy(20) == pytest.approx(runs["never"].mean_accuracy(20), abs=0.01)


def test_accuracy_is_the_served_models_accuracy_by_hand():
    stream = d.simulate_stream(kind="covariate", magnitude=0.5, days=30, batch=200, start=25, seed=4)
    run = r.run_policy(stream, "never", train_days=10)
    model = r.fit_model(stream.x[:10], stream.y[:10])
    expected = (model.predict(stream.x[17]) == stream.y[17]).mean()
    assert run.accuracy[17] == pytest.approx(expected)
    assert np.isnan(run.accuracy[:10]).all()


def test_label_delay_delays_the_triggered_retrain():
    stream = d.simulate_stream(kind="concept", magnitude=0.8, seed=5)
    fast = r.run_policy(stream, "drift-triggered", label_delay=0)
    slow = r.run_policy(stream, "drift-triggered", label_delay=7)
    assert slow.retrain_days[0] - fast.retrain_days[0] >= 5


def test_cost_adds_retrains_and_errors():
    stream = d.simulate_stream(kind="none", days=30, batch=100, start=25, seed=6)
    run = r.run_policy(stream, "fixed schedule", train_days=10, every=5)
    errors = np.nansum(1 - run.accuracy) * 100
    assert run.cost(50.0, 0.1, batch=100) == pytest.approx(run.retrains * 50 + errors * 0.1)


def test_bad_settings_raise():
    stream = d.simulate_stream(kind="none", days=30, batch=100, start=25)
    with pytest.raises(ValueError, match="shorter"):
        r.run_policy(stream, "never", train_days=30)
    with pytest.raises(ValueError, match="policy"):
        r.run_policy(stream, "sometimes")


def test_fit_model_matches_sklearn_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    stream = d.simulate_stream(kind="none", days=20, batch=300, start=15, seed=9)
    x, y = stream.x[:10].reshape(-1, 2), stream.y[:10].ravel()
    ours = r.fit_model(stream.x[:10], stream.y[:10])
    ref = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(x, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
    np.testing.assert_allclose(r.predict_proba(ours, x), ref.predict_proba(x)[:, 1], atol=1e-6)
    with pytest.raises(ValueError, match="single class"):
        r.fit_model(x, np.zeros(len(x)))


def test_policy_summary_and_retrain_accuracy_by_hand():
    acc = np.array([np.nan, np.nan, 0.9, 0.8, 0.6, 0.7])
    runs = {"never": r.PolicyRun("never", acc.copy()),
            "every day": r.PolicyRun("every day", np.array([np.nan, np.nan, 0.9, 0.9, 0.9, 0.9]),
                                     retrain_days=[2, 3, 4])}
    summary, cheapest = r.policy_summary(runs, 4, retrain_cost=10.0, error_cost=1.0, batch=100, train_days=2)
    row = summary.set_index("policy").loc["never"]
    assert row["accuracy from day 4"] == 0.65 and row["accuracy, whole stream"] == 0.75
    assert row.cost == round((0.1 + 0.2 + 0.4 + 0.3) * 100)           # 100 errors, no retrain
    assert summary.set_index("policy").loc["every day", "cost"] == 3 * 10 + 40
    assert cheapest == "every day"
    assert runs["every day"].retrain_accuracy().tolist() == [0.9, 0.9, 0.9]
