import numpy as np
import pytest
import torch

from playground.recsys import two_tower as tt


@pytest.fixture(scope="module")
def data():
    return tt.make_interactions(n_users=600, n_items=300, per_user=20, seed=5)


@pytest.fixture(scope="module")
def models(data):
    return {lq: tt.train(data, dim=16, logq=lq, epochs=8, batch_size=512, seed=5) for lq in (False, True)}


def test_interactions_split_and_popularity_skew(data):
    assert len(data.train_users) + len(data.test_users) + len(data.new_users) == 600 * 20
    assert len(data.new_items) == 10 and np.isin(data.new_targets, data.new_items).all()
    seen = np.concatenate([data.train_items, data.test_items])
    assert not np.isin(seen, data.new_items).any()  # nothing about a new item is in train or test
    assert data.n_categories() == 20 and data.category.shape == (300,)
    train = set(zip(data.train_users.tolist(), data.train_items.tolist()))
    test = set(zip(data.test_users.tolist(), data.test_items.tolist()))
    assert not train & test and len(train) == len(data.train_users)  # distinct items per user
    counts = np.sort(data.train_counts())[::-1]
    assert counts[:30].sum() > 0.2 * counts.sum()  # top 10 % of items take twice their uniform share
    again = tt.make_interactions(n_users=600, n_items=300, per_user=20, seed=5)
    np.testing.assert_array_equal(again.train_items, data.train_items)


def test_in_batch_loss_matches_a_hand_computed_softmax():
    u = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    ids = torch.tensor([0, 1, 2])
    log_q = torch.log(torch.tensor([0.5, 0.2, 0.3]))
    tau = 0.5
    loss = tt.in_batch_loss(u, v, ids, log_q, tau)
    s = (u.numpy() @ v.numpy().T) / tau - np.log([0.5, 0.2, 0.3])[None, :]
    ref = np.mean([np.log(np.exp(s[i]).sum()) - s[i, i] for i in range(3)])
    assert float(loss) == pytest.approx(ref, rel=1e-5)
    # a duplicate of row 0's item in column 2 is masked, not treated as a negative
    dup = tt.in_batch_loss(u, v, torch.tensor([0, 1, 0]), None, tau)
    s0 = (u.numpy() @ v.numpy().T) / tau
    rows = [np.log(np.exp(s0[0, [0, 1]]).sum()) - s0[0, 0], np.log(np.exp(s0[1]).sum()) - s0[1, 1],
            np.log(np.exp(s0[2, [1, 2]]).sum()) - s0[2, 2]]
    assert float(dup) == pytest.approx(np.mean(rows), rel=1e-5)


def test_top_k_excludes_seen_items_and_recall_by_hand():
    data = tt.Interactions(2, 5, np.array([0, 1]), np.array([4, 0]), np.array([0, 0, 1]),
                           np.array([1, 2, 3]), np.full(5, 0.2))
    scores = np.array([[0.1, 0.5, 0.2, 0.0, 9.0], [9.0, 0.0, 0.0, 1.0, 0.3]])
    rec = tt.top_k(scores, data, np.array([0, 1]), 2)
    assert rec.tolist() == [[1, 2], [3, 4]]  # user 0 has seen 4, user 1 has seen 0
    assert tt.recall_at_k(rec, data, np.array([0, 1]), 2) == 1.0
    assert tt.recall_at_k(tt.top_k(scores, data, np.array([0, 1]), 1), data, np.array([0, 1]), 1) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="k"):
        tt.top_k(scores, data, np.array([0, 1]), 6)
    # coverage: items 1, 2, 3, 4 appear in someone's top 2, item 0 in nobody's: 4 of 5
    ev = tt.evaluate(scores, data, np.array([0, 1]), 2)
    assert ev.coverage == pytest.approx(0.8) and ev.recall == 1.0
    assert ev.head_share == 0.0  # the head (10 % of 5 items = item 0, most trained) is never shown


def test_sampling_log_q_by_hand():
    counts = np.array([3, 1, 0, 4])  # 8 interactions, item 2 never seen
    np.testing.assert_allclose(tt.sampling_log_q(counts, 2, 0)[[0, 1, 3]], np.log([3 / 8, 1 / 8, 4 / 8]))
    # 2 in-batch columns (p_j) and 2 uniform columns over the 3 items with interactions
    mixed = tt.sampling_log_q(counts, 2, 2)
    np.testing.assert_allclose(np.exp(mixed[[0, 1, 3]]),
                               [(2 * 3 / 8 + 2 / 3) / 4, (2 * 1 / 8 + 2 / 3) / 4, (2 * 4 / 8 + 2 / 3) / 4])
    assert mixed[2] == -np.inf and np.exp(mixed).sum() == pytest.approx(1.0)


