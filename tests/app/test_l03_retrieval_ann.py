"""Lesson 3 page: what the learner sees at the defaults, for bad settings, presets and the
costly controls' extremes (small collections keep this under a minute once warm)."""

import time

import pytest

from components import ann_two_tower
from components import background as bg
from playground.recsys import two_tower as tt
from scenarios import l03

from .apptest import charts, figure, metric, open_page, texts, top_verdict

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)

TT = "Two-tower item vectors"


def _clean(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at) -> str:
    """Error texts without the Markdown escapes ``page.guard`` adds."""
    return " ".join(e.value for e in at.error).replace("\\", "")


def _f(value: str) -> float:
    return float(value.replace(",", "").split()[0])


@pytest.fixture(scope="module")
def default_page():
    return _clean(open_page("l03"))


def _shares(at) -> dict:
    """Per model: (coverage %, head share %) from the recall metrics' captions."""
    return {m.label.removeprefix("Recall@k, "): (float(m.delta.split()[1].rstrip("%")),
                                                float(m.delta.split(", ")[1].split("%")[0]))
            for m in at.metric if m.label.startswith("Recall@k,")}


def test_defaults_show_logq_beating_naive_and_popularity(default_page):
    at = default_page
    prod = _f(metric(at, "Recall@k, logQ (production)"))
    naive = _f(metric(at, "Recall@k, no logQ (naive)"))
    pop = _f(metric(at, "Recall@k, popularity baseline"))
    assert prod > naive + 0.08 and prod > pop and naive > 0.1  # logQ's gain, and no collapse of the naive model
    # coverage: the popularity baseline recommends only a sliver of the catalogue, the naive model most of it
    share = _shares(at)
    assert share["popularity baseline"][0] < 5 < share["logQ (production)"][0] < share["no logQ (naive)"][0]
    # popularity bias: users consume the 10 % most popular items ~35 % of the time; naive shows them < 10 %
    assert share["no logQ (naive)"][1] < 10 < share["logQ (production)"][1] < share["popularity baseline"][1]
    assert charts(at) >= 5  # bars, popularity profile, loss, Pareto, memory, sizing
    # the verdict at the top: the page opens serving the naive towers (red), against the logQ ones, and
    # where the naive top k falls; switching logQ on flips it
    where = (f"Without logQ, {share['no logQ (naive)'][1]:.0f}% of the top 10 comes from the 10 % most popular "
             f"items, which make {tt.heldout_head_share(tt.make_interactions(zipf=1.0, seed=0)):.0%} of the held-out "
             "interactions.")
    assert top_verdict(at) == ("error", f"The index serves the towers trained without logQ: recall@10 {naive:.3f} "
                               f"against {prod:.3f} with it. {where}")
    assert top_verdict(open_page("l03", {"logq": "true"})) == (
        "success", f"The index serves the towers trained with logQ: recall@10 {prod:.3f} against {naive:.3f} without "
                   f"it. {where}")


def test_a_two_line_chart_title_hangs_from_the_top_edge_with_room_for_both_lines(default_page):
    """Centred in a 50 px margin, the recall chart's first title line was drawn above the chart."""
    layout = figure(default_page, "Naive vs production on the same held-out")["layout"]
    assert layout["title"]["text"].count("<br>") == 1
    assert (layout["title"]["y"], layout["title"]["yanchor"], layout["title"]["yref"]) == (1, "top", "container")
    assert layout["margin"]["t"] >= 50 + 30


def test_defaults_show_a_content_tower_retrieving_new_items(default_page):
    at = default_page
    content = metric(at, "New item's median rank, content tower (ID + category)")
    id_only = metric(at, "New item's median rank, ID-only tower")
    assert 3 * _f(content) < _f(id_only), (content, id_only)
    assert "10 items launched after training" in texts(at)


