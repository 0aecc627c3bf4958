"""The course as data: lessons, parts, and what the interviewer grades at each layer.

This module is the single source for every lesson page's header ("what breaks without it"),
its "What the interviewer grades" panel (L4 ceiling vs L5 signal) and the consolidated cheat
sheet. Pages are registered in the app only when their page file exists, so the registry below
can describe the whole course while the app shows only pages that really work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PARTS: tuple[str, ...] = (
    "Framework",
    "Part 1 · Recommender",
    "Part 2 · RAG",
    "Part 3 · Case studies",
    "Interview readiness",
)


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course and the sandbox page that teaches it.

    Parameters
    ----------
    id : str
        Stable identifier ("l00" ... "l15", "ir").
    number : int or None
        Lesson number in the course table, None for the closing part.
    part : str
        One of :data:`PARTS`.
    title : str
        Page title.
    adds : str
        What the lesson adds to the system (course table, "What you add").
    breaks : str
        What breaks without it (course table).
    problem : str
        One-line problem statement shown at the top of the page.
    slug : str
        Page file stem under ``app/lessons`` (not ``pages/``: Streamlit would run that folder as a second, file-named navigation on a deep link) (``NN_name``).
    l4 : tuple of str
        Where an L4 (mid-level) answer stops at this layer.
    l5 : tuple of str
        What an L5 (senior) answer adds: the promote signals.
    """

    id: str
    number: int | None
    part: str
    title: str
    adds: str
    breaks: str
    problem: str
    slug: str
    l4: tuple[str, ...]
    l5: tuple[str, ...]

    @property
    def page_file(self) -> str:
        """Path of the page relative to ``app/``."""
        return f"lessons/{self.slug}.py"

    @property
    def label(self) -> str:
        """Navigation label, e.g. ``"3 · Retrieval: two-tower + ANN"``."""
        return self.title if self.number is None else f"{self.number} · {self.title}"


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "l00", 0, PARTS[0], "The 6-step framework", "The 6-step framework",
        "You wing it and lose the round",
        "45 minutes, a blank whiteboard and an open prompt: without a plan you spend 20 minutes on "
        "one box and never reach serving or monitoring.",
        "00_framework",
        l4=("Jumps to a model architecture in the first five minutes.",
            "Covers the steps the interviewer asks about, in the order asked.",
            "Runs out of time before serving, evaluation or monitoring."),
        l5=("Clarifies the business goal and constraints before naming a model.",
            "Announces the plan and a time budget, and keeps to it.",
            "Drives the conversation: states trade-offs and asks which one to go deep on."),
    ),
    Lesson(
        "l01", 1, PARTS[1], "Define the problem", "Define the problem",
        "You optimise the wrong metric",
        "A feed ranked by the metric that is easiest to log (clicks) drifts away from the metric "
        "the business lives on (satisfied users who come back).",
        "01_define_problem",
        l4=("Picks CTR as the objective because it is easy to measure.",
            "Names offline metrics but not the business metric they stand in for."),
        l5=("Separates the business metric, the online proxy and the training objective.",
            "Names the proxy's failure mode (clickbait) and a guardrail against it.",
            "Proposes a weighted multi-objective and says how the weights are tuned (A/B on the north star)."),
    ),
    Lesson(
        "l02", 2, PARTS[1], "Data pipeline", "Data pipeline",
        "Your model trains on lies",
        "Training data is assembled from logs after the fact; any feature that peeks at the future, "
        "or is computed differently online, makes offline metrics lie.",
        "02_data_pipeline",
        l4=("Describes features and labels but not when each value was known.",
            "Uses random negatives without saying what they teach the model."),
        l5=("Builds training rows with point-in-time (as-of) joins from a feature log.",
            "Shares one feature definition between training and serving to kill train/serve skew.",
            "Corrects position bias and chooses negatives (impressed, not clicked) deliberately."),
    ),
    Lesson(
        "l03", 3, PARTS[1], "Retrieval: two-tower + ANN", "Retrieval (two-tower + ANN)",
        "You can't serve at 1B scale",
        "Scoring every item for every request is impossible at a billion items: candidates must come "
        "from an approximate nearest-neighbour search over learned embeddings in milliseconds.",
        "03_retrieval_ann",
        l4=("Says 'use a two-tower model and FAISS' without the training objective or the index choice.",
            "Cannot size the embedding store."),
        l5=("Trains with in-batch negatives and corrects their popularity bias (logQ).",
            "Chooses the index by the recall/latency/memory trade-off (HNSW vs IVF-PQ) with numbers.",
            "Sizes the store: N × d × bytes × replicas, and shards it."),
    ),
    Lesson(
        "l04", 4, PARTS[1], "Ranking with calibration", "Ranking (with calibration)",
        "A/B test results stop making sense",
        "A ranker whose scores are not probabilities mis-prices every downstream decision "
        "(bids, thresholds, blending), and negative downsampling silently inflates them.",
        "04_ranking_calibration",
        l4=("Reports AUC only; treats scores as probabilities.",
            "Downsamples negatives without correcting the predicted rate."),
        l5=("Measures calibration (reliability diagram, ECE, log loss) next to ranking quality.",
            "Re-calibrates on held-out data (Platt, isotonic, temperature) and corrects downsampling.",
            "Explains which downstream consumer needs calibrated probabilities and why."),
    ),
    Lesson(
        "l05", 5, PARTS[1], "Online serving", "Online serving",
        "You blow the latency budget",
        "Each request fans out to many services; the slowest of them sets the latency, so p99 at "
        "scale is far worse than any single component's p99.",
        "05_online_serving",
        l4=("Gives an average latency per component and adds them up.",
            "Scales by adding replicas without a utilisation target."),
        l5=("Budgets p99 per stage and explains tail amplification under fan-out.",
            "Uses caching, hedged requests, timeouts with fallbacks and batching, with their costs.",
            "Sizes replicas from QPS and a utilisation target (queueing)."),
    ),
    Lesson(
        "l06", 6, PARTS[1], "Evaluation and A/B testing", "Evaluation and A/B testing",
        "You ship novelty effects as wins",
        "Offline gains do not transfer automatically, and an online test read on day 3, or read "
        "every day, reports effects that are not there.",
        "06_ab_testing",
        l4=("Says 'run an A/B test' without sample size, duration or a guardrail.",
            "Reads the result when it first looks significant."),
        l5=("Computes sample size and duration from baseline, MDE, alpha and power.",
            "Watches for novelty/primacy effects and segments new vs returning users.",
            "Uses CUPED, sequential tests and SRM checks."),
    ),
    Lesson(
        "l07", 7, PARTS[1], "Monitoring and retraining", "Monitoring and retraining",
        "Your model rots in production",
        "The world the model was trained on moves; without drift detection and a retraining policy "
        "quality decays silently until a business metric falls.",
        "07_monitoring_drift",
        l4=("Monitors service health but not the data or the predictions.",
            "Retrains 'periodically' with no trigger or cost."),
        l5=("Distinguishes covariate, prior and concept drift and what each detector can see.",
            "Sets alert thresholds from false-alarm cost and detection delay.",
            "Chooses a retraining policy by quality recovered per retrain, with label delay in mind."),
    ),
    Lesson(
        "l08", 8, PARTS[2], "Define the problem (RAG)", "Define the problem (RAG)",
        "You confuse \"use a vector DB\" with a real RAG system",
        "A RAG system is a retrieval system with a generator at the end: corpus size, freshness, QPS "
        "and the budgets decide the components, and chunking decides what can be found.",
        "08_rag_problem",
        l4=("Embeds the documents into a vector DB and calls it done.",
            "Chunks at a fixed size without checking retrieval."),
        l5=("Derives index size, embedding cost and re-index time from the requirements.",
            "Chooses chunking by measured retrieval recall on labelled queries.",
            "Names the full pipeline: query understanding, hybrid retrieval, rerank, grounded generation, eval."),
    ),
    Lesson(
        "l09", 9, PARTS[2], "Retrieval and reranking", "Retrieval and reranking",
        "Pure dense retrieval misses rare entities; no reranker means precision dies",
        "Dense embeddings blur exact identifiers and BM25 misses paraphrases: production retrieval "
        "fuses both and reranks the top of the list.",
        "09_rag_retrieval",
        l4=("Uses dense retrieval only.", "Measures nothing per query type."),
        l5=("Combines BM25 and dense (RRF or score fusion) and says why.",
            "Adds a reranker on the fused top-N and budgets its latency.",
            "Evaluates recall@k, MRR and nDCG per query type on labelled queries."),
    ),
    Lesson(
        "l10", 10, PARTS[2], "Generation and LLM serving", "Generation and LLM serving",
        "Hallucinations ship; cost runs away; latency tanks",
        "The generator dominates cost and latency: KV-cache memory caps concurrency, decode is "
        "memory-bound, and an ungrounded answer is worse than none.",
        "10_llm_serving",
        l4=("Picks a model without sizing memory, latency or cost.",
            "Lets the model answer even when retrieval found nothing."),
        l5=("Sizes weights and KV cache, prefill vs decode, tokens/s and cost per request.",
            "Budgets the prompt and uses a semantic cache with a safe threshold.",
            "Grounds answers with citations and refuses below an evidence threshold."),
    ),
    Lesson(
        "l11", 11, PARTS[2], "RAG evaluation", "RAG evaluation",
        "You can't tell if the system is faithful or just fluent",
        "A fluent answer can be unsupported by its context; RAG quality is measured per stage: "
        "context precision/recall for retrieval, faithfulness and relevance for generation.",
        "11_rag_evaluation",
        l4=("Evaluates answers by reading a few of them.", "Trusts an LLM judge without checking it."),
        l5=("Splits evaluation into retrieval (context precision/recall) and generation (faithfulness, relevance).",
            "Builds a labelled set and measures judge agreement (Cohen's kappa) with humans.",
            "Gates releases on faithfulness, not fluency."),
    ),
    Lesson(
        "l12", 12, PARTS[3], "Ad CTR prediction", "The wrinkle: auction mechanics; calibration is mandatory; counterfactual logging",
        "A pCTR mis-calibrated on some advertisers mis-ranks ads and mis-prices clicks: revenue and "
        "advertiser value fall, and without logged propensities no new policy can be judged offline.",
        "Ads are ranked by bid × pCTR and priced by the next ad: a mis-calibrated pCTR mis-allocates "
        "slots and mis-prices clicks, and new policies can only be evaluated from logged propensities.",
        "12_ad_ctr",
        l4=("Treats ad CTR as ordinary classification.", "Evaluates a new policy by replaying logs naively."),
        l5=("Ranks by eCPM and explains GSP / second-price pricing.",
            "Shows why calibration matters for revenue and advertiser ROI.",
            "Logs propensities and estimates policies with IPS/SNIPS, knowing their variance."),
    ),
    Lesson(
        "l13", 13, PARTS[3], "Real-time fraud detection", "The wrinkle: class imbalance + adversarial drift; streaming features; asymmetric cost",
        "At 0.1 % fraud a model that flags nothing is 99.9 % accurate, a 0.5 threshold ignores what "
        "each mistake costs, and fraudsters adapt until last month's model waves them through.",
        "Fraud is rare, adversarial and expensive in both directions: accuracy and ROC flatter the "
        "model, and the threshold must come from the cost of each mistake.",
        "13_fraud",
        l4=("Reports accuracy or ROC-AUC at 0.1 % fraud.", "Uses a 0.5 threshold."),
        l5=("Uses PR curves and picks the threshold by expected cost.",
            "Computes velocity features over event-time windows without leaking the future.",
            "Plans for adversarial drift and label delay in retraining."),
    ),
    Lesson(
        "l14", 14, PARTS[3], "ETA prediction", "The wrinkle: spatial-temporal features; pinball loss; quantile outputs (P50 / P90)",
        "A mean ETA used as the promise is late on about 2 in 5 trips, and a model blind to zone, "
        "hour and weather is wrong exactly where and when trips are slow.",
        "A promise time is a quantile, not a mean: a model trained on squared error predicts the "
        "average trip and breaks the promise on every slow one.",
        "14_eta",
        l4=("Trains a regression on MSE and reports RMSE.", "Gives one number per trip."),
        l5=("Predicts P50 and P90 with pinball loss and checks coverage.",
            "Builds spatial (zone) and temporal (hour, rush, weather) features.",
            "Ties the quantile to the product promise and its late-arrival rate."),
    ),
    Lesson(
        "l15", 15, PARTS[3], "Multimodal search (CLIP-style)",
        "The wrinkle: contrastive joint training (InfoNCE); cross-modal eval; modality alignment",
        "Searching captions misses whatever the caption left out, and image and text vectors that "
        "were never trained together rank images no better than chance.",
        "Text and images live in different spaces; a dual encoder trained with a symmetric "
        "contrastive loss aligns them so a free-text query can find an image.",
        "15_multimodal_clip",
        l4=("Captions every image and searches the captions.", "Evaluates one direction only."),
        l5=("Trains a dual encoder with symmetric InfoNCE and explains temperature and batch size.",
            "Evaluates recall@k in both directions on held-out pairs.",
            "Knows the modality gap and what it means for mixed-modality indexes."),
    ),
    Lesson(
        "ir", None, PARTS[4], "Interview readiness", "Interview readiness",
        "Rehearsal is what turns knowledge into a 45-minute performance",
        "Two narrated mock rounds, a final quiz, the cheat sheet and the day-of playbook.",
        "16_interview_readiness",
        l4=("Knows the pieces but has never run the whole round against a clock.",),
        l5=("Has rehearsed both flagship rounds end to end and can adapt them to a new prompt.",),
    ),
    Lesson(
        "drill", None, PARTS[4], "Blank-whiteboard drill", "The whole system, from a blank board",
        "You know every layer and still cannot draw the system in 45 minutes",
        "The round starts from an empty board: pick a prompt, draw the components on the side "
        "where they run, connect them, and see what your design would break.",
        "17_whiteboard_drill",
        l4=("Draws the model boxes and an index, but no data pipeline, evaluation or monitoring.",
            "Cannot say which side (online or offline) a component runs on."),
        l5=("Draws the whole loop: logging, features, training, serving, evaluation and retraining.",
            "Places every component on the side where it runs and connects what flows between them.",
            "Names what breaks without each box, with a number."),
    ),
)

_BY_ID = {lesson.id: lesson for lesson in LESSONS}


def lesson(lesson_id: str) -> Lesson:
    """Return the lesson with id ``lesson_id`` (raises ``KeyError`` if unknown)."""
    return _BY_ID[lesson_id]


def lesson_by_slug(slug: str) -> Lesson:
    """Return the lesson whose page file stem is ``slug``."""
    for item in LESSONS:
        if item.slug == slug:
            return item
    raise KeyError(slug)


def built_lessons(app_dir: Path) -> list[Lesson]:
    """Lessons whose page file exists under ``app_dir`` (the registered pages)."""
    return [item for item in LESSONS if (app_dir / item.page_file).is_file()]
