"""Build the RAG corpus from the documentation that ships with Python itself.

Sources (no one on this team wrote them): the docstrings of a fixed list of standard-library
modules and of their public functions, classes and methods (``inspect``), and the language
reference / library topics of ``pydoc_data.topics`` (the text ``help("TOPIC")`` shows).

Output (deterministic for a given Python and tokenizers version, both recorded in
``data/samples/rag/manifest.json``):
    data/samples/rag/documents.jsonl   one document per module / pydoc topic
    data/samples/rag/passages.jsonl    passages that fit MiniLM's 256-token window (counted with
                                       the model's own tokenizer, title and [CLS]/[SEP] included),
                                       cut between paragraphs / whole code blocks, else sentences,
                                       each with its character span in its document
    data/samples/rag/qrels.tsv         the hand labels, carried from the previous passages onto
                                       these by character overlap (``relabel``)

Duplicates: a docstring shared by several objects is kept once, under the shortest name
(``unicodedata.normalize``, not ``unicodedata.UCD.normalize``); a paragraph of 80+ characters that
already appeared (pydoc topics overlap, e.g. naming/execmodel) is not indexed again; no two
passages have the same indexed text (title and text).

Run:  python scripts/build_rag_corpus.py
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import platform
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from playground.rag.chunking import blocks, by_token_budget  # noqa: E402

OUT = ROOT / "data" / "samples" / "rag"
WINDOW = 256          # MiniLM's max_seq_length, [CLS] and [SEP] included
MIN_CHARS = 10        # "Thread-local data" (threading.local) is a real docstring
DEDUP_CHARS = 80      # paragraphs at least this long are indexed once across the corpus
LEAD_IN = re.compile(r"[\w ]{0,20}:")

MODULES = (
    "abc", "argparse", "array", "asyncio", "base64", "bisect", "builtins", "bz2", "calendar",
    "cmath", "codecs", "collections", "concurrent.futures", "configparser", "contextlib", "copy",
    "csv", "ctypes", "dataclasses", "datetime", "decimal", "difflib", "enum", "errno", "filecmp",
    "fnmatch", "fractions", "functools", "gc", "getpass", "gettext", "glob", "gzip", "hashlib",
    "heapq", "hmac", "html", "http.client", "imaplib", "importlib", "inspect", "io", "ipaddress",
    "itertools", "json", "logging", "lzma", "math", "mimetypes", "multiprocessing", "operator",
    "os", "os.path", "pathlib", "pickle", "platform", "pprint", "queue", "random", "re", "sched",
    "secrets", "select", "selectors", "shelve", "shlex", "shutil", "signal", "smtplib", "socket",
    "sqlite3", "ssl", "statistics", "string", "struct", "subprocess", "sys", "tarfile", "tempfile",
    "textwrap", "threading", "time", "timeit", "tokenize", "traceback", "types", "typing",
    "unicodedata", "unittest", "urllib.parse", "urllib.request", "uuid", "warnings", "weakref",
    "xml.etree.ElementTree", "zipfile", "zlib", "zoneinfo",
)

# modules whose public functions live in a C/platform module of another name
ALIASES = {"os": ("posix", "nt"), "os.path": ("posixpath", "ntpath", "genericpath"),
           "threading": ("_thread",)}
# modules that import their public classes lazily (module __getattr__)
LAZY = ("concurrent.futures",)


def _doc(obj) -> str:
    raw = getattr(obj, "__doc__", None)
    return inspect.cleandoc(raw) if isinstance(raw, str) else ""


def _public(name: str) -> bool:
    return not name.startswith("_")


def module_sections(name: str) -> list[tuple[str, str]]:
    """(title, docstring) for a module, its public functions and classes, and their methods,
    in a deterministic order (module first, then names sorted)."""
    module = importlib.import_module(name)
    sections = [(name, _doc(module))]
    names = getattr(module, "__all__", None) if name in LAZY else None
    for attr in sorted(set(vars(module)) | set(names or ())):
        obj = getattr(module, attr, None)
        if not _public(attr):
            continue
        if not (inspect.isclass(obj) or inspect.isroutine(obj)):
            continue
        owner = getattr(obj, "__module__", None)
        if owner is not None and owner != name and owner.lstrip("_") != name.split(".")[-1] \
                and owner not in ALIASES.get(name, ()) \
                and not (name == "builtins" or owner.startswith(name.split(".")[0])):
            continue  # re-exported from elsewhere
        title = f"{name}.{attr}" if name != "builtins" else attr
        sections.append((title, _doc(obj)))
        if inspect.isclass(obj):
            for meth in sorted(vars(obj)):
                member = vars(obj)[meth]
                if _public(meth) and (inspect.isroutine(member) or isinstance(member, property)):
                    sections.append((f"{title}.{meth}", _doc(member)))
    return sections


def token_counter():
    """Token count (no special tokens) with the packaged MiniLM's own WordPiece tokenizer."""
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    from playground.embeddings import default_model_path

    tokenizer = AutoTokenizer.from_pretrained(str(default_model_path()))
    backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    backend.no_truncation()  # tokenizer.json pads and truncates to 128: a count needs neither
    backend.no_padding()
    return lambda text: len(backend.encode(text, add_special_tokens=False).ids)


