"""Scenarios of lesson 8's page (Define the problem (RAG), app/lessons/08_rag_problem.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

VIEWS = ("1 · Requirements → design", "2 · Chunking on a real document",
         "3 · Just a vector DB vs the full pipeline", "4 · Chunk size for dense retrieval",
         "5 · Access control: filter before or after the ANN search")
"""The page's tabs (its ``view`` control): a preset opens the one that shows its effect."""

PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive: tiny fixed windows, vector DB only",
           "20-word windows cut sentences and separate every docstring from its heading: recall "
           "on the labelled set drops and the dense-only column misses the identifiers; every query "
           "goes to the vector DB, and the access filter runs after the ANN search.",
           {"strategy": "fixed", "size": 20, "overlap": 0, "route": False, "acl_mode": "post",
            "view": VIEWS[1]}),
    Preset("production", "Production: recursive chunks with overlap",
           "Structure-aware chunks of up to 160 words with 20 words of overlap keep headings with "
           "their text: compare the recall with the naive windows. Identifier-like queries go to BM25, "
           "and the access filter runs before the search (an exact scan of what the user may read).",
           {"strategy": "recursive", "size": 160, "overlap": 20, "route": True, "acl_mode": "pre",
            "view": VIEWS[1]}),
    Preset("budget_blowout", "Budget blow-out at 200 QPS",
           "At 200 queries/s generation dominates the monthly cost and the plan is far over budget: "
           "the component list now asks for a semantic cache.",
           {"qps": 200, "budget": 30000, "view": VIEWS[0]}),
    Preset("fresh_news", "News-fresh corpus (15-minute freshness)",
           "20 % of 10M documents change daily and must be searchable in 15 minutes: a nightly "
           "rebuild cannot keep up, incremental indexing and sharding appear.",
           {"n_docs": 10_000_000, "updates": 20, "fresh": 0.25, "view": VIEWS[0]}),
)