def test_mixed_negatives_loss_matches_a_hand_computed_softmax():
    u = torch.tensor([[1.0, 0.0], [0.6, 0.8]])
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    extra = torch.tensor([[0.8, 0.6], [0.0, 1.0]])  # a random item 7 and a second copy of item 1
    log_q = np.log([0.4, 0.1]), np.log([0.05, 0.1])
    loss = tt.in_batch_loss(u, v, torch.tensor([0, 1]), torch.tensor(log_q[0], dtype=torch.float32), 0.5,
                            extra, torch.tensor([7, 1]), torch.tensor(log_q[1], dtype=torch.float32))
    s = np.concatenate([u.numpy() @ v.numpy().T, u.numpy() @ extra.numpy().T], axis=1) / 0.5
    s -= np.concatenate(log_q)[None, :]
    rows = [np.log(np.exp(s[0]).sum()) - s[0, 0],
            np.log(np.exp(s[1, [0, 1, 2]]).sum()) - s[1, 1]]  # row 1's positive drawn again: masked
    assert float(loss) == pytest.approx(np.mean(rows), rel=1e-5)


def test_new_item_ranks_and_coverage_by_hand():
    # 3 users, 5 items; item 4 is new. User 0 saw item 0, user 2 saw item 3.
    data = tt.Interactions(3, 5, np.array([0, 2]), np.array([0, 3]), np.array([1]), np.array([3]),
                           np.full(5, 0.2), np.array([0, 0, 1, 1, 1]), np.array([4]),
                           np.array([0, 2]), np.array([4, 4]))
    users = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    items = np.array([[1.0, 0.0], [0.9, 0.1], [0.5, 0.5], [0.0, 1.0], [0.6, 0.4]], dtype=np.float32)
    result = tt.TrainResult(users, items, [], True)
    # user 0: unseen scores 0.9 (1), 0.5 (2), 0.0 (3), 0.6 (new 4): rank 2 (item 0 is seen)
    # user 2: unseen 0.0 (0), 0.1 (1), 0.5 (2), 0.4 (new 4): rank 2 (item 3 is seen)
    assert tt.new_item_ranks(result, data).tolist() == [2, 2]
    assert tt.cold_start(result, data, 1) == tt.ColdStart(2.0, 0.0, 4)  # each user saw 1 of 5 items
    assert tt.cold_start(result, data, 2).hit_rate == 1.0
    ev = tt.evaluate(tt.model_scores(result, np.arange(3)), data, np.arange(3), 1)
    # top-1 over warm unseen items: user 0 → 1, user 1 → 3, user 2 → 2; the new item is never shown
    assert ev.coverage == pytest.approx(3 / 4) and ev.recall == 1.0
    with pytest.raises(ValueError, match="number of launched items \\(4\\)"):
        tt.top_k(np.zeros((1, 5)), data, np.array([0]), 5)


def test_cold_start_content_tower_places_new_items_by_features_only(data, models):
    content = tt.train(data, dim=16, logq=True, epochs=8, batch_size=512, features=True, seed=5)
    new, cat = data.new_items, data.category[data.new_items]
    # an ID-only tower has one vector for every new item; the content tower one per category
    assert np.allclose(models[True].item_vectors[new], models[True].item_vectors[new[0]], atol=1e-6)
    same = cat[:, None] == cat[None, :]
    dist = np.linalg.norm(content.item_vectors[new][:, None] - content.item_vectors[new][None], axis=2)
    assert np.all(dist[same] < 1e-5) and np.all(dist[~same] > 1e-3)
    ranks = {"content": tt.new_item_ranks(content, data), "id": tt.new_item_ranks(models[True], data)}
    assert np.median(ranks["content"]) * 3 < np.median(ranks["id"])


def test_mixed_negatives_reduce_the_naive_popularity_bias(data, models):
    users = tt.eval_users(data)
    mixed = tt.train(data, dim=16, logq=False, epochs=8, batch_size=512, random_negatives=512, seed=5)
    naive = tt.evaluate(tt.model_scores(models[False], users), data, users, 10)
    naive_mixed = tt.evaluate(tt.model_scores(mixed, users), data, users, 10)
    assert naive_mixed.head_share > naive.head_share + 0.03


def test_logq_beats_no_correction_and_the_popularity_baseline(data, models):
    users = tt.eval_users(data)
    pop = tt.evaluate(tt.popularity_scores(data, users), data, users, 10)
    naive = tt.evaluate(tt.model_scores(models[False], users), data, users, 10)
    prod = tt.evaluate(tt.model_scores(models[True], users), data, users, 10)
    assert prod.recall > naive.recall + 0.05
    assert prod.recall > pop.recall
    # without the correction the head is under-recommended relative to what users consume
    assert naive.head_share < tt.heldout_head_share(data) / 2
    assert pop.head_share == 1.0


def test_training_is_seeded_and_vectors_are_normalised(data, models):
    again = tt.train(data, dim=16, logq=True, epochs=1, batch_size=512, seed=5)
    once = tt.train(data, dim=16, logq=True, epochs=1, batch_size=512, seed=5)
    np.testing.assert_allclose(again.item_vectors, once.item_vectors, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(models[True].item_vectors, axis=1), 1.0, atol=1e-5)
    assert models[True].losses[-1] < models[True].losses[0]


