"""The systems the course builds, as data: components and flows, each tagged with its lesson.

The recommender grows over lessons 1-7, the RAG system over lessons 8-11, and each case study
(12-15) reuses the recommender's data and monitoring layers and adds the components that make its
wrinkle. Lesson 0 has its own "system": the six steps of the round. What breaks without a
component is never written here: :attr:`Component.breaks` reads the course table in
:mod:`playground.course` (the same sentence the lesson page shows under its title).
"""

from __future__ import annotations

from dataclasses import dataclass

from playground import course, framework

SIDES = ("offline", "online", "both")


@dataclass(frozen=True)
class Component:
    """One box on the board.

    Parameters
    ----------
    id : str
        Short identifier (also used in links and drill boards).
    name : str
        Box title.
    lesson : str
        Id of the lesson that adds it (``"l03"``).
    side : str
        ``"offline"`` (training, batch jobs), ``"online"`` (the request path) or ``"both"``
        (one definition used by both sides, e.g. a feature store); ``""`` for the steps of the
        round, which sit on no side.
    step : str
        Key of the framework step whose whiteboard it belongs to (``"s1"`` … ``"s6"``).
    sized_by : tuple of str
        The numbers it is sized by (with units).
    preset : str or None
        Name of the lesson's preset that reproduces the failure of leaving it out.
    probe : str
        The question an interviewer asks about it.
    """

    id: str
    name: str
    lesson: str
    side: str
    step: str
    sized_by: tuple[str, ...] = ()
    preset: str | None = None
    probe: str = ""

    @property
    def breaks(self) -> str:
        """What breaks without it: the course table's sentence for its lesson."""
        return course.lesson(self.lesson).breaks


@dataclass(frozen=True)
class Flow:
    """An arrow: what moves from ``src`` to ``dst``; ``loop`` marks the arrow that closes a
    feedback loop (drawn dashed, without pulling the layout)."""

    src: str
    dst: str
    label: str = ""
    loop: bool = False


