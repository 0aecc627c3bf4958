"""A small two-tower retrieval model trained with in-batch negatives, with and without logQ
correction, on synthetic user–item interactions with a popularity skew.

In-batch negatives sample each item as a negative in proportion to its popularity q_j. Without
correction the softmax learns log p(j|u) - log q_j (popular items are punished as negatives far
more often than the true distribution warrants), so retrieval under-recommends the head. The logQ
correction subtracts log q_j from each logit during training (Yi et al., RecSys 2019) so that the
learned score estimates log p(j|u) again. Recall@k on held-out interactions is compared with a
popularity baseline. Mixed negatives add uniformly sampled items to each batch (Yang et al., WWW
2020), whose logQ is that of the mixture. Items launched after training (cold start) are placed by
an item tower that reads their category; an ID-only tower has nothing to place them with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Interactions:
    """Synthetic implicit feedback split into train and held-out interactions.

    Attributes
    ----------
    n_users, n_items : int
        Sizes of the catalogue.
    train_users, train_items : int64 arrays
        Training interactions (user i interacted with item j), one row per interaction.
    test_users, test_items : int64 arrays
        Held-out interactions (never in train for the same user).
    popularity : float array of shape (n_items,)
        The generator's item popularity prior (sums to 1).
    category : int64 array of shape (n_items,), optional
        Each item's content feature (a category id); items of one category have similar tastes.
    new_items : int64 array, optional
        Ids of items launched after training: none of their interactions is in train or test.
    new_users, new_targets : int64 arrays, optional
        The interactions with new items the generator drew (user ``new_users[r]`` would consume
        item ``new_targets[r]``): who should be shown each new item.
    """

    n_users: int
    n_items: int
    train_users: np.ndarray
    train_items: np.ndarray
    test_users: np.ndarray
    test_items: np.ndarray
    popularity: np.ndarray
    category: np.ndarray | None = None
    new_items: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    new_users: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    new_targets: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def n_categories(self) -> int:
        """Number of item categories (0 without content features)."""
        return 0 if self.category is None else int(self.category.max()) + 1

    def train_counts(self) -> np.ndarray:
        """Interactions per item in the training set (the in-batch sampling counts)."""
        return np.bincount(self.train_items, minlength=self.n_items)


def make_interactions(n_users: int = 1000, n_items: int = 800, per_user: int = 25,
                      zipf: float = 1.0, affinity: float = 12.0, latent_dim: int = 8,
                      n_categories: int = 20, spread: float = 0.5, n_new: int = 10,
                      test_fraction: float = 0.2, seed: int = 0) -> Interactions:
    """Sample implicit feedback with a popularity skew, item categories and a few new items.

    Each user u has a latent taste vector t_u ~ N(0, I/latent_dim). Each item j has a category
    c_j (uniform), a style s_j = normalise(m_c + spread · g_j / sqrt(latent_dim)) around its
    category's unit centre m_c, and a Zipf popularity pi_j ∝ rank^-zipf. A user's interactions
    are ``per_user`` distinct items drawn without replacement from
    p(j|u) ∝ pi_j · exp(affinity · t_u·s_j) (Gumbel top-k). ``n_new`` random items are new: their
    interactions are set aside (``new_users``, ``new_targets``); of the rest a random
    ``test_fraction`` of each user's items is held out.

    Parameters
    ----------
    n_users, n_items : int
        Catalogue sizes (``per_user < n_items``).
    per_user : int
        Interactions per user (at least 2, so that one can be held out).
    zipf : float
        Popularity skew exponent (0 = uniform popularity).
    affinity : float
        Strength of personal taste relative to popularity (logit units per unit of t·s).
    latent_dim : int
        Dimension of the true taste vectors.
    n_categories : int
        Number of item categories (the content feature); 1 makes the feature uninformative.
    spread : float
        How far an item's style strays from its category's centre (0 = all alike).
    n_new : int
        Items launched after training (cold start), fewer than half the catalogue.
    test_fraction : float
        Share of each user's (non-new) interactions held out (0 < f < 1).
    seed : int
        Seed for every draw.
    """
    if n_users < 1 or n_items < 2:
        raise ValueError("need at least one user and two items")
    if not 2 <= per_user < n_items:
        raise ValueError(f"interactions per user ({per_user}) must be at least 2 and fewer than "
                         f"the number of items ({n_items})")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test fraction ({test_fraction}) must be strictly between 0 and 1")
    if zipf < 0:
        raise ValueError(f"the popularity exponent ({zipf}) cannot be negative")
    if n_categories < 1 or not 0 <= n_new < n_items / 2:
        raise ValueError(f"need at least one category and fewer new items ({n_new}) than half the catalogue")
    rng = np.random.default_rng(seed)
    taste = rng.standard_normal((n_users, latent_dim)) / np.sqrt(latent_dim)
    centre = rng.standard_normal((n_categories, latent_dim))
    centre /= np.linalg.norm(centre, axis=1, keepdims=True)
    category = rng.integers(n_categories, size=n_items)
    style = centre[category] + spread * rng.standard_normal((n_items, latent_dim)) / np.sqrt(latent_dim)
    style /= np.linalg.norm(style, axis=1, keepdims=True)
    pop = (1.0 + rng.permutation(n_items)) ** -float(zipf)
    pop /= pop.sum()
    new = np.sort(rng.choice(n_items, n_new, replace=False))
    n_test = max(1, int(round(per_user * test_fraction)))
    users, items, is_test = [], [], []
    for lo in range(0, n_users, 1024):
        hi = min(n_users, lo + 1024)
        logits = np.log(pop)[None, :] + affinity * taste[lo:hi] @ style.T
        gumbel = logits + rng.gumbel(size=logits.shape)
        chosen = np.argpartition(-gumbel, per_user - 1, axis=1)[:, :per_user]
        order = rng.permuted(np.tile(np.arange(per_user), (hi - lo, 1)), axis=1)
        chosen = np.take_along_axis(chosen, order, 1)
        users.append(np.repeat(np.arange(lo, hi), per_user))
        items.append(chosen.ravel())
        is_test.append(np.tile(np.arange(per_user) < n_test, hi - lo))
    users, items = (np.concatenate(a).astype(np.int64) for a in (users, items))
    is_test = np.concatenate(is_test)
    is_new = np.isin(items, new)
    train, test = ~is_test & ~is_new, is_test & ~is_new
    return Interactions(n_users, n_items, users[train], items[train], users[test], items[test], pop,
                        category.astype(np.int64), new.astype(np.int64), users[is_new], items[is_new])


class TwoTower(nn.Module):
    """User tower and item tower: embedding → MLP → L2-normalised vector of size ``dim``.

    The item tower's input is the item's ID embedding, plus its category embedding when
    ``n_categories`` > 0 (content features). Items with no training interaction (``known`` is
    False) have no usable ID row: their ID part is zero, so a content tower still places them
    by category while an ID-only tower maps every such item to one and the same vector.
    """

    def __init__(self, n_users: int, n_items: int, dim: int = 32, hidden: int = 64,
                 category: np.ndarray | None = None, known: np.ndarray | None = None) -> None:
        super().__init__()
        self.user = nn.Sequential(nn.Embedding(n_users, hidden), nn.ReLU(), nn.Linear(hidden, dim))
        self.item_id = nn.Embedding(n_items, hidden)
        self.item_cat = None if category is None else nn.Embedding(int(category.max()) + 1, hidden)
        self.item_mlp = nn.Sequential(nn.ReLU(), nn.Linear(hidden, dim))
        self.register_buffer("category", torch.as_tensor(np.zeros(n_items) if category is None else category,
                                                         dtype=torch.long))
        self.register_buffer("known", torch.as_tensor(np.ones(n_items) if known is None else known,
                                                      dtype=torch.float32))

    def users(self, ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.user(ids), dim=-1)

    def items(self, ids: torch.Tensor, id_keep: torch.Tensor | None = None) -> torch.Tensor:
        """Item vectors; ``id_keep`` (0/1 per row) drops the ID part of chosen rows (ID dropout)."""
        keep = self.known[ids] if id_keep is None else self.known[ids] * id_keep
        h = self.item_id(ids) * keep[:, None]
        if self.item_cat is not None:
            h = h + self.item_cat(self.category[ids])
        return nn.functional.normalize(self.item_mlp(h), dim=-1)


def in_batch_loss(u: torch.Tensor, v: torch.Tensor, item_ids: torch.Tensor,
                  log_q: torch.Tensor | None, temperature: float,
                  extra_v: torch.Tensor | None = None, extra_ids: torch.Tensor | None = None,
                  extra_log_q: torch.Tensor | None = None) -> torch.Tensor:
    """Sampled softmax over the batch: row i's positive is column i, every other column a negative.

    logits_ij = <u_i, v_j> / temperature - log q_j (when ``log_q`` is given: logQ correction).
    ``extra_v`` (with ``extra_ids`` and, with logQ, ``extra_log_q``) appends further negative
    columns, e.g. uniformly sampled items (mixed negative sampling). Columns holding the same
    item as row i's positive (duplicates) are masked out.
    """
    cols, col_ids, col_log_q = v, item_ids, log_q
    if extra_v is not None:
        cols, col_ids = torch.cat([v, extra_v]), torch.cat([item_ids, extra_ids])
        col_log_q = None if log_q is None else torch.cat([log_q, extra_log_q])
    logits = u @ cols.T / temperature
    if col_log_q is not None:
        logits = logits - col_log_q[None, :]
    same = item_ids[:, None] == col_ids[None, :]
    same.fill_diagonal_(False)
    logits = logits.masked_fill(same, float("-inf"))
    target = torch.arange(len(u))
    return nn.functional.cross_entropy(logits, target)


def sampling_log_q(counts: np.ndarray, batch_size: int, n_random: int) -> np.ndarray:
    """log q_j: log of the probability that one negative column holds item j.

    In-batch columns hold j with probability p_j = count_j / Σ count (its share of training
    interactions); uniformly sampled columns with probability 1 / #items with interactions.
    With B in-batch and R random columns the mixture is q_j = (B p_j + R / n) / (B + R).
    Items with no interaction are never sampled (log q = -inf).
    """
    counts = np.asarray(counts, dtype=np.float64)
    known = counts > 0
    q = (batch_size * counts / counts.sum() + n_random * known / known.sum()) / (batch_size + n_random)
    with np.errstate(divide="ignore"):
        return np.log(q)


@dataclass
class TrainResult:
    """A trained two-tower model and its output vectors.

    Attributes
    ----------
    user_vectors, item_vectors : float32 arrays (n_users, dim), (n_items, dim)
        L2-normalised tower outputs (new items: from their content features only).
    losses : list of float
        Mean training loss per epoch.
    logq : bool
        Whether the logQ correction was applied in training (False for :func:`untrained`).
    """

    user_vectors: np.ndarray
    item_vectors: np.ndarray
    losses: list[float]
    logq: bool

    def epochs(self) -> list[int]:
        """Epoch numbers 1, 2, … of :attr:`losses` (the loss curve's x axis)."""
        return list(range(1, len(self.losses) + 1))


def train(data: Interactions, dim: int = 32, logq: bool = True, epochs: int = 8,
          batch_size: int = 512, lr: float = 0.05, temperature: float = 0.1,
          random_negatives: int = 0, features: bool = False, id_dropout: float = 0.0,
          seed: int = 0, progress: Progress | None = None) -> TrainResult:
    """Train a :class:`TwoTower` with in-batch (optionally mixed) negatives, logQ on or off.

    Parameters
    ----------
    data : Interactions
    dim : int
        Output embedding dimension.
    logq : bool
        Subtract log q_j (:func:`sampling_log_q`) from every logit during training only.
    epochs, batch_size, lr, temperature : training hyper-parameters.
    random_negatives : int
        Uniformly sampled negatives added to each batch (0: in-batch negatives only).
    features : bool
        Give the item tower the category feature as well as the ID (content tower).
    id_dropout : float
        Probability of dropping a training item's ID part (teaches the tower to place items by
        their features alone, as it must for new items).
    seed : int
        Seeds initialisation, batch order and random negatives.
    progress : callable, optional
        ``progress(fraction, message)`` after every epoch.
    """
    if batch_size < 2:
        raise ValueError(f"batch size ({batch_size}) must be at least 2 for in-batch negatives")
    if epochs < 1:
        raise ValueError("train for at least one epoch")
    if temperature <= 0:
        raise ValueError("the softmax temperature must be positive")
    if random_negatives < 0 or not 0 <= id_dropout < 1:
        raise ValueError("random negatives cannot be negative and ID dropout must be in [0, 1)")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: one thread is faster than two fighting over a shared CPU
    try:
        return _train(data, dim, logq, epochs, batch_size, lr, temperature, random_negatives,
                      features, id_dropout, seed, progress)
    finally:
        torch.set_num_threads(threads)


def untrained(data: Interactions, dim: int = 32, features: bool = False, seed: int = 0) -> TrainResult:
    """The towers as :func:`train` starts them, before any step: random initial weights from
    ``seed`` (the same for logQ on and off, which changes only the training loss).

    Parameters
    ----------
    data : Interactions
    dim : int
        Output embedding dimension.
    features : bool
        Item tower with the category feature as well as the ID.
    seed : int
        The seed :func:`train` is given.

    Returns
    -------
    TrainResult
        Its vectors, no losses (no epoch run) and ``logq`` False (no training loss applied).
    """
    return TrainResult(*_vectors(_initial_model(data, dim, features, seed), data), [], False)


def _initial_model(data: Interactions, dim: int, features: bool, seed: int) -> TwoTower:
    """A :class:`TwoTower` with its random initial weights drawn from ``seed``."""
    if dim < 2:
        raise ValueError(f"embedding dimension ({dim}) must be at least 2")
    if features and data.category is None:
        raise ValueError("these interactions have no item features")
    torch.manual_seed(seed)
    return TwoTower(data.n_users, data.n_items, dim, category=data.category if features else None,
                    known=data.train_counts() > 0)


def _vectors(model: TwoTower, data: Interactions) -> tuple[np.ndarray, np.ndarray]:
    """Float32 user and item vectors of every user and item."""
    with torch.no_grad():
        return (model.users(torch.arange(data.n_users)).numpy().astype(np.float32),
                model.items(torch.arange(data.n_items)).numpy().astype(np.float32))


def _train(data, dim, logq, epochs, batch_size, lr, temperature, n_random, features, id_dropout,
           seed, progress) -> TrainResult:
    model = _initial_model(data, dim, features, seed)
    counts = data.train_counts()
    # foreach: one kernel per operation over all parameters instead of a loop over them; the same
    # weights bit for bit (tests/recsys/test_two_tower.py), training in about 60 % of the time
    opt = torch.optim.Adam(model.parameters(), lr=lr, foreach=True)
    log_q_all = torch.tensor(sampling_log_q(counts, batch_size, n_random), dtype=torch.float32)
    pool = torch.from_numpy(np.flatnonzero(counts > 0))
    users = torch.from_numpy(data.train_users)
    items = torch.from_numpy(data.train_items)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(epochs):
        order = torch.randperm(len(users), generator=gen)
        total, steps = 0.0, 0
        for start in range(0, len(order) - 1, batch_size):
            idx = order[start:start + batch_size]
            if len(idx) < 2:
                break
            uid, iid = users[idx], items[idx]
            keep = (torch.rand(len(iid), generator=gen) >= id_dropout).float() if id_dropout else None
            extra = {}
            if n_random:
                rid = pool[torch.randint(len(pool), (n_random,), generator=gen)]
                extra = dict(extra_v=model.items(rid), extra_ids=rid,
                             extra_log_q=log_q_all[rid] if logq else None)
            loss = in_batch_loss(model.users(uid), model.items(iid, keep), iid,
                                 log_q_all[iid] if logq else None, temperature, **extra)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach())
            steps += 1
        losses.append(total / max(steps, 1))
        if progress:
            progress((epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs}: loss {losses[-1]:.3f}")
    return TrainResult(*_vectors(model, data), losses, logq)


# ---- evaluation ------------------------------------------------------------------------------
def top_k(scores: np.ndarray, data: Interactions, users: np.ndarray, k: int) -> np.ndarray:
    """Top-k items per user from ``scores`` (rows aligned with ``users``), excluding each user's
    training items (already seen) and the new items (not yet launched when the model was
    trained: :func:`new_item_ranks` scores them). Ties broken by item id."""
    if not 1 <= k <= data.n_items - len(data.new_items):
        raise ValueError(f"k ({k}) must be between 1 and the number of launched items ({data.n_items - len(data.new_items)})")
    scores = np.array(scores, dtype=np.float64, copy=True)
    row = {u: r for r, u in enumerate(users)}
    mask = np.isin(data.train_users, users)
    rows = np.fromiter((row[u] for u in data.train_users[mask]), dtype=np.int64)
    scores[rows, data.train_items[mask]] = -np.inf
    scores[:, data.new_items] = -np.inf
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def recall_at_k(recommended: np.ndarray, data: Interactions, users: np.ndarray, k: int) -> float:
    """Mean over users of (# held-out items in the user's top-k) / (# held-out items)."""
    held: dict[int, set] = {}
    for u, j in zip(data.test_users, data.test_items):
        held.setdefault(int(u), set()).add(int(j))
    values = [len(held[int(u)] & set(rec[:k].tolist())) / len(held[int(u)])
              for u, rec in zip(users, recommended) if int(u) in held]
    return float(np.mean(values)) if values else float("nan")


@dataclass(frozen=True)
class Evaluation:
    """Recall@k of a scorer on held-out interactions and where its recommendations fall.

    Attributes
    ----------
    recall : float
        Recall@k on held-out interactions.
    head_share : float
        Share of recommended slots taken by the 10 % most popular items (by training count).
    coverage : float
        Share of the catalogue (new items aside) recommended to at least one evaluated user.
    """

    recall: float
    head_share: float
    coverage: float


def evaluate(scores: np.ndarray, data: Interactions, users: np.ndarray, k: int) -> Evaluation:
    """Evaluate a score matrix (rows = ``users``, columns = items)."""
    rec = top_k(scores, data, users, k)
    head = head_items(data)
    return Evaluation(recall_at_k(rec, data, users, k), float(np.isin(rec, head).mean()),
                      float(len(np.unique(rec)) / (data.n_items - len(data.new_items))))


def head_items(data: Interactions, share: float = 0.1) -> np.ndarray:
    """Ids of the ``share`` most popular items by training count."""
    n = max(1, int(round(share * data.n_items)))
    return np.argsort(-data.train_counts(), kind="stable")[:n]


def popularity_profile(items: np.ndarray, data: Interactions, bins: int = 10) -> np.ndarray:
    """Share of ``items`` (any array of item ids) falling in each popularity bin, most popular
    bin first; bins split the catalogue ranked by training count into ``bins`` equal groups."""
    rank = np.empty(data.n_items, dtype=np.int64)
    rank[np.argsort(-data.train_counts(), kind="stable")] = np.arange(data.n_items)
    which = np.minimum(rank[np.asarray(items).ravel()] * bins // data.n_items, bins - 1)
    return np.bincount(which, minlength=bins) / max(which.size, 1)


def popularity_bin_labels(bins: int = 10) -> list[str]:
    """Labels of :func:`popularity_profile`'s bins, most popular first: ``"0–10 %"``, … (the
    catalogue's share by popularity rank, in per cent)."""
    return [f"{100 * i // bins}–{100 * (i + 1) // bins} %" for i in range(bins)]


def heldout_head_share(data: Interactions) -> float:
    """Share of held-out interactions that hit the 10 % most popular items (what a well
    calibrated retriever's ``head_share`` should be close to)."""
    return float(np.isin(data.test_items, head_items(data)).mean())


def eval_users(data: Interactions, max_users: int = 2000, seed: int = 0) -> np.ndarray:
    """Users with held-out interactions, subsampled to at most ``max_users`` (sorted)."""
    users = np.unique(data.test_users)
    if len(users) > max_users:
        users = np.sort(np.random.default_rng(seed).choice(users, max_users, replace=False))
    return users


def index_collection(result: TrainResult, seed: int, max_queries: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """The model's vectors as an ANN collection: the item vectors, and as queries the user
    vectors of at most ``max_queries`` users drawn without replacement with ``seed`` (sorted
    by user id).

    Returns
    -------
    xb : (n_items, dim) float32 array
    xq : (min(max_queries, n_users), dim) float32 array
    """
    n_users = len(result.user_vectors)
    users = np.random.default_rng(seed).choice(n_users, min(max_queries, n_users), replace=False)
    return result.item_vectors, result.user_vectors[np.sort(users)]


def model_scores(result: TrainResult, users: np.ndarray) -> np.ndarray:
    """Dot-product scores of ``users`` against every item."""
    return result.user_vectors[users] @ result.item_vectors.T


def popularity_scores(data: Interactions, users: np.ndarray) -> np.ndarray:
    """The popularity baseline: every user gets items ranked by training count."""
    return np.broadcast_to(data.train_counts().astype(np.float64), (len(users), data.n_items))


def new_item_ranks(result: TrainResult, data: Interactions) -> np.ndarray:
    """Rank (1 = first) of each new item for each user who would consume it (``new_users[r]``,
    ``new_targets[r]``), among every item that user has not seen in training, new items included.

    Ties count against the new item (rank = 1 + #other candidate items scoring at least as high).
    """
    users, targets = data.new_users, data.new_targets
    scores = model_scores(result, users).astype(np.float64)
    seen = np.zeros((len(users), data.n_items), dtype=bool)
    row_of = {}
    for r, u in enumerate(users):
        row_of.setdefault(int(u), []).append(r)
    for u, j in zip(data.train_users, data.train_items):
        for r in row_of.get(int(u), ()):
            seen[r, j] = True
    own = scores[np.arange(len(users)), targets]
    ahead = (scores >= own[:, None]) & ~seen
    ahead[np.arange(len(users)), targets] = False
    return 1 + ahead.sum(axis=1)


@dataclass(frozen=True)
class ColdStart:
    """How a model ranks the new items for the users who would consume them.

    Attributes
    ----------
    median_rank : float
        Median of :func:`new_item_ranks` (1 = first).
    hit_rate : float
        Share of (user, new item) pairs where the new item is within the user's top k.
    candidates : int
        Items a user chooses from: the catalogue (new items included) minus a typical user's
        training items (the median over these users).
    """

    median_rank: float
    hit_rate: float
    candidates: int


def cold_start(result: TrainResult, data: Interactions, k: int) -> ColdStart:
    """Summarise :func:`new_item_ranks` at cut-off ``k``."""
    if len(data.new_users) == 0:
        raise ValueError("no user interacted with a new item: raise the number of new items")
    ranks = new_item_ranks(result, data)
    seen = np.bincount(data.train_users, minlength=data.n_users)[data.new_users]
    return ColdStart(float(np.median(ranks)), float(np.mean(ranks <= k)), int(data.n_items - np.median(seen)))
