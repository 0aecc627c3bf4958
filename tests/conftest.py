"""Shared test set-up: the app folder is importable (pages import `components`), the embedding
model never reaches for the network (the core's one offline switch), and fixtures the core tests
share (an empty embedding cache, a disk that cannot be written).

One OpenMP/BLAS thread per test process (``OMP_NUM_THREADS=1`` unless set), before numpy, torch or
scikit-learn load: on two cores shared with other processes, a second thread mostly spin-waits
(the lesson-9 learned reranker's fit: 185 s wall with two threads, 36 s with one, at load 15-25)."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import re  # noqa: E402
from functools import lru_cache  # noqa: E402
import stat  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from playground import disk_cache, embeddings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
embeddings.offline()
# pages render their final state in one AppTest run: wait for background builds (components/background.py)
os.environ.setdefault("PLAYGROUND_BACKGROUND_WAIT", "600")
# ... and run those builds at normal priority: a test waits for them, and on cores shared with the
# other test worker, its browser server and Chromium, a niced build thread starved (workers at ~55 %)
os.environ.setdefault("PLAYGROUND_BACKGROUND_NICE", "0")
if str(ROOT / "app") not in sys.path:
    sys.path.insert(0, str(ROOT / "app"))


@pytest.fixture
def embedding_cache(tmp_path, monkeypatch):
    """An empty on-disk embedding cache for this test (``embeddings.CACHE_DIR``)."""
    folder = tmp_path / "embeddings"
    monkeypatch.setattr(embeddings, "CACHE_DIR", folder)
    return folder


@pytest.fixture
def rag_cache(tmp_path, monkeypatch):
    """An empty ``.cache/rag`` for this test (``playground.rag.corpus.CACHE``): the retrieval index
    is built from scratch and written there."""
    from playground.rag import corpus

    folder = tmp_path / "rag"
    monkeypatch.setattr(corpus, "CACHE", folder)
    return folder


@pytest.fixture
def failing_disk():
    """Forget any recorded disk failure before and after the test (it is process-wide)."""
    disk_cache.reset_disk_state()
    yield
    disk_cache.reset_disk_state()


@pytest.fixture
def read_only_dir(monkeypatch):
    """Make a folder unwritable: ``chmod`` where that binds, otherwise (as root, who ignores
    permissions) the temporary-file calls the cache writes through raise ``PermissionError``."""
    made = []

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        made.append(folder)
        if os.geteuid() == 0:
            for name in ("mkstemp", "mkdtemp"):
                real = getattr(tempfile, name)

                def refuse(*args, _real=real, **kwargs):
                    where = Path(kwargs.get("dir") or "").resolve()
                    if any(where == f.resolve() or f.resolve() in where.parents for f in made):
                        raise PermissionError(13, "Permission denied", str(where))
                    return _real(*args, **kwargs)

                monkeypatch.setattr(tempfile, name, refuse)
        return folder

    yield make
    for folder in made:
        folder.chmod(stat.S_IRWXU)


# ---- parallel runs (pytest-xdist, `-n 2 --dist loadgroup` in pyproject.toml) --------------------
LESSON_FILE = re.compile(r"test_(l\d\d|ir)_")
SHARED_GROUPS = {"l08": "rag", "l09": "rag"}
"""Lessons whose tests run in one worker together: lessons 8 and 9 evaluate the same labelled
queries with the same reranker, so the second reuses the first's index and token vectors in memory
instead of computing them at the same time in the other worker (the learned-reranker test in
tests/rag joins them with ``xdist_group("rag")``)."""


def _group(item) -> str | None:
    """The worker group of a test: every test that renders lesson X (under AppTest or in the
    browser) runs in one worker, so X's models and indexes are built once in that worker's test
    process and once in its browser server, not once per worker; the other browser tests (home page,
    drill) run together; other tests go wherever a worker is free."""
    found = LESSON_FILE.match(Path(str(item.fspath)).name)
    if found:  # test_l17_whiteboard_drill.py: the lesson numbered 17 (id "drill")
        lesson = _lesson_ids().get(found.group(1), found.group(1))
        return SHARED_GROUPS.get(lesson, lesson)
    params = getattr(item, "callspec", None)
    for value in (params.params.values() if params else ()):
        name = getattr(value, "id", value)
        if isinstance(name, str) and name in _lesson_ids().values():
            return SHARED_GROUPS.get(name, name)
    return "browser" if item.get_closest_marker("browser") else None


@lru_cache(maxsize=1)
def _lesson_ids() -> dict[str, str]:
    """``{"l03": "l03", ..., "l17": "drill"}``: each registered page's id by its file's number."""
    from bench.pages import registered

    return {f"l{lesson.slug[:2]}": lesson.id for lesson in registered()}


def pytest_xdist_auto_num_workers(config):
    """Workers for ``-n auto`` (pyproject's addopts): one per core, plus one when the browser tests
    are selected. A browser test's worker mostly waits for its streamlit server and Chromium: with
    one worker per core the profiled full suite kept only 1.45 of 2 cores busy. A lane without them
    is CPU-bound, and a third worker would only add its own collection (~17 CPU-seconds)."""
    cores = os.cpu_count() or 1
    return cores if "not browser" in (config.getoption("markexpr") or "") else cores + 1


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into the node ids
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = _group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
