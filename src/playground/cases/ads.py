"""Lesson 12: ad CTR prediction as an auction input, and counterfactual evaluation from logs.

Two simulations, both seeded and vectorised with numpy:

* **Auction.** Advertisers bid a value per click; a pCTR model (with a settable mis-calibration
  scale on a segment of advertisers and log-normal noise) ranks them by eCPM = bid × pCTR and
  generalised second-price (GSP) pricing charges each winner the eCPM of the ad below divided by
  its own pCTR. Outcomes (expected clicks, revenue, advertiser value) are computed with the *true*
  CTRs and compared with the same auction run on calibrated (true) CTRs.
* **Counterfactual logging.** A logging policy (epsilon-greedy or softmax over the production
  model's scores) serves ads with known propensities; the value of a new policy is estimated from
  the logs with IPS, SNIPS, the direct method (DM) and doubly robust (DR), and compared with the
  true value, which the simulation knows exactly.

Money is in dollars; CTRs and propensities are probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from playground.seeds import derived_seeds


#: Relative click-through of slots 1..5 (position effect, separable model).
POSITION_EFFECT = np.array([1.0, 0.7, 0.5, 0.35, 0.25])
POPULATION = 100  # advertisers in the market


class LoggingKind(StrEnum):
    """The logging policy's exploration (values: what share links and presets carry, kept as they
    were so old links still open)."""

    EPSILON_GREEDY = "epsilon-greedy"
    SOFTMAX = "softmax"


LOGGING_KINDS: tuple[LoggingKind, ...] = tuple(LoggingKind)
LOGGING_LABELS: dict[LoggingKind, str] = {LoggingKind.EPSILON_GREEDY: "epsilon-greedy", LoggingKind.SOFTMAX: "softmax"}
ESTIMATORS = ("IPS", "SNIPS", "DM", "DR")
REPLAY = "replay (no propensities)"  # the estimate that needs no logged propensity


# ---- the auction ----------------------------------------------------------------------------
@dataclass(frozen=True)
class AuctionOutcome:
    """Winners and GSP prices of a batch of auctions.

    Attributes
    ----------
    order : ndarray of int, shape (auctions, slots)
        Index (into the bidders of that auction) of the ad in each slot, ``-1`` when empty.
    price : ndarray of float, shape (auctions, slots)
        Price per click in dollars charged to the ad in each slot, NaN when empty.
    """

    order: np.ndarray
    price: np.ndarray


def gsp(bids, pctr, slots: int, reserve: float = 0.0) -> AuctionOutcome:
    """Rank by eCPM = bid × pCTR and price each slot by generalised second price.

    The ad in slot ``j`` pays per click ``max(eCPM of slot j+1, reserve) / pCTR_j``, which never
    exceeds its own bid. An ad whose eCPM is below ``reserve`` is not shown. With one slot this is
    the second-price (Vickrey) auction. Ties go to the lower index.

    Parameters
    ----------
    bids, pctr : array_like, shape (bidders,) or (auctions, bidders)
        Bid per click (dollars) and predicted click probability of each bidder.
    slots : int
        Number of ad slots (at least 1).
    reserve : float
        Minimum eCPM (expected dollars per impression) to be shown.
    """
    bids = np.atleast_2d(np.asarray(bids, dtype=float))
    pctr = np.atleast_2d(np.asarray(pctr, dtype=float))
    if bids.shape != pctr.shape:
        raise ValueError(f"bids {bids.shape} and pCTRs {pctr.shape} must have the same shape")
    if slots < 1:
        raise ValueError("an auction needs at least one slot")
    if np.any(bids < 0) or np.any(pctr <= 0) or np.any(pctr > 1):
        raise ValueError("bids must be ≥ 0 and pCTRs in (0, 1]")
    if reserve < 0:
        raise ValueError("the reserve price cannot be negative")
    n_auctions, n_bidders = bids.shape
    ecpm = bids * pctr
    ranked = np.argsort(-ecpm, axis=1, kind="stable")
    ranked_ecpm = np.take_along_axis(ecpm, ranked, axis=1)
    padded = np.concatenate([ranked_ecpm, np.zeros((n_auctions, slots + 1))], axis=1)
    order = np.full((n_auctions, slots), -1)
    price = np.full((n_auctions, slots), np.nan)
    used = min(slots, n_bidders)
    own = padded[:, :used]
    shown = (own >= reserve) & (own > 0)
    next_ecpm = np.maximum(padded[:, 1:used + 1], reserve)
    own_pctr = np.take_along_axis(pctr, ranked[:, :used], axis=1)
    order[:, :used] = np.where(shown, ranked[:, :used], -1)
    price[:, :used] = np.where(shown, next_ecpm / own_pctr, np.nan)
    return AuctionOutcome(order, price)


@dataclass(frozen=True)
class MarketResult:
    """Aggregates of many auctions run with the model's pCTR and with the true CTR.

    ``example`` is the first auction, one row per bidder (see :func:`auction_table`).
    ``summary`` has one row per ranking ("model pCTR", "calibrated") with revenue, clicks,
    advertiser value and surplus per 1,000 auctions, mean CPC, value per click, fill rate and
    allocation efficiency (welfare / calibrated welfare). ``advertisers`` has one row per
    advertiser: value per click, pCTR bias, clicks, CPC and ROI under the model.
    """

    summary: pd.DataFrame
    advertisers: pd.DataFrame
    example: pd.DataFrame

    def versus_calibrated(self) -> dict[str, float]:
        """The model pCTR's market against the calibrated one: ``revenue change`` (relative),
        ``fill change`` (absolute) and ``CPC / value`` (mean CPC over mean value per click)."""
        model, calib = self.summary.loc["model pCTR"], self.summary.loc["calibrated"]
        return {"revenue change": model["revenue per 1k auctions ($)"] / calib["revenue per 1k auctions ($)"] - 1,
                "fill change": model["fill rate"] - calib["fill rate"],
                "CPC / value": model["mean CPC ($)"] / model["value per click ($)"]}

    def clicked_advertisers(self) -> pd.DataFrame:
        """The advertisers with at least one click (``advertiser`` as a column)."""
        return self.advertisers[self.advertisers["clicks"] > 0].reset_index()

    def price_per_value(self) -> pd.Series:
        """Spend per dollar of advertiser value, by segment ("scaled segment", "rest"), over the
        advertisers with clicks."""
        by_segment = self.clicked_advertisers().groupby("segment")[["spend", "value"]].sum()
        return by_segment["spend"] / by_segment["value"]


def _outcome_totals(values, ctr, outcome: AuctionOutcome, slots: int) -> dict:
    theta = POSITION_EFFECT[:slots]
    filled = outcome.order >= 0
    idx = np.where(filled, outcome.order, 0)
    clicks = np.where(filled, np.take_along_axis(ctr, idx, axis=1) * theta, 0.0)
    value = np.where(filled, np.take_along_axis(values, idx, axis=1), 0.0)
    spend = np.where(filled, outcome.price, 0.0) * clicks
    return {"clicks": clicks, "value": value * clicks, "spend": spend, "filled": filled, "idx": idx}


def simulate_market(n_bidders: int = 10, slots: int = 3, scale: float = 1.0, share: float = 1.0,
                    noise: float = 0.3, reserve: float = 0.0, auctions: int = 3000,
                    seed: int = 0) -> MarketResult:
    """Run ``auctions`` GSP auctions ranked by a mis-calibrated pCTR and by the true CTR.

    A market of 100 advertisers (value per click ~ log-normal around $1, base CTR ~ log-normal
    around 2 %) is drawn once; each auction (a query) invites ``n_bidders`` of them, whose true
    CTR is the base CTR times a query-relevance factor. Bids are the values (truthful bidding is
    assumed for simplicity). The model predicts
    ``pCTR = CTR × s_i × exp(noise·z − noise²/2)``, with ``s_i = scale`` for a random ``share``
    of advertisers (a mis-calibrated segment, e.g. new campaigns) and 1 for the others.

    Parameters
    ----------
    n_bidders : int
        Advertisers per auction (2 … 100).
    slots : int
        Ad slots per page (1 … 5).
    scale : float
        Multiplicative pCTR bias of the mis-calibrated segment (1 = calibrated).
    share : float
        Fraction of advertisers in the mis-calibrated segment (0 … 1).
    noise : float
        Standard deviation of the log pCTR error per impression (0 = exact up to scale).
    reserve : float
        Reserve eCPM in dollars per impression.
    auctions : int
        Number of simulated auctions.
    seed : int
        Random seed.
    """
    if not 2 <= n_bidders <= POPULATION:
        raise ValueError(f"bidders per auction must be between 2 and {POPULATION}")
    if not 1 <= slots <= len(POSITION_EFFECT):
        raise ValueError(f"slots must be between 1 and {len(POSITION_EFFECT)}")
    if scale <= 0 or noise < 0 or not 0 <= share <= 1:
        raise ValueError("scale must be > 0, noise ≥ 0 and the segment share in [0, 1]")
    if auctions < 1:
        raise ValueError("simulate at least one auction")
    rng = np.random.default_rng(seed)
    value = np.exp(rng.normal(0.0, 0.5, POPULATION))
    base_ctr = np.clip(0.02 * np.exp(rng.normal(0.0, 0.6, POPULATION)), 1e-4, 0.3)
    segment = np.zeros(POPULATION, dtype=bool)
    segment[rng.permutation(POPULATION)[: int(round(share * POPULATION))]] = True
    bias = np.where(segment, scale, 1.0)

    who = np.argsort(rng.random((auctions, POPULATION)), axis=1)[:, :n_bidders]
    ctr = np.clip(base_ctr[who] * np.exp(rng.normal(0.0, 0.4, who.shape)), 1e-4, 0.5)
    pctr = np.clip(ctr * bias[who] * np.exp(noise * rng.standard_normal(who.shape) - noise**2 / 2),
                   1e-6, 1.0)
    bids = value[who]

    rows, per_adv = [], None
    for name, score in (("model pCTR", pctr), ("calibrated", ctr)):
        totals = _outcome_totals(bids, ctr, gsp(bids, score, slots, reserve), slots)
        clicks, spend, val = totals["clicks"].sum(), totals["spend"].sum(), totals["value"].sum()
        rows.append({
            "ranking": name,
            "revenue per 1k auctions ($)": 1000 * spend / auctions,
            "clicks per 1k auctions": 1000 * clicks / auctions,
            "advertiser value per 1k auctions ($)": 1000 * val / auctions,
            "advertiser surplus per 1k auctions ($)": 1000 * (val - spend) / auctions,
            "mean CPC ($)": spend / clicks if clicks > 0 else np.nan,
            "value per click ($)": val / clicks if clicks > 0 else np.nan,
            "fill rate": totals["filled"].mean(),
        })
        if name == "model pCTR":
            adv = np.take_along_axis(who, totals["idx"], axis=1)[totals["filled"]]
            per_adv = pd.DataFrame({
                "advertiser": adv,
                "clicks": totals["clicks"][totals["filled"]],
                "spend": totals["spend"][totals["filled"]],
                "value": totals["value"][totals["filled"]],
            }).groupby("advertiser").sum()
    summary = pd.DataFrame(rows).set_index("ranking")
    welfare = summary["advertiser value per 1k auctions ($)"]
    summary["allocation efficiency"] = welfare / welfare["calibrated"] if welfare["calibrated"] > 0 else np.nan

    advertisers = pd.DataFrame({"value per click ($)": value, "pCTR bias": bias,
                                "segment": np.where(segment, "scaled segment", "rest")})
    advertisers.index.name = "advertiser"
    advertisers = advertisers.join(per_adv, how="left").fillna({"clicks": 0.0, "spend": 0.0, "value": 0.0})
    with np.errstate(divide="ignore", invalid="ignore"):
        advertisers["CPC ($)"] = advertisers["spend"] / advertisers["clicks"]
        advertisers["ROI"] = (advertisers["value"] - advertisers["spend"]) / advertisers["spend"]
    example = auction_table(bids[0], pctr[0], ctr[0], slots, reserve)
    example.insert(0, "advertiser", who[0])
    return MarketResult(summary, advertisers, example)


def auction_table(bids, pctr, ctr, slots: int, reserve: float = 0.0) -> pd.DataFrame:
    """One auction as a table: bid, true CTR, pCTR, eCPM, slot won (0 = not shown) and GSP
    price per click, sorted by eCPM."""
    outcome = gsp(bids, pctr, slots, reserve)
    slot = np.zeros(len(bids), dtype=int)
    price = np.full(len(bids), np.nan)
    for j, (who, pay) in enumerate(zip(outcome.order[0], outcome.price[0])):
        if who >= 0:
            slot[who], price[who] = j + 1, pay
    table = pd.DataFrame({"bid ($/click)": bids, "true CTR": ctr, "pCTR": pctr,
                          "eCPM ($/impression)": np.asarray(bids) * np.asarray(pctr),
                          "slot": slot, "price ($/click)": price})
    return table.sort_values("eCPM ($/impression)", ascending=False, kind="stable")


# ---- counterfactual evaluation ----------------------------------------------------------------
@dataclass(frozen=True)
class BanditWorld:
    """Contexts (user segments) × ads with known true CTRs and two models' scores.

    Attributes
    ----------
    ctr : ndarray, shape (contexts, actions)
        True click probability of showing ad ``a`` in context ``x``.
    p_context : ndarray, shape (contexts,)
        How often each context arrives.
    logging_scores, target_scores : ndarray, shape (contexts, actions)
        Predicted CTRs of the production model (which logs) and of the new model (to evaluate).
    """

    ctr: np.ndarray
    p_context: np.ndarray
    logging_scores: np.ndarray
    target_scores: np.ndarray


def make_world(contexts: int = 20, actions: int = 10, seed: int = 0) -> BanditWorld:
    """A world with interaction effects (context × ad) that an additive model cannot capture.

    The production model's scores carry more error (log-odds noise 0.8) than the new model's (0.3),
    so the new greedy policy is better but not perfect.
    """
    if contexts < 1 or actions < 2:
        raise ValueError("need at least one context and two ads")
    rng = np.random.default_rng(seed)
    u, w = rng.normal(0, 1, (contexts, 3)), rng.normal(0, 1, (actions, 3))
    logit = -3.2 + 0.5 * rng.normal(0, 1, actions)[None, :] + 0.6 * u @ w.T
    ctr = 1 / (1 + np.exp(-logit))
    p_context = rng.dirichlet(np.full(contexts, 3.0))

    def noisy(sd):
        return 1 / (1 + np.exp(-(logit + rng.normal(0, sd, logit.shape))))

    return BanditWorld(ctr, p_context, noisy(0.8), noisy(0.3))


def policy(scores: np.ndarray, kind: str = "greedy", explore: float = 0.0) -> np.ndarray:
    """Action probabilities per context (rows sum to 1).

    ``greedy``: all mass on the top score. ``epsilon-greedy``: ``1 − ε`` on the top score plus
    ``ε / A`` on every ad. ``softmax``: ``exp(s / τ)`` normalised, with scores ``s`` in log-odds and
    temperature ``τ = explore``.
    """
    scores = np.asarray(scores, dtype=float)
    n_actions = scores.shape[1]
    greedy = np.zeros_like(scores)
    greedy[np.arange(len(scores)), scores.argmax(axis=1)] = 1.0
    if kind == "greedy":
        return greedy
    if kind == LoggingKind.EPSILON_GREEDY:
        if not 0 <= explore <= 1:
            raise ValueError("the exploration rate ε must be in [0, 1]")
        return (1 - explore) * greedy + explore / n_actions
    if kind == LoggingKind.SOFTMAX:
        if explore <= 0:
            raise ValueError("the softmax temperature must be > 0")
        logit = np.log(scores / (1 - scores)) / explore
        expo = np.exp(logit - logit.max(axis=1, keepdims=True))
        return expo / expo.sum(axis=1, keepdims=True)
    raise ValueError(f"unknown policy kind {kind!r}")


def true_value(world: BanditWorld, target: np.ndarray) -> float:
    """Exact expected CTR of a policy: Σ_x P(x) Σ_a π(a|x) CTR(x, a)."""
    return float(world.p_context @ (target * world.ctr).sum(axis=1))


@dataclass(frozen=True)
class Log:
    """Logged impressions: context, shown ad, click, and the logging propensity μ(a|x)."""

    x: np.ndarray
    a: np.ndarray
    r: np.ndarray
    p: np.ndarray


def log_impressions(world: BanditWorld, logging: np.ndarray, n: int, rng) -> Log:
    """Serve ``n`` impressions with the logging policy and record (x, a, click, μ(a|x))."""
    if n < 1:
        raise ValueError("log at least one impression")
    x = rng.choice(len(world.p_context), size=n, p=world.p_context)
    a = np.empty(n, dtype=int)
    for k in np.unique(x):
        rows = np.flatnonzero(x == k)
        a[rows] = rng.choice(logging.shape[1], size=len(rows), p=logging[k])
    r = (rng.random(n) < world.ctr[x, a]).astype(float)
    return Log(x, a, r, logging[x, a])


def ips(log: Log, target: np.ndarray) -> float:
    """Inverse propensity scoring: mean of r · π(a|x) / μ(a|x) (unbiased when μ > 0 wherever π > 0)."""
    return float(np.mean(log.r * target[log.x, log.a] / log.p))


def snips(log: Log, target: np.ndarray) -> float:
    """Self-normalised IPS: Σ r·w / Σ w with w = π(a|x) / μ(a|x) (consistent, lower variance)."""
    w = target[log.x, log.a] / log.p
    return float(np.sum(log.r * w) / np.sum(w)) if w.sum() > 0 else float("nan")


def reward_model(log: Log, contexts: int, actions: int) -> np.ndarray:
    """An additive logistic click model (context + ad, no interaction) fitted on the log.

    Returns predicted CTR for every (context, ad). It is deliberately the kind of simple model a
    team has: mis-specified, so the direct method is biased where interactions matter.
    """
    cells = np.zeros((contexts, actions, 2))
    np.add.at(cells, (log.x, log.a, log.r.astype(int)), 1.0)
    xx, aa = np.meshgrid(np.arange(contexts), np.arange(actions), indexing="ij")
    design = np.hstack([np.eye(contexts)[xx.ravel()], np.eye(actions)[aa.ravel()]])
    features = np.vstack([design, design])
    labels = np.r_[np.zeros(design.shape[0]), np.ones(design.shape[0])]
    weights = np.r_[cells[..., 0].ravel(), cells[..., 1].ravel()]
    keep = weights > 0
    if len(np.unique(labels[keep])) < 2:
        rate = log.r.mean()
        return np.full((contexts, actions), rate)
    model = LogisticRegression(C=10.0, solver="newton-cholesky", max_iter=100)
    model.fit(features[keep], labels[keep], sample_weight=weights[keep])
    return model.predict_proba(design)[:, 1].reshape(contexts, actions)


def direct_method(log: Log, target: np.ndarray, r_hat: np.ndarray) -> float:
    """Direct method: mean over logged contexts of Σ_a π(a|x) r̂(x, a)."""
    return float(np.mean((target * r_hat).sum(axis=1)[log.x]))


def doubly_robust(log: Log, target: np.ndarray, r_hat: np.ndarray) -> float:
    """Doubly robust: DM plus the IPS-weighted residual of the reward model."""
    w = target[log.x, log.a] / log.p
    return float(np.mean((target * r_hat).sum(axis=1)[log.x] + w * (log.r - r_hat[log.x, log.a])))


def replay_without_propensities(log: Log, target: np.ndarray) -> float:
    """What a team without logged propensities does: average the clicks of the logged rows
    where the logged ad is the one the new policy would pick (unweighted)."""
    match = target[log.x, log.a] > 0
    return float(log.r[match].mean()) if match.any() else float("nan")


def estimate_all(log: Log, target: np.ndarray, contexts: int, actions: int) -> dict[str, float]:
    """Every estimator on one log (IPS, SNIPS, DM, DR, replay without propensities)."""
    r_hat = reward_model(log, contexts, actions)
    return {"IPS": ips(log, target), "SNIPS": snips(log, target), "DM": direct_method(log, target, r_hat),
            "DR": doubly_robust(log, target, r_hat),
            REPLAY: replay_without_propensities(log, target)}


def effective_sample_size(log: Log, target: np.ndarray) -> float:
    """Kish effective sample size of the importance weights: (Σw)² / Σw²."""
    w = target[log.x, log.a] / log.p
    return float(w.sum() ** 2 / np.sum(w**2)) if np.sum(w**2) > 0 else 0.0


def replicate_estimates(world: BanditWorld, kind: str, explore: float, n: int, replicates: int,
                        seed: int) -> pd.DataFrame:
    """Estimates of the new greedy policy's value from ``replicates`` independent logs."""
    if replicates < 1:
        raise ValueError("run at least one replicate")
    logging = policy(world.logging_scores, kind, explore)
    target = policy(world.target_scores, "greedy")
    rng = np.random.default_rng(seed)
    contexts, actions = world.ctr.shape
    rows = []
    for _ in range(replicates):
        log = log_impressions(world, logging, n, rng)
        rows.append({**estimate_all(log, target, contexts, actions),
                     "ESS": effective_sample_size(log, target),
                     "logging policy CTR": float(log.r.mean())})
    return pd.DataFrame(rows)