def test_no_popularity_skew_removes_the_logq_gain_and_mixed_negatives_shift_the_naive_model(default_page):
    flat = _clean(open_page("l03", {"zipf": "0.0"}))
    gain = _f(metric(flat, "Recall@k, logQ (production)")) - _f(metric(flat, "Recall@k, no logQ (naive)"))
    assert abs(gain) < 0.05
    mixed = _clean(open_page("l03", {"negatives": "mixed"}))
    assert _shares(mixed)["no logQ (naive)"][1] > _shares(default_page)["no logQ (naive)"][1] + 3
    assert "with mixed negatives" in texts(mixed)


def test_defaults_show_an_ann_index_against_exact_search(default_page):
    at = default_page
    recall = _f(metric(at, "Recall@k vs exact"))
    assert 0.5 < recall < 0.99  # IVF with nprobe 8 of 128 cells misses some neighbours
    assert "× exact" in next(m.delta for m in at.metric if m.label == "QPS (batch)")
    assert "30,000 vectors × 64 dims" in texts(at)
    assert metric(at, "Fastest ANN at recall ≥ 0.95").endswith("× exact QPS")
    assert any("never reach the ranker" in w.value for w in at.warning)


def test_defaults_size_the_one_billion_item_store(default_page):
    at = default_page
    assert metric(at, "One replica") == "512 GB"  # 1e9 × 128 × 4 B
    assert metric(at, "Shards per replica") == "3" and metric(at, "Machines") == "6"
    assert any("ANN index is not optional" in e.value for e in at.error)


def test_nprobe_above_nlist_is_clamped_and_says_so():
    at = _clean(open_page("l03", {"nprobe": "256", "logq": "0"}))
    assert "nprobe" not in _errors(at)  # clamped, not refused
    assert any("nprobe 256" in c.value and "clamped to nprobe = nlist = 128" in c.value for c in at.caption)
    assert _f(metric(at, "Recall@k vs exact")) > 0.99  # every cell visited: an exhaustive scan
    assert at.get("plotly_chart")  # the sweep (its own nprobe values) is still shown
    assert any(c.value.startswith("Why: without logQ") for c in at.caption)


def test_pq_m_that_does_not_divide_d_is_refused():
    at = _clean(open_page("l03", {"kind": "IVF-PQ", "pq_m": "12"}))
    assert "PQ m (12) must divide the dimension d (64)" in _errors(at)
    assert any("Left out of the sweep" in w.value for w in at.warning)


def test_k_above_the_catalogue_is_refused():
    at = _clean(open_page("l03", {"source": TT, "k": "1000"}))
    errors = _errors(at)
    assert "k (1000) cannot exceed the collection size N (800)" in errors
    assert "k (1000) must be between 1 and the number of launched items (790)" in errors


def test_two_tower_vectors_with_extreme_hnsw_settings():
    at = _clean(open_page("l03", {"source": TT, "kind": "HNSW", "M": "64", "efc": "200",
                                  "ef_search": "1024", "nlist": "4096"}))
    assert "800 vectors × 32 dims" in texts(at)
    assert _f(metric(at, "Recall@k vs exact")) >= 0.99
    assert any("nlist (4096) cannot exceed N (800)" in w.value for w in at.warning)


def test_costly_extremes_small_collection_and_no_popularity_skew():
    at = _clean(open_page("l03", {"zipf": "0.0", "epochs": "1", "dim": "8", "n": "10000", "d": "128",
                                  "kind": "IVF-PQ", "pq_m": "64", "nbits": "4", "nlist": "16",
                                  "nprobe": "16"}))
    # with no popularity skew the popularity baseline is close to random (k / #items)
    assert _f(metric(at, "Recall@k, popularity baseline")) < 0.05
    assert "10,000 vectors × 128 dims" in texts(at)
    ratio = next(m.delta for m in at.metric if m.label == "Index memory")
    assert _f(ratio.replace("×", " ")) < 0.2  # 32-byte codes (m=64, 4 bits) vs 512-byte vectors


