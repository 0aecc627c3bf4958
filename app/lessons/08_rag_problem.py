"""Lesson 8: define the RAG problem — requirements to components, chunking (BM25 and dense), "just a
vector DB" vs the full pipeline on the same failing queries, and access control around the ANN search.
Each tab's layout lives in its own ``components.rag_*`` module."""

from components import (rag_access, rag_chunk_size, rag_chunking, rag_requirements, rag_routing,
                        rag_vector_db)
from components.page import LessonPage
from components.rag_index import load_index
from scenarios.l08 import PRESETS, VIEWS

page = LessonPage("l08", presets=PRESETS)
seed = page.seed()
tabs = page.tabs("view", VIEWS)
with tabs[0]:
    req, sizing = rag_requirements.show(page)
with tabs[1]:
    rag_chunking.show(page)
with tabs[2]:
    index = load_index()
    rag_vector_db.show(page, index, seed)
    rag_routing.show(page, index)
with tabs[3]:
    rag_chunk_size.show(page)
with tabs[4]:
    rag_access.show(page, index, seed)

if sizing is not None:
    page.math(rag_requirements.formulas(req, sizing) + [
        r"\text{recall@k} = \frac{1}{|Q|}\sum_q \frac{|\{p \in R_q : \text{some top-}k\text{ chunk covers } p\}|}{|R_q|}",
    ], notes="N documents of T tokens cut into n_d chunks of c tokens with overlap o (every chunk but "
             "the last is full, so a document holds T + (n_d − 1)o chunk tokens; a document shorter "
             "than c is one chunk of T tokens); d dims of b bytes; "
             "w workers embedding r chunks/s; k chunks of min(c, T) tokens plus a 200-token system prompt and "
             "a answer tokens per query at p $/token.")
page.board({"ingest": ["Chunks", "Full re-index"], "embed_job": ["Embedding the corpus once", "Index RAM (vectors + text)"],
            "ingest>embed_job": ["Monthly cost"]})
page.finish()
