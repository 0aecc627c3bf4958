"""What the shipped labelled set shows for each method (asserted as measured, data not tuned).

Measured on the rebuilt corpus (4,129 passages within MiniLM's window, padding-free MaxSim;
nDCG@10, default parameters k1=1.2, b=0.75, search-engine analyser, RRF k=60, alpha=0.5, MaxSim
rerank of the weighted-fusion top 20): overall BM25 0.513, dense 0.566, RRF 0.560, weighted 0.590,
rerank 0.613; rare entities BM25 0.897 vs dense 0.800 (rerank 0.924 > weighted 0.911);
paraphrases BM25 0.000 vs dense 0.229 (rerank 0.172 > weighted 0.116). With the simple analyser
BM25 is 0.505 overall. Before the padding fix the reranker looked better on paraphrases (+0.14)
and worse on identifiers (-0.045); without padding it helps both, by less.
"""

import pytest

from playground.rag import corpus as rc
from playground.rag import index_store as ix
from playground.rag import retrieval_eval as rev
from playground.rag import retrievers as rv

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


@pytest.fixture(scope="module")
def summary():
    index = ix.get_index()
    queries = rc.load_queries()
    return {m: rev.summarise(rev.evaluate(index, queries, m)) for m in rv.METHODS}


def ndcg(summary, method, group="all"):
    return summary[method][group]["ndcg@10"]


def test_bm25_beats_dense_on_rare_entities(summary):
    assert ndcg(summary, "bm25", "rare_entity") > ndcg(summary, "dense", "rare_entity") + 0.03


def test_dense_beats_bm25_on_paraphrases(summary):
    assert ndcg(summary, "bm25", "paraphrase") == 0.0  # no shared word: BM25 cannot score the answer
    assert ndcg(summary, "dense", "paraphrase") > 0.15


def test_weighted_hybrid_beats_both_overall_but_rrf_does_not(summary):
    assert ndcg(summary, "weighted") > ndcg(summary, "dense") > ndcg(summary, "bm25")
    # RRF at k=60 gives BM25's empty-handed list on paraphrases the same vote as dense's:
    # on this set it lands between BM25 and dense overall, and below BM25 on identifiers
    assert ndcg(summary, "bm25") < ndcg(summary, "rrf") < ndcg(summary, "dense")
    for group in ("general", "multi_hop"):
        assert ndcg(summary, "rrf", group) > ndcg(summary, "bm25", group)
    assert ndcg(summary, "rrf", "rare_entity") < ndcg(summary, "bm25", "rare_entity")


def test_maxsim_rerank_helps_paraphrases_and_no_longer_hurts_identifiers(summary):
    assert ndcg(summary, "rerank") > ndcg(summary, "weighted") + 0.015
    assert ndcg(summary, "rerank", "paraphrase") > ndcg(summary, "weighted", "paraphrase") + 0.04
    # with the padding rows gone, MaxSim matches an identifier's own word pieces
    assert ndcg(summary, "rerank", "rare_entity") >= ndcg(summary, "weighted", "rare_entity")


def test_search_engine_analyser_helps_bm25_a_little(summary):
    index, queries = ix.get_index(), rc.load_queries()
    simple = rev.summarise(rev.evaluate(index, queries, "bm25", analyzer="simple"))
    assert summary["bm25"]["all"]["ndcg@10"] > simple["all"]["ndcg@10"]
    assert summary["bm25"]["general"]["ndcg@10"] > simple["general"]["ndcg@10"] + 0.02
    assert simple["paraphrase"]["ndcg@10"] == summary["bm25"]["paraphrase"]["ndcg@10"] == 0.0


def test_search_api_on_the_real_index():
    index = ix.get_index()
    hits = index.search("bm25", "dirs_exist_ok", k=3)
    assert hits[0].passage_id == "shutil.copytree#1"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    dense = index.search("dense", "hold off for a few moments before going on", k=10)
    assert len(dense) == 10 and all(-1.0 <= h.score <= 1.0001 for h in dense)
    with pytest.raises(ValueError, match="cannot exceed"):
        index.search("dense", "x", k=len(index) + 1)


@pytest.mark.slow
@pytest.mark.xdist_group("rag")  # after lessons 8-9's tests, in their worker: it reuses their token vectors
def test_learned_reranker_beats_the_hand_set_hybrids_on_held_out_queries():
    """Measured (gbdt, seed 0, 5 query folds): nDCG@10 learned 0.650, MaxSim rerank 0.613, alpha
    tuned on training folds 0.601 (0.6 in every fold), weighted 0.590; precision@5 0.235 vs 0.214;
    paraphrases 0.282 vs 0.116. Paired bootstrap of learned - weighted: +0.028 to +0.092."""
    import pandas as pd

    from playground.rag import ir_metrics as irm
    from playground.rag import ltr

    rows, alphas = ltr.compare(ix.get_index(), rc.load_queries(), "gbdt", seed=0)
    df = pd.DataFrame(rows)
    ndcg_of = df.groupby("method")["ndcg@10"].mean()
    assert ndcg_of["learned"] > ndcg_of["rerank"] > ndcg_of["tuned"] >= ndcg_of["weighted"]
    learned = df[df.method == "learned"].set_index("query_id")["ndcg@10"]
    weighted = df[df.method == "weighted"].set_index("query_id")["ndcg@10"].loc[learned.index]
    lo, _ = irm.paired_bootstrap_ci(learned.to_numpy(), weighted.to_numpy(), seed=0)
    assert lo > 0
    p5 = df.groupby("method")["precision@5"].mean()
    assert p5["learned"] > p5["weighted"]
    assert set(alphas.values()) <= set(ltr.ALPHAS)
