"""A small two-tower retrieval model trained with in-batch negatives, with and without logQ
correction, on synthetic user–item interactions with a popularity skew.

In-batch negatives sample each item as a negative in proportion to its popularity q_j. Without
correction the softmax learns log p(j|u) - log q_j (popular items are punished as negatives far
more often than the true distribution warrants), so retrieval under-recommends the head. The logQ
correction subtracts log q_j from each logit during training (Yi et al., RecSys 2019) so that the
learned score estimates log p(j|u) again. Recall@k on held-out interactions is compared with a
popularity baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    """

    n_users: int
    n_items: int
    train_users: np.ndarray
    train_items: np.ndarray
    test_users: np.ndarray
    test_items: np.ndarray
    popularity: np.ndarray

    def train_counts(self) -> np.ndarray:
        """Interactions per item in the training set (the in-batch sampling counts)."""
        return np.bincount(self.train_items, minlength=self.n_items)


def make_interactions(n_users: int = 1500, n_items: int = 800, per_user: int = 25,
                      zipf: float = 1.0, affinity: float = 5.0, latent_dim: int = 8,
                      test_fraction: float = 0.2, seed: int = 0) -> Interactions:
    """Sample implicit feedback with a popularity skew.

    Each user u has a latent taste vector t_u and each item j a latent vector s_j and a Zipf
    popularity pi_j ∝ rank^-zipf. A user's interactions are ``per_user`` distinct items drawn
    without replacement from p(j|u) ∝ pi_j · exp(affinity · t_u·s_j) (Gumbel top-k); a random
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
        Strength of personal taste relative to popularity.
    latent_dim : int
        Dimension of the true taste vectors.
    test_fraction : float
        Share of each user's interactions held out (0 < f < 1).
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
    rng = np.random.default_rng(seed)
    taste = rng.standard_normal((n_users, latent_dim)) / np.sqrt(latent_dim)
    style = rng.standard_normal((n_items, latent_dim))
    style /= np.linalg.norm(style, axis=1, keepdims=True)
    pop = (1.0 + rng.permutation(n_items)) ** -float(zipf)
    pop /= pop.sum()
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
    users, items, is_test = (np.concatenate(a) for a in (users, items, is_test))
    return Interactions(n_users, n_items, users[~is_test].astype(np.int64),
                        items[~is_test].astype(np.int64), users[is_test].astype(np.int64),
                        items[is_test].astype(np.int64), pop)


class TwoTower(nn.Module):
    """User tower and item tower: ID embedding → MLP → L2-normalised vector of size ``dim``."""

    def __init__(self, n_users: int, n_items: int, dim: int = 32, hidden: int = 64) -> None:
        super().__init__()
        self.user = nn.Sequential(nn.Embedding(n_users, hidden), nn.ReLU(), nn.Linear(hidden, dim))
        self.item = nn.Sequential(nn.Embedding(n_items, hidden), nn.ReLU(), nn.Linear(hidden, dim))

    def users(self, ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.user(ids), dim=-1)

    def items(self, ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.item(ids), dim=-1)


def in_batch_loss(u: torch.Tensor, v: torch.Tensor, item_ids: torch.Tensor,
                  log_q: torch.Tensor | None, temperature: float) -> torch.Tensor:
    """Sampled softmax over the batch: row i's positive is column i, every other column a negative.

    logits_ij = <u_i, v_j> / temperature - log q_j (when ``log_q`` is given: logQ correction).
    Columns holding the same item as row i's positive (duplicates in the batch) are masked out.
    """
    logits = u @ v.T / temperature
    if log_q is not None:
        logits = logits - log_q[None, :]
    same = item_ids[:, None] == item_ids[None, :]
    same.fill_diagonal_(False)
    logits = logits.masked_fill(same, float("-inf"))
    target = torch.arange(len(u))
    return nn.functional.cross_entropy(logits, target)


@dataclass
class TrainResult:
    """A trained two-tower model and its output vectors.

    Attributes
    ----------
    user_vectors, item_vectors : float32 arrays (n_users, dim), (n_items, dim)
        L2-normalised tower outputs.
    losses : list of float
        Mean training loss per epoch.
    logq : bool
        Whether the logQ correction was applied in training.
    """

    user_vectors: np.ndarray
    item_vectors: np.ndarray
    losses: list[float]
    logq: bool


def train(data: Interactions, dim: int = 32, logq: bool = True, epochs: int = 8,
          batch_size: int = 1024, lr: float = 0.05, temperature: float = 0.1, seed: int = 0,
          progress: Progress | None = None) -> TrainResult:
    """Train a :class:`TwoTower` with in-batch negatives (logQ correction on or off).

    q_j, the probability that item j appears in a batch slot, is estimated from training counts:
    q_j = count_j / #train interactions.

    Parameters
    ----------
    data : Interactions
    dim : int
        Output embedding dimension.
    logq : bool
        Subtract log q_j from the logits during training.
    epochs, batch_size, lr, temperature : training hyper-parameters.
    seed : int
        Seeds initialisation and batch order.
    progress : callable, optional
        ``progress(fraction, message)`` after every epoch.
    """
    if dim < 2:
        raise ValueError(f"embedding dimension ({dim}) must be at least 2")
    if batch_size < 2:
        raise ValueError(f"batch size ({batch_size}) must be at least 2 for in-batch negatives")
    if epochs < 1:
        raise ValueError("train for at least one epoch")
    if temperature <= 0:
        raise ValueError("the softmax temperature must be positive")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: one thread is faster than two fighting over a shared CPU
    try:
        return _train(data, dim, logq, epochs, batch_size, lr, temperature, seed, progress)
    finally:
        torch.set_num_threads(threads)


def _train(data, dim, logq, epochs, batch_size, lr, temperature, seed, progress) -> TrainResult:
    torch.manual_seed(seed)
    model = TwoTower(data.n_users, data.n_items, dim)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    counts = data.train_counts().astype(np.float64)
    log_q_all = torch.tensor(np.log(np.maximum(counts, 1) / counts.sum()), dtype=torch.float32)
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
            loss = in_batch_loss(model.users(uid), model.items(iid), iid,
                                 log_q_all[iid] if logq else None, temperature)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach())
            steps += 1
        losses.append(total / max(steps, 1))
        if progress:
            progress((epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs}: loss {losses[-1]:.3f}")
    with torch.no_grad():
        uv = model.users(torch.arange(data.n_users)).numpy().astype(np.float32)
        iv = model.items(torch.arange(data.n_items)).numpy().astype(np.float32)
    return TrainResult(uv, iv, losses, logq)


# ---- evaluation ------------------------------------------------------------------------------
def top_k(scores: np.ndarray, data: Interactions, users: np.ndarray, k: int) -> np.ndarray:
    """Top-k items per user from ``scores`` (rows aligned with ``users``), excluding each user's
    training items (already seen). Ties broken by item id."""
    if not 1 <= k <= data.n_items:
        raise ValueError(f"k ({k}) must be between 1 and the number of items ({data.n_items})")
    scores = np.array(scores, dtype=np.float64, copy=True)
    row = {u: r for r, u in enumerate(users)}
    mask = np.isin(data.train_users, users)
    rows = np.fromiter((row[u] for u in data.train_users[mask]), dtype=np.int64)
    scores[rows, data.train_items[mask]] = -np.inf
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
        Share of the catalogue recommended to at least one evaluated user.
    """

    recall: float
    head_share: float
    coverage: float


def evaluate(scores: np.ndarray, data: Interactions, users: np.ndarray, k: int) -> Evaluation:
    """Evaluate a score matrix (rows = ``users``, columns = items)."""
    rec = top_k(scores, data, users, k)
    head = head_items(data)
    return Evaluation(recall_at_k(rec, data, users, k), float(np.isin(rec, head).mean()),
                      float(len(np.unique(rec)) / data.n_items))


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


def model_scores(result: TrainResult, users: np.ndarray) -> np.ndarray:
    """Dot-product scores of ``users`` against every item."""
    return result.user_vectors[users] @ result.item_vectors.T


def popularity_scores(data: Interactions, users: np.ndarray) -> np.ndarray:
    """The popularity baseline: every user gets items ranked by training count."""
    return np.broadcast_to(data.train_counts().astype(np.float64), (len(users), data.n_items))