def exploration_sweep(world: BanditWorld, kind: str, grid, n: int, replicates: int,
                      seed: int) -> pd.DataFrame:
    """Bias, standard deviation and RMSE of each estimator for each exploration level."""
    target = policy(world.target_scores, "greedy")
    truth = true_value(world, target)
    rows = []
    grid = list(grid)
    for explore, child in zip(grid, derived_seeds(seed, len(grid))):
        est = replicate_estimates(world, kind, explore, n, replicates, child)
        for name in (*ESTIMATORS, REPLAY):
            values = est[name].dropna()
            rows.append({"exploration": explore, "estimator": name,
                         "bias": values.mean() - truth, "std": values.std(ddof=1),
                         "rmse": float(np.sqrt(np.mean((values - truth) ** 2))),
                         "ESS": est["ESS"].mean()})
    return pd.DataFrame(rows)


EXPLORE_GRID = {LoggingKind.EPSILON_GREEDY: (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0),
                LoggingKind.SOFTMAX: (0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0)}



def shown_estimators(propensities_logged: bool) -> list[str]:
    """The estimators a team can compute: all of :data:`ESTIMATORS` with logged propensities,
    else only the direct method; the replay estimate in both cases."""
    return [*(ESTIMATORS if propensities_logged else ("DM",)), REPLAY]


@dataclass(frozen=True)
class Counterfactual:
    """The new (greedy) policy's true value, the logging policy's, and estimates of the new
    policy's value from replicated logs (one row per log, see :func:`replicate_estimates`)."""

    truth: float
    logging_value: float
    estimates: pd.DataFrame

    def bias(self, estimator: str) -> float:
        """Mean estimate over the logs minus the truth."""
        return float(self.estimates[estimator].mean() - self.truth)


def counterfactual(kind: str, explore: float, n: int, replicates: int, seed: int) -> Counterfactual:
    """Evaluate the new greedy policy of :func:`make_world` ``(seed)`` from ``replicates`` logs of
    ``n`` impressions each, logged by the ``kind`` policy with exploration ``explore``."""
    world = make_world(seed=seed)
    truth = true_value(world, policy(world.target_scores, "greedy"))
    logging_value = true_value(world, policy(world.logging_scores, kind, explore))
    return Counterfactual(truth, logging_value, replicate_estimates(world, kind, explore, n, replicates, seed))
