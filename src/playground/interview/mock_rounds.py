"""Two narrated 45-minute mock rounds (recsys and RAG), step by step along the 6-step framework."""

from __future__ import annotations

from dataclasses import dataclass

from playground.framework import STEPS


@dataclass(frozen=True)
class MockStep:
    """One step of a narrated round.

    Parameters
    ----------
    step : int
        Index into :data:`playground.framework.STEPS`.
    start_min : int
        Clock time (minutes from the start) at which the step is reached.
    candidate : tuple of str
        What the candidate says (the model answer).
    probes : tuple of str
        What the interviewer asks to push deeper.
    l4 : str
        Where an L4 answer stops at this step.
    l5 : str
        What an L5 answer adds.
    lessons : tuple of str
        Lesson ids of the sandboxes that demonstrate the step.
    """

    step: int
    start_min: int
    candidate: tuple[str, ...]
    probes: tuple[str, ...]
    l4: str
    l5: str
    lessons: tuple[str, ...]

    @property
    def name(self) -> str:
        return STEPS[self.step].name


@dataclass(frozen=True)
class MockRound:
    """A whole round: the prompt and its six steps."""

    key: str
    title: str
    prompt: str
    steps: tuple[MockStep, ...]


RECSYS = MockRound("recsys", "Design a YouTube-style video recommender",
    "Design the home-feed recommender for a video platform with 500M daily users and 800M videos.", (
    MockStep(0, 0, (
        "Goal: grow long-term satisfied watch time, measured as 7-day retention and survey satisfaction; "
        "not clicks.",
        "Scale: 500M DAU, ~800M videos, ~100k feed requests/s at peak; p99 budget 200 ms server side.",
        "Constraints: fresh uploads must be recommendable within an hour; cold-start users; no "
        "sensitive attributes as features.",
    ), ("Why not just optimise CTR?", "What's out of scope?"),
        "Restates the prompt and jumps to 'a deep model'.",
        "Names the north star, the latency budget and the scale numbers that drive every later choice.",
        ("l00", "l01")),
    MockStep(1, 5, (
        "ML framing: a multi-stage system — retrieval of ~1,000 candidates, then a ranker scoring "
        "P(click), E[watch time], P(like), P(dislike/survey-bad).",
        "Final score = weighted sum of the heads; weights tuned by online experiments on retention.",
        "Offline: recall@k for retrieval, log loss/AUC and calibration for each ranking head; online: "
        "watch time per user, 7-day retention, guardrails on dislikes and survey satisfaction.",
    ), ("How do you pick the weights?", "What happens if watch time goes up and satisfaction down?"),
        "Picks one objective (CTR or watch time) and one offline metric.",
        "Separates business metric, online proxy and training objectives; names clickbait as the failure "
        "and the guardrail that catches it.",
        ("l01", "l06")),
    MockStep(2, 11, (
        "Labels from impression logs joined to watch events with a 24 h attribution window; label delay "
        "handled by waiting before training.",
        "Features: user history (last 50 watches, embeddings), video (topic, age, uploader stats), context "
        "(device, hour), cross (user–topic affinity), all logged at serving time and joined as-of.",
        "Negatives for the ranker: impressions not clicked; position as a training feature, fixed at "
        "serving, to remove position bias.",
    ), ("How do you avoid leakage?", "Where do the features come from online?"),
        "Lists features without saying when each value was known.",
        "Point-in-time joins from a feature log, one feature definition for training and serving, "
        "position-bias correction.",
        ("l02",)),
    MockStep(3, 19, (
        "Retrieval: a two-tower model (user tower, video tower) trained with in-batch sampled softmax and "
        "logQ correction; video embeddings indexed in an ANN index; plus a few heuristic sources (subscriptions, "
        "trending).",
        "Ranking: a multi-task DNN with one head per objective, calibrated on held-out data.",
        "Baseline first: popularity by region + logistic regression ranker.",
    ), ("Why logQ?", "HNSW or IVF-PQ at 800M items?", "How big is the embedding store?"),
        "Names a two-tower and a DNN without training objective, index choice or sizing.",
        "Justifies the index by recall/latency/memory (800M × 128 × fp16 ≈ 205 GB: IVF-PQ or sharded HNSW), "
        "corrects in-batch popularity bias, calibrates the heads.",
        ("l03", "l04")),
    MockStep(4, 29, (
        "Request path: candidate generation 30 ms, feature fetch 20 ms, ranking 60 ms for 1,000 candidates "
        "batched, re-rank/business rules 10 ms: budget at p99, not mean.",
        "Fan-out to 50 index shards: the slowest shard sets the latency, so hedge after p95 and time out "
        "with a fallback to cached candidates.",
        "Capacity: plan replicas at ~60 % utilisation from QPS × service time.",
    ), ("What's your p99 with 50 shards?", "What happens when the feature store is slow?"),
        "Adds up average latencies per component.",
        "Budgets the tail per stage, explains fan-out amplification, hedging, timeouts and queueing.",
        ("l05",)),
    MockStep(5, 38, (
        "Offline: replay on the last day; then an A/B test sized for a 0.5 % relative change in watch "
        "time per user (power 80 %), two full weeks to cover weekly cycles.",
        "Watch lift over time and by new vs returning users for novelty; SRM check; CUPED with pre-period "
        "watch time.",
        "Monitoring: feature PSI, prediction distribution, calibration per head, business metric; "
        "drift-triggered retraining on top of a daily incremental refresh.",
    ), ("Day 3 shows +4 %, ship it?", "How do you know the model is rotting?"),
        "'Run an A/B test' with no size, duration or novelty check; monitoring is an afterthought.",
        "Sample size and duration from numbers, novelty and SRM checks, drift detectors tied to a "
        "retraining policy.",
        ("l06", "l07")),
))

