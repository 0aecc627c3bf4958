"""Lesson 4: a ranker's scores as probabilities: reliability, calibrators, downsampling, decisions.
Each section's layout lives in a ``components.calibration_*`` module."""

from components import calibration_blend_ab, calibration_downstream, calibration_reliability
from components.calibration_reliability import click_data, report, trained_scores
from components.page import LessonPage
from playground.recsys import blend, calibration as cal
from scenarios.l04 import PRESETS, VIEWS

page = LessonPage("l04", presets=PRESETS)
seed = page.seed()
model = page.select("model", "Ranker", cal.MODELS,
                    format_func={"logistic": "Logistic regression", "gbdt": "Gradient-boosted trees"}.get)
w = page.slider("w", "Negative keep rate w (downsampling)", 0.02, 1.0, 0.1, step=0.01,
                help="Every click is kept, each non-click with probability w; the model retrains.")
k = page.slider("k", "Score sharpness k (> 1 over-confident)", 0.25, 4.0, 1.0, step=0.05,
                help="The model's log-odds z become k·z + b before anything else.")
b = page.slider("b", "Score shift b (log-odds)", -2.0, 2.0, 0.0, step=0.1)
method = page.select("method", "Calibrator (fit on the held-out split)", cal.CALIBRATORS,
                     default="isotonic")
t = page.slider("t", "Break-even CTR t = cost ÷ value of a click", 0.02, 0.9, 0.25, step=0.01,
                help="Show an item (or win an auction) only when pCTR × value > cost.")
blend_cal = page.toggle("blend_cal", "Calibrate the new click head before blending", False)
with page.advanced_controls():
    n_bins = page.slider("bins", "Reliability bins", 2, 30, 10)
    strategy = page.select("strategy", "Binning", cal.STRATEGIES,
                           format_func={"uniform": "equal width", "quantile": "equal mass"}.get)

ab_run = calibration_blend_ab.show(page, blend_cal, w, seed)
data = click_data(seed)
rep = page.guard(report, seed, model, w, k, b, n_bins, strategy, t)
variants = None if rep is None else rep.variants
if rep is not None:
    fitted = rep.fitted
    prod, prod_name = calibration_reliability.production(rep, method)
    calibration_reliability.show_numbers(page, rep, data, method, w, b)
    tabs = page.tabs("view", VIEWS, on_stage=False)
    with tabs[0]:
        calibration_downstream.show_decisions(page, variants["naive"], variants["corrected"], prod, prod_name, data, t)
    with tabs[1]:
        calibration_reliability.show_diagram(page, rep, data, method)
    with tabs[2]:
        calibration_downstream.show_downsampling(page, rep, data, trained_scores(seed, model, w)[2], w)

page.math([
    r"\mathrm{ECE} = \sum_{b} \frac{n_b}{N}\,\bigl|\bar y_b - \bar p_b\bigr|"
    + (rf" \quad\Rightarrow\quad {variants['naive'].table.ece:.3f}\ (\text{{naive}}),\ "
       rf"{prod.table.ece:.3f}\ (\text{{production}})" if variants else ""),
    r"\mathrm{Brier} = \frac1N\sum_i (p_i - y_i)^2, \qquad "
    r"\mathrm{LogLoss} = -\frac1N\sum_i y_i\log p_i + (1-y_i)\log(1-p_i)",
    rf"p' = \frac{{p}}{{p + (1-p)\,w}}, \qquad q = \frac{{p'}}{{p' + (1-p')/w}} = p",
    rf"w = {w:.2f}:\quad \operatorname{{logit}} q = \operatorname{{logit}} p' + \log w"
    rf" = \operatorname{{logit}} p' {cal.log_keep_rate(w):+.3f}",
    rf"z' = k\,z + b = {k:.2f}\,z {b:+.1f}",
    r"\text{Platt: } \sigma(\alpha z' + \beta), \qquad \text{temperature: } \sigma(z'/T)"
    + (rf"\qquad \alpha = {fitted['platt'].params['alpha']:.3f},\ \beta = {fitted['platt'].params['beta']:+.3f},"
       rf"\ T = {fitted['temperature'].params['T']:.3f}" if variants else ""),
    r"\text{isotonic: the monotone step function } g \text{ minimising } \textstyle\sum_i (g(z'_i) - y_i)^2"
    + (rf"\quad ({fitted['isotonic'].params['steps']}\ \text{{levels}})" if variants else ""),
    rf"s = \hat p_{{\text{{click}}}} + \lambda\,\hat p_{{\text{{watch}}}},\ \lambda = {blend.LAMBDA:g}:\ \text{{an uncalibrated head rescales its term and with it }} \lambda"
    + (rf"\quad (\bar{{\hat p}}_{{\text{{click}}}} = {ab_run.treatment.mean_p_click:.3f}\ \text{{vs true }} {ab_run.true_ctr:.3f})"
       if ab_run is not None else ""),
    rf"\text{{show iff }} \hat p > t = \frac{{\text{{cost}}}}{{\text{{value}}}} = {t:.2f}, \qquad "
    r"\text{regret} = \mathbb{E}\bigl[\max(p - t, 0) - (p - t)\,\mathbb{1}[\hat p > t]\bigr]",
], notes="Predictions are binned on the test split; $n_b$ impressions in bin $b$ with mean prediction "
         "$\\bar p_b$ and click rate $\\bar y_b$. Calibrators are fit on a separate held-out split of "
         "full (not downsampled) traffic.")
page.board({"ranker": ["AUC (naive → production)", "Predicted CTR (production)"],
            "calibrator": ["ECE (naive)", "ECE (production)"], "calibrator>ranker": f"calibrator: {method}"})
page.finish()