@pytest.mark.parametrize("preset,check", [
    ("production", lambda at: _f(metric(at, "Recall@k vs exact")) >= 0.95
     and metric(at, "One replica") == "16 GB" and metric(at, "Machines") == "3"),
    ("naive", lambda at: metric(at, "Recall@k vs exact") == "1.000"
     and metric(at, "One replica") == "512 GB" and metric(at, "Machines") == "3"),
    ("underprobed", lambda at: _f(metric(at, "Recall@k vs exact")) < 0.6),
    ("coarse_pq", lambda at: _f(metric(at, "Recall@k vs exact")) < 0.8),
])
def test_presets_show_their_scenario(preset, check):
    at = _clean(open_page("l03", {"preset": preset}))
    assert check(at), [(m.label, m.value) for m in at.metric]
    assert any(preset_label in i.value for i in at.info
               for preset_label in [p.label for p in l03.PRESETS if p.name == preset])


def test_sizing_calculator_extremes():
    at = _clean(open_page("l03", {"sz_n": "10000000000", "sz_d": "1024", "dtype": "fp16",
                                  "replicas": "10", "ram": "16"}))
    assert metric(at, "One replica") == "20.5 TB"  # 1e10 × 1024 × 2 B
    assert metric(at, "Shards per replica") == "1,829"  # ceil(2.048e13 / (0.7 × 16e9))
    assert metric(at, "Machines") == "18,290"
    bad = _clean(open_page("l03", {"sz_d": "32", "dtype": "PQ", "sz_m": "64"}))
    assert "PQ m (64) must divide the dimension d (32)" in _errors(bad)


def test_two_identical_runs_draw_identical_pareto_charts():
    """Timings are measured once per index setting and cached, so a projector showing the page twice
    shows the same curves (no order swaps from timing noise)."""
    drawn = []
    for _ in range(2):
        at = open_page("l03", {"view": "2 · ANN index"})
        assert not at.exception, [e.value for e in at.exception]
        drawn.append([c.proto.spec for c in at.get("plotly_chart") if "queries per second" in c.proto.spec])
    assert drawn[0] and drawn[0] == drawn[1]


def _wait_for_training(label: str, timeout: float = 300.0) -> None:
    """Until the background build labelled ``label`` (components/background.py) is done."""
    end = time.time() + timeout
    while time.time() < end and any(job.label == label and not job.done.is_set() for job in bg._JOBS.values()):
        time.sleep(0.1)


def test_the_untrained_towers_then_the_recall_numbers_show_while_later_models_train(monkeypatch):
    # a seed nothing else trains: both models train in the background, meanwhile the tab shows
    # the popularity baseline and the untrained towers, in metrics and a chart, and no trained number
    monkeypatch.setenv("PLAYGROUND_BACKGROUND_WAIT", "0")
    at = _clean(open_page("l03", {"seed": "4321"}))
    untrained = _f(metric(at, "Recall@k, untrained towers (random init)"))
    popularity = _f(metric(at, "Recall@k, popularity baseline"))
    assert untrained < 0.05 < popularity  # random towers: about k / 790 items
    assert top_verdict(at) == ("error", f"Untrained towers while both models train: recall@10 {untrained:.3f}, "
                               f"against {popularity:.3f} for recommending the most popular items.")
    assert not [m for m in at.metric if m.label in ("Recall@k, logQ (production)", "Recall@k, no logQ (naive)")]
    assert any("Before training: the random towers vs popularity" in c.proto.spec for c in at.get("plotly_chart"))
    assert any(ann_two_tower.TRAINING in p.proto.text for p in at.get("progress"))
    assert "Both models are training in the background" in texts(at)
    # the two recall models trained, the third (categories) tower is still training in the
    # background: the tab's headline numbers do not wait for it
    _wait_for_training(ann_two_tower.TRAINING)
    at = _clean(at.run())
    assert metric(at, "Recall@k, logQ (production)")
    assert not [m for m in at.metric if m.label.startswith("New item's median rank")]
    assert any("cold-start comparison" in p.proto.text for p in at.get("progress"))
    monkeypatch.setenv("PLAYGROUND_BACKGROUND_WAIT", "600")  # then it arrives (and no training
    at = _clean(at.run())  # thread outlives the test process)
    assert metric(at, "New item's median rank, ID-only tower")