RAG = MockRound("rag", "Design a production RAG search system",
    "Design question answering over a company's 5M internal documents for 20k employees.", (
    MockStep(0, 0, (
        "Goal: employees get correct, cited answers; a wrong confident answer is worse than 'I don't know'.",
        "Scale: 5M documents → ~50M chunks; 1% change daily; 50 QPS peak; 3 s p95 to first token; "
        "permissions per document.",
        "Constraints: answers must cite sources; access control at retrieval time; cost budget per query.",
    ), ("Isn't this just a vector DB?",),
        "Proposes 'embed everything into a vector DB and call an LLM'.",
        "Turns the prompt into requirements (size, freshness, QPS, latency, cost, ACLs) and names the "
        "components they imply.",
        ("l08",)),
    MockStep(1, 5, (
        "Framing: retrieval (recall of the right passages) + generation (faithful, relevant answer).",
        "Metrics: context recall/precision and nDCG@10 on a labelled query set; faithfulness and answer "
        "relevance; online: answer acceptance, escalations, refusal rate.",
    ), ("How do you get labels?",),
        "Measures answer quality by reading a few answers.",
        "Per-stage metrics on a labelled set, with query types (exact identifiers, paraphrases, multi-hop).",
        ("l11", "l09")),
    MockStep(2, 11, (
        "Ingestion: parse, clean, chunk by structure (headings, paragraphs) at ~300 tokens with overlap; "
        "chunk size chosen by measured recall.",
        "Incremental re-embedding of changed documents; ACL metadata stored with each chunk.",
    ), ("What chunk size?", "How fresh is the index?"),
        "Fixed 1,000-token chunks, nightly full rebuild.",
        "Chunking tuned on labelled recall; incremental indexing sized from the daily change rate.",
        ("l08",)),
    MockStep(3, 19, (
        "Hybrid retrieval: BM25 for identifiers and error codes, dense embeddings for paraphrases, fused "
        "by reciprocal rank fusion; top-50 reranked by a cross-encoder to top-8.",
        "Generation: an instruction-tuned LLM with the top chunks and citation markup; refuse when the "
        "reranker's best score is below a threshold.",
    ), ("Why not dense only?", "What does the reranker cost?"),
        "Dense retrieval only; the LLM answers whatever it gets.",
        "Explains where each retriever fails, fuses them, reranks a bounded top-N, grounds and refuses.",
        ("l09", "l10")),
    MockStep(4, 29, (
        "Serving: a 7–8B model in fp16 on one 80 GB GPU leaves ~60 GB for KV cache; at 4k tokens that is "
        "~30 concurrent sequences with MHA or ~120 with GQA; decode is bandwidth-bound, so batch.",
        "Prompt budget: 8k context minus system prompt and answer budget fits ~15 chunks of 400 tokens.",
        "Semantic cache on paraphrases with a strict threshold to avoid wrong answers.",
    ), ("How many GPUs for 50 QPS?", "What's your cost per 1k queries?"),
        "Picks a model without sizing memory, latency or cost.",
        "Sizes weights + KV cache, prefill vs decode, tokens/s and cost per request; caches safely.",
        ("l10",)),
    MockStep(5, 38, (
        "Offline gate: faithfulness and context recall on the labelled set before each release; an LLM "
        "judge validated against human labels (Cohen's kappa).",
        "Online: A/B on acceptance and escalation; monitor retrieval score drift, refusal rate, corpus "
        "freshness lag.",
    ), ("How do you trust the judge?",),
        "Trusts a judge's scores unchecked; monitors only latency.",
        "Judge agreement measured, faithfulness-gated releases, drift on retrieval and refusals.",
        ("l11", "l07")),
))

ROUNDS: dict[str, MockRound] = {RECSYS.key: RECSYS, RAG.key: RAG}

PLAYBOOK: tuple[str, ...] = (
    "Before: rehearse both flagship rounds against a 45-minute clock at least twice.",
    "Minute 0: restate the prompt, ask about goal, scale and latency; write the numbers down.",
    "Announce the six steps and their budgets; ask the interviewer where they want depth.",
    "Every design choice comes with the trade-off it makes and the number that justifies it.",
    "Draw the request path early: retrieval → ranking → re-rank, with a latency per stage.",
    "At minute 30 you must be in serving; at minute 38 in evaluation and monitoring.",
    "When you don't know, say what you would measure to find out.",
    "Close with what you would build first, how you would launch it, and what would make you roll back.",
)
