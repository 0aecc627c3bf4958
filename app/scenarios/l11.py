"""Scenarios of lesson 11's page (RAG evaluation, app/lessons/11_rag_evaluation.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("production", "Judge by faithfulness",
           "Hybrid retrieval, top 5 context, strict support thresholds: grounded answers pass, "
           "fluent answers from unrelated passages fail, and the two judges mostly agree.",
           {"method": "rrf", "k": 5, "emb_t": 0.7, "ovl_t": 0.8, "cut": 0.75, "naive": False}),
    Preset("naive", "Judge by fluency",
           "The naive judge reads how fluent an answer sounds: the unrelated and padded answers pass, "
           "and its kappa against the reference labels collapses.",
           {"method": "rrf", "k": 5, "emb_t": 0.7, "ovl_t": 0.8, "cut": 0.75, "naive": True}),
    Preset("loose_judge", "Lenient support threshold",
           "An embedding threshold of 0.3 counts loosely related sentences as support: unfaithful answers "
           "(swapped key words, unrelated passages) gain faithfulness and the judge agrees less with the reference.",
           {"method": "rrf", "k": 5, "emb_t": 0.3, "ovl_t": 0.8, "cut": 0.75, "naive": False}),
    Preset("bm25_k1", "BM25, one passage",
           "Context of a single BM25 passage: context recall drops, most on multi-hop queries whose answer "
           "spans several passages.",
           {"method": "bm25", "k": 1, "emb_t": 0.7, "ovl_t": 0.8, "cut": 0.75, "naive": False}),
)