def test_adam_over_all_parameters_at_once_gives_the_per_parameter_loops_weights(data, monkeypatch):
    fast = tt.train(data, dim=16, logq=True, epochs=2, batch_size=128, seed=5)  # foreach=True
    adam = torch.optim.Adam
    monkeypatch.setattr(torch.optim, "Adam", lambda params, lr, foreach: adam(params, lr=lr, foreach=False))
    loop = tt.train(data, dim=16, logq=True, epochs=2, batch_size=128, seed=5)
    assert np.array_equal(fast.item_vectors, loop.item_vectors) and fast.losses == loop.losses


def test_untrained_towers_are_where_training_starts_and_rank_at_chance(data, models):
    start = tt.untrained(data, dim=16, seed=5)
    still = tt.train(data, dim=16, epochs=1, lr=0.0, seed=5)  # Adam with lr 0: every step is zero
    np.testing.assert_array_equal(start.item_vectors, still.item_vectors)
    np.testing.assert_array_equal(start.user_vectors, still.user_vectors)
    assert start.losses == [] and not start.logq
    assert not np.array_equal(start.item_vectors, tt.untrained(data, dim=16, seed=6).item_vectors)
    users = tt.eval_users(data, seed=5)
    recall = tt.evaluate(tt.model_scores(start, users), data, users, 10).recall
    # a random ranking finds k of each user's unseen launched items: recall k / #candidates
    seen = np.bincount(data.train_users, minlength=data.n_users)[users]
    chance = np.mean(10 / (data.n_items - len(data.new_items) - seen))
    assert abs(recall - chance) < 0.015, (recall, chance)
    trained = tt.evaluate(tt.model_scores(models[True], users), data, users, 10).recall
    assert trained > 3 * recall
    with pytest.raises(ValueError, match="embedding dimension"):
        tt.untrained(data, dim=1)


def test_progress_callback_and_bad_parameters(data):
    seen = []
    tt.train(data, dim=4, epochs=2, batch_size=256, progress=lambda f, m: seen.append(f))
    assert seen == [0.5, 1.0]
    with pytest.raises(ValueError, match="batch size"):
        tt.train(data, batch_size=1)
    with pytest.raises(ValueError, match="fewer than"):
        tt.make_interactions(n_items=10, per_user=10)
    with pytest.raises(ValueError, match="random negatives"):
        tt.train(data, random_negatives=-1)
    with pytest.raises(ValueError, match="no item features"):
        tt.train(tt.Interactions(2, 3, np.array([0, 1]), np.array([0, 1]), np.array([0]), np.array([2]),
                                 np.full(3, 1 / 3)), features=True)


def test_popularity_profile_by_hand():
    # training counts: item 2 (3×) > item 0 (2×) > item 1 (1×) > item 3 (0×); 2 bins of 2 items
    data = tt.Interactions(1, 4, np.zeros(6, int), np.array([2, 2, 2, 0, 0, 1]), np.array([0]),
                           np.array([3]), np.full(4, 0.25))
    np.testing.assert_allclose(tt.popularity_profile(np.array([2, 0, 2, 3]), data, bins=2),
                               [0.75, 0.25])
    np.testing.assert_allclose(tt.popularity_profile(np.array([[1], [3]]), data, bins=4), [0, 0, 0.5, 0.5])


def _result(n_users: int) -> tt.TrainResult:
    users = np.arange(n_users * 2, dtype=np.float32).reshape(n_users, 2)
    return tt.TrainResult(users, np.ones((7, 2), dtype=np.float32), [3.0, 2.5, 2.0], logq=True)


def test_index_collection_queries_distinct_users_in_id_order():
    result = _result(1000)
    xb, xq = tt.index_collection(result, seed=3)
    assert xb is result.item_vectors and xq.shape == (300, 2)
    ids = (xq[:, 0] / 2).astype(int)  # row u of the fake user vectors is (2u, 2u + 1)
    assert len(set(ids)) == 300 and (np.diff(ids) > 0).all() and ids.max() < 1000
    np.testing.assert_array_equal(xq, result.user_vectors[ids])
    np.testing.assert_array_equal(xq, tt.index_collection(result, seed=3)[1])
    assert not np.array_equal(xq, tt.index_collection(result, seed=4)[1])
    small = _result(50)
    np.testing.assert_array_equal(tt.index_collection(small, seed=3)[1], small.user_vectors)  # every user


def test_loss_axis_and_popularity_bin_labels_by_hand():
    assert _result(2).epochs() == [1, 2, 3]
    assert tt.popularity_bin_labels() == [f"{10 * i}–{10 * (i + 1)} %" for i in range(10)]
    assert tt.popularity_bin_labels(4) == ["0–25 %", "25–50 %", "50–75 %", "75–100 %"]