@dataclass(frozen=True)
class System:
    """A system drawn on the board: its components and flows, and the lessons that show it."""

    key: str
    title: str
    lessons: tuple[str, ...]
    components: tuple[Component, ...]
    flows: tuple[Flow, ...]

    def component(self, component_id: str) -> Component:
        """The component with id ``component_id`` (raises ``KeyError``)."""
        for item in self.components:
            if item.id == component_id:
                return item
        raise KeyError(component_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """Component ids in drawing order."""
        return tuple(item.id for item in self.components)


C = Component
_CATALOGUE: tuple[Component, ...] = (
    # ---- recommender, lessons 1-7 -------------------------------------------------------------
    C("objective", "Objective: multi-task label (watch, satisfaction)", "l01", "offline", "s2",
      ("retention after N weeks (%)", "weights on click / watch / survey"), "naive",
      "Which metric does the business live on, and how do the weights get tuned?"),
    C("event_log", "Event log (impressions, clicks, dwell)", "l02", "both", "s3",
      ("events/day", "positive share (%)"), "naive",
      "When was each value known, and how late do labels arrive?"),
    C("pit_join", "Point-in-time training set (as-of joins)", "l02", "offline", "s3",
      ("training rows", "offline vs online AUC"), "future_join",
      "How do you make sure a training row only sees features from before its label?"),
    C("feature_store", "Feature store (one definition, training + serving)", "l02", "both", "s3",
      ("features/request", "lookup p99 (ms)"), "naive",
      "How do you keep the feature computed online identical to the one in training?"),
    C("two_tower", "Two-tower training (in-batch negatives + logQ)", "l03", "offline", "s4",
      ("recall@k", "embedding dimension d"), "naive",
      "What are the negatives, and what bias do in-batch negatives add?"),
    C("ann_index", "ANN candidate index (FAISS)", "l03", "online", "s5",
      ("index type", "memory at N items (GB)", "recall@k", "QPS"), "underprobed",
      "Which index, at what recall, latency and memory, and how many machines?"),
    C("ranker", "Ranker (pCTR, multi-task heads)", "l04", "online", "s4",
      ("AUC", "log loss", "ECE"), "naive",
      "Which consumers need calibrated probabilities rather than an order?"),
    C("calibrator", "Calibration (downsampling correction, Platt/isotonic)", "l04", "offline", "s4",
      ("ECE", "negative keep rate w"), "naive",
      "You downsampled negatives: what does the model now predict, and how do you fix it?"),
    C("request_path", "Request path (fan-out, hedging, timeouts)", "l05", "online", "s5",
      ("p99 vs 200 ms budget", "fan-out N shards"), "naive",
      "Where does the p99 come from, and what do you do when one shard is slow?"),
    C("cache", "Cache (results, features)", "l05", "online", "s5",
      ("hit rate (%)",), "tail_at_scale",
      "What do you cache, what is the hit rate, and how stale can it be?"),
    C("rerank_rules", "Re-ranking and business rules (diversity, freshness)", "l05", "online", "s5",
      ("stage p99 (ms)",), "naive",
      "What runs after the ranker, and what does it cost in latency?"),
    C("ab_assign", "A/B assignment (bucketing, exposure log)", "l06", "online", "s6",
      ("users per arm", "duration (days)"), "naive",
      "How many users and days, and how do you know the split is not broken?"),
    C("experiment_analysis", "Experiment analysis (power, sequential, CUPED, SRM)", "l06",
      "offline", "s6", ("MDE", "false-positive rate"), "novelty_win",
      "When do you read the test, and what if day 1 looks great?"),
    C("drift_monitor", "Monitoring (data, prediction and metric drift)", "l07", "both", "s6",
      ("detection delay (days)", "false alarms"), "naive",
      "Which drift can your detector see, and which can it not?"),
    C("retrain", "Retraining loop (drift-triggered)", "l07", "offline", "s6",
      ("retrains", "accuracy recovered"), "naive",
      "When do you retrain, and what does label delay do to the trigger?"),
    # ---- RAG, lessons 8-11 ----------------------------------------------------------------------
    C("ingest", "Ingestion and chunking", "l08", "offline", "s3",
      ("documents", "chunk size / overlap (words)", "re-index time"), "naive",
      "How do you chunk, and how did you check that chunking keeps answers findable?"),
    C("embed_job", "Embedding job (chunks to vectors)", "l08", "offline", "s3",
      ("chunks", "embedding cost", "freshness"), "fresh_news",
      "How fresh must the index be, and what does re-embedding cost?"),
    C("bm25", "BM25 index (exact terms)", "l09", "online", "s5",
      ("recall@k on rare entities",), "dense_error_code",
      "What does dense retrieval miss that a term index finds?"),
    C("vector_index", "Vector index (dense)", "l09", "online", "s5",
      ("recall@k on paraphrases", "index memory"), "bm25_paraphrase",
      "What does BM25 miss that dense retrieval finds?"),
    C("fusion", "Fusion (RRF or weighted scores)", "l09", "online", "s4",
      ("nDCG@10",), "naive", "How do you combine two ranked lists with incomparable scores?"),
    C("rag_reranker", "Reranker on the fused top-N", "l09", "online", "s4",
      ("nDCG@10", "rerank latency (ms)"), "naive",
      "How many candidates go to the reranker, and what does it cost?"),
    C("prompt_builder", "Prompt builder (token budget, citations)", "l10", "online", "s5",
      ("chunks that fit", "prompt tokens"), "production",
      "How many chunks fit, and what do you drop first?"),
    C("llm", "LLM serving (GPUs, KV cache, batching)", "l10", "online", "s5",
      ("GPUs", "tokens/s", "$ per 1k requests"), "naive",
      "How many GPUs, at what batch, and what does one answer cost?"),
    C("semantic_cache", "Semantic cache (similarity threshold)", "l10", "online", "s5",
      ("hit rate", "wrong answers per 1k"), "naive",
      "At what similarity do you reuse an answer, and how often is it wrong?"),
    C("grounding", "Grounding check (cite or refuse)", "l10", "online", "s4",
      ("evidence threshold",), "naive",
      "What does the system say when retrieval found nothing?"),
    C("rag_eval", "RAG evaluation (context precision/recall, faithfulness)", "l11", "offline", "s6",
      ("context recall@k", "faithfulness"), "naive",
      "How do you tell a faithful answer from a fluent one?"),
    C("feedback", "Feedback and labelled set (judge agreement)", "l11", "offline", "s6",
      ("labelled queries", "Cohen's kappa"), "loose_judge",
      "Do you trust the LLM judge, and how did you check it?"),
    # ---- case studies 12-15 ---------------------------------------------------------------------
    C("auction", "Auction (eCPM = bid x pCTR, GSP pricing)", "l12", "online", "s5",
      ("revenue per 1k auctions", "allocation efficiency"), "uncalibrated_bids",
      "What does an over-predicted pCTR do to who wins and what they pay?"),
    C("propensity_log", "Propensity logging (exploration, mu(a|x))", "l12", "online", "s3",
      ("exploration rate", "effective sample size"), "naive",
      "How would you evaluate a new policy from yesterday's logs?"),
    C("off_policy_eval", "Off-policy evaluation (IPS / SNIPS)", "l12", "offline", "s6",
      ("estimate vs truth", "effective sample size"), "tiny_exploration",
      "What is the variance of your IPS estimate, and what controls it?"),
    C("stream_features", "Streaming velocity features (event-time windows)", "l13", "online", "s3",
      ("windows 1 min / 1 h / 24 h", "PR-AUC online"), "naive",
      "How is the 1-minute count computed online without leaking the future offline?"),
    C("fraud_scorer", "Fraud scorer + cost threshold", "l13", "online", "s4",
      ("PR-AUC", "cost per 1k transactions"), "naive",
      "Where does the threshold come from at 0.1 % fraud?"),
    C("review_queue", "Manual review queue (chargeback labels)", "l13", "both", "s6",
      ("label delay (days)", "reviews/day"), "needle",
      "How late do labels arrive, and what does the model learn meanwhile?"),
    C("geo_features", "Spatial-temporal features (zone, hour, weather)", "l14", "both", "s3",
      ("zones", "late rate by segment"), "storm",
      "Which trips are slow, and which features can see that?"),
    C("quantile_model", "Quantile heads P50 / P90 (pinball loss)", "l14", "online", "s4",
      ("P90 coverage", "pinball loss"), "naive",
      "Why is the promise time a quantile and not a mean?"),
    C("promise", "Promise time and coverage check", "l14", "online", "s2",
      ("late rate (%)",), "naive", "What late-arrival rate does the product accept?"),
    C("dual_encoder", "Dual encoder training (symmetric InfoNCE)", "l15", "offline", "s4",
      ("temperature", "batch size", "recall@10 both ways"), "naive",
      "What do temperature and batch size do to a contrastive loss?"),
    C("image_index", "Cross-modal image index", "l15", "online", "s5",
      ("images", "modality gap"), "tiny_batch",
      "Can you put text and image vectors in one index?"),
    C("text_encoder", "Query text encoder", "l15", "online", "s5",
      ("encode latency (ms)",), "naive", "What runs per query, and what runs once per image?"),
)
CATALOGUE: dict[str, Component] = {item.id: item for item in _CATALOGUE}

_RECSYS_FLOWS = (
    Flow("event_log", "pit_join", "logged events"),
    Flow("feature_store", "pit_join", "feature history"),
    Flow("objective", "pit_join", "labels"),
    Flow("pit_join", "two_tower", "training rows"),
    Flow("pit_join", "calibrator", "held-out rows"),
    Flow("two_tower", "ann_index", "item vectors"),
    Flow("calibrator", "ranker", "calibration map"),
    Flow("request_path", "ann_index", "user vector"),
    Flow("ann_index", "ranker", "candidates"),
    Flow("feature_store", "ranker", "online features"),
    Flow("ranker", "rerank_rules", "scores"),
    Flow("rerank_rules", "request_path", "feed", loop=True),
    Flow("cache", "request_path", "hits"),
    Flow("ab_assign", "request_path", "arm"),
    Flow("request_path", "event_log", "impressions", loop=True),
    Flow("event_log", "experiment_analysis", "exposures"),
    Flow("event_log", "drift_monitor", "live data"),
    Flow("drift_monitor", "retrain", "alarm"),
    Flow("retrain", "two_tower", "new model", loop=True),
)
_RAG_FLOWS = (
    Flow("ingest", "embed_job", "chunks"),
    Flow("ingest", "bm25", "chunks"),
    Flow("embed_job", "vector_index", "vectors"),
    Flow("bm25", "fusion", "top-k"),
    Flow("vector_index", "fusion", "top-k"),
    Flow("fusion", "rag_reranker", "top-N"),
    Flow("rag_reranker", "prompt_builder", "passages"),
    Flow("semantic_cache", "prompt_builder", "miss"),
    Flow("prompt_builder", "llm", "prompt"),
    Flow("llm", "grounding", "draft answer"),
    Flow("grounding", "feedback", "answers + ratings"),
    Flow("feedback", "rag_eval", "labelled set"),
    Flow("rag_eval", "ingest", "chunking fixes", loop=True),
)
_BASE = ("event_log", "pit_join", "feature_store", "drift_monitor", "retrain")
_BASE_FLOWS = (
    Flow("event_log", "pit_join", "logged events"),
    Flow("feature_store", "pit_join", "feature history"),
    Flow("event_log", "drift_monitor", "live data"),
    Flow("drift_monitor", "retrain", "alarm"),
)


def _system(key: str, title: str, lessons: tuple[str, ...], ids: tuple[str, ...],
            flows: tuple[Flow, ...]) -> System:
    return System(key, title, lessons, tuple(CATALOGUE[i] for i in ids), flows)


_ROUND = System(
    "round", "The 45-minute round", ("l00",),
    tuple(Component(s.key, f"{i}. {s.name}", "l00", "", s.key, ("minutes",), "naive",
                    s.checklist[0] + "?") for i, s in enumerate(framework.STEPS, start=1)),
    tuple(Flow(a.key, b.key) for a, b in zip(framework.STEPS, framework.STEPS[1:])),
)

SYSTEMS: dict[str, System] = {
    "round": _ROUND,
    "recsys": _system("recsys", "Video recommender", ("l01", "l02", "l03", "l04", "l05", "l06", "l07"),
                      tuple(i for i in CATALOGUE if course.lesson(CATALOGUE[i].lesson).number <= 7),
                      _RECSYS_FLOWS),
    "rag": _system("rag", "RAG search", ("l08", "l09", "l10", "l11"),
                   tuple(i for i in CATALOGUE if 8 <= course.lesson(CATALOGUE[i].lesson).number <= 11),
                   _RAG_FLOWS),
    "ads": _system("ads", "Ad CTR prediction", ("l12",),
                   (*_BASE, "ranker", "calibrator", "auction", "propensity_log", "off_policy_eval"),
                   (*_BASE_FLOWS, Flow("pit_join", "calibrator", "held-out rows"),
                    Flow("calibrator", "ranker", "calibration map"),
                    Flow("feature_store", "ranker", "online features"), Flow("ranker", "auction", "pCTR"),
                    Flow("auction", "propensity_log", "shown ad + mu(a|x)"),
                    Flow("propensity_log", "event_log", "impressions", loop=True),
                    Flow("propensity_log", "off_policy_eval", "logged propensities"))),
    "fraud": _system("fraud", "Real-time fraud detection", ("l13",),
                     (*_BASE, "stream_features", "fraud_scorer", "review_queue"),
                     (*_BASE_FLOWS, Flow("stream_features", "fraud_scorer", "velocity counts"),
                      Flow("feature_store", "fraud_scorer", "account features"),
                      Flow("fraud_scorer", "review_queue", "borderline"),
                      Flow("review_queue", "event_log", "delayed labels", loop=True),
                      Flow("retrain", "fraud_scorer", "new model", loop=True))),
    "eta": _system("eta", "ETA prediction", ("l14",),
                   (*_BASE, "geo_features", "quantile_model", "promise"),
                   (*_BASE_FLOWS, Flow("geo_features", "quantile_model", "zone, hour, weather"),
                    Flow("feature_store", "quantile_model", "trip features"),
                    Flow("quantile_model", "promise", "P50 / P90"),
                    Flow("promise", "event_log", "promised vs actual", loop=True),
                    Flow("retrain", "quantile_model", "new model", loop=True))),
    "clip": _system("clip", "Multimodal search", ("l15",),
                    ("event_log", "drift_monitor", "dual_encoder", "image_index", "text_encoder"),
                    (Flow("dual_encoder", "image_index", "image vectors"),
                     Flow("dual_encoder", "text_encoder", "text tower"),
                     Flow("text_encoder", "image_index", "query vector"),
                     Flow("image_index", "event_log", "results + clicks", loop=True),
                     Flow("event_log", "drift_monitor", "live queries"))),
}

# The framework's six prompts, in order, and the system each one asks for.
PROMPT_SYSTEMS: dict[str, str] = dict(zip(framework.PROMPTS, ("recsys", "rag", "ads", "fraud", "eta", "clip")))


def system_for(lesson_id: str) -> System:
    """The system a lesson's page draws (its own board)."""
    for system in SYSTEMS.values():
        if lesson_id in system.lessons:
            return system
    raise KeyError(f"no system is drawn on lesson {lesson_id!r}")


def lesson_index(lesson_id: str) -> int:
    """Position of a lesson in the course (``l00`` is 0, ``ir`` is last)."""
    return [item.id for item in course.LESSONS].index(lesson_id)