def _digest(title: str, text: str) -> str:
    """Identity of a docstring for de-duplication: its text, and for a short one (under
    ``DEDUP_CHARS``) also its object's name, so that sqlite3.Cursor.execute and
    sqlite3.Connection.execute both keep "Executes an SQL statement."."""
    text = text.strip()
    key = text if len(text) >= DEDUP_CHARS else f"{title}\n{text}"
    return hashlib.sha1(key.encode()).hexdigest()


def collect() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(doc id, source, [(title, text)]) for every module and pydoc topic, each docstring once:
    a docstring of ``DEDUP_CHARS`` or more shared by several objects goes to the shortest (fewest
    dots) of its names."""
    docs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in MODULES:
            docs.append((f"module:{name}", f"docstring:{name}", module_sections(name)))
    from pydoc_data.topics import topics

    docs += [(f"topic:{key}", f"pydoc_data.topics:{key}", [(f"topic {key}", topics[key])])
             for key in sorted(topics)]
    owner: dict[str, tuple] = {}
    for d, (_, _, sections) in enumerate(docs):
        for s, (title, text) in enumerate(sections):
            digest = _digest(title, text)
            rank = (title.count("."), d, s)
            owner[digest] = min(owner.get(digest, rank), rank)
    out = []
    for d, (doc_id, source, sections) in enumerate(docs):
        kept = [(title, text.strip()) for s, (title, text) in enumerate(sections)
                if len(text.strip()) >= MIN_CHARS
                and owner[_digest(title, text)][1:] == (d, s)]
        out.append((doc_id, source, kept))
    return out


def build(count=None) -> tuple[list[dict], list[dict]]:
    count = count or token_counter()
    documents, passages = [], []
    seen_blocks: set[str] = set()
    seen_texts: set[str] = set()
    for doc_id, source, sections in collect():
        parts, pos, spans = [], 0, []
        for title, text in sections:
            head = f"{title}\n"
            spans.append((title, pos + len(head), text))
            parts.append(head + text + "\n\n")
            pos += len(head) + len(text) + 2
        if not spans:
            continue
        body = "".join(parts)
        documents.append({"id": doc_id, "source": source, "text": body})
        for title, start, text in spans:
            budget = WINDOW - 2 - count(f"{title}\n")
            runs, run = [], None  # stretches of blocks not indexed before
            for a, b, _ in blocks(text):
                key = text[a:b]
                if len(key) >= DEDUP_CHARS and key in seen_blocks:
                    run = None
                    continue
                seen_blocks.add(key)
                if run is None:
                    run = [a, b]
                    runs.append(run)
                run[1] = b
            n = 0
            for a, b in runs:
                for piece in by_token_budget(text[a:b], count, budget):
                    if f"{title}\n{piece.text}" in seen_texts or LEAD_IN.fullmatch(piece.text):
                        continue  # a repeat, or a lone "See also:" whose paragraph is indexed elsewhere
                    seen_texts.add(f"{title}\n{piece.text}")
                    lo, hi = start + a + piece.start, start + a + piece.end
                    assert body[lo:hi] == piece.text
                    passages.append({"id": f"{title}#{n}", "title": title, "text": piece.text,
                                     "source": source, "doc_id": doc_id, "start": lo, "end": hi})
                    n += 1
    ids = [p["id"] for p in passages]
    assert len(ids) == len(set(ids)), "passage ids must be unique"
    return documents, passages


def relabel(old_passages: list[dict], old_qrels: list[tuple[str, str, int]], documents: list[dict],
            passages: list[dict]) -> tuple[list[tuple[str, str, int]], list[str]]:
    """Carry hand labels from an earlier passage split onto ``passages`` by character overlap.

    An old passage is found verbatim in its new document (its own ``doc_id`` first, then any);
    every new passage of that document holding at least half of the old passage, or made at least
    half of it, inherits its grade (the highest when several old passages map to one). Where the
    text is no longer indexed there (a repeated paragraph kept elsewhere), the label goes to the
    passage holding the most of its 80+-character paragraphs. Returns the new qrels and the old
    passage ids that could not be carried (a list that should be empty).
    """
    old = {p["id"]: p for p in old_passages}
    by_doc: dict[str, list[dict]] = {}
    for p in passages:
        by_doc.setdefault(p["doc_id"], []).append(p)
    bodies = {d["id"]: d["text"] for d in documents}
    order = sorted(bodies, key=lambda doc_id: doc_id != "")

    def targets(pid: str) -> list[str]:
        text = old[pid]["text"]
        docs = [old[pid]["doc_id"]] + [d for d in order if d != old[pid]["doc_id"]]
        for doc_id in docs:
            at = bodies.get(doc_id, "").find(text)
            if at < 0:
                continue
            hit = [p["id"] for p in by_doc.get(doc_id, [])
                   if 2 * (min(p["end"], at + len(text)) - max(p["start"], at))
                   >= min(len(text), p["end"] - p["start"])]
            if hit:
                return hit
        paragraphs = [text[a:b] for a, b, _ in blocks(text) if b - a >= DEDUP_CHARS] or [text]
        held = {p["id"]: sum(len(q) for q in paragraphs if q in p["text"]) for p in passages}
        best = max(held.values())
        return [pid for pid, n in held.items() if n == best] if best else []

    grades: dict[tuple[str, str], int] = {}
    lost = []
    for qid, pid, grade in old_qrels:
        hit = targets(pid) if pid in old else []
        if not hit:
            lost.append(pid)
        for new in hit:
            grades[qid, new] = max(grades.get((qid, new), 0), grade)
    position = {p["id"]: i for i, p in enumerate(passages)}
    qorder = {qid: i for i, (qid, _, _) in enumerate(old_qrels)}
    rows = sorted(((q, p, g) for (q, p), g in grades.items()),
                  key=lambda r: (qorder[r[0]], -r[2], position[r[1]]))
    return rows, lost


def read_qrels(path: Path) -> list[tuple[str, str, int]]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [(q, p, int(g)) for q, p, g in (line.split("\t") for line in lines if line.strip())]


def main() -> None:
    import argparse
    from importlib.metadata import version

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--relabel", action="store_true",
                        help="carry qrels.tsv from the passages now on disk onto the new ones")
    args = parser.parse_args()
    old_passages = [json.loads(line) for line in open(OUT / "passages.jsonl", encoding="utf-8")] \
        if args.relabel else []
    documents, passages = build()
    if args.relabel:
        rows, lost = relabel(old_passages, read_qrels(OUT / "qrels.tsv"), documents, passages)
        if lost:
            raise SystemExit(f"labels on {len(lost)} passages could not be carried: {lost[:10]}")
        with open(OUT / "qrels.tsv", "w", encoding="utf-8") as fh:
            fh.write("query_id\tpassage_id\tgrade\n")
            fh.writelines(f"{q}\t{p}\t{g}\n" for q, p, g in rows)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in (("documents.jsonl", documents), ("passages.jsonl", passages)):
        with open(OUT / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    manifest = {"python": platform.python_version(), "tokenizers": version("tokenizers"),
                "documents": len(documents), "passages": len(passages), "modules": list(MODULES),
                "window_tokens": WINDOW}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"{len(documents)} documents, {len(passages)} passages -> {OUT}")


if __name__ == "__main__":
    main()
