"""Build the RAG corpus from the documentation that ships with Python itself.

Sources (no one on this team wrote them): the docstrings of a fixed list of standard-library
modules and of their public functions, classes and methods (``inspect``), and the language
reference / library topics of ``pydoc_data.topics`` (the text ``help("TOPIC")`` shows).

Output (deterministic for a given Python version; the shipped files were built with the version
recorded in ``data/samples/rag/manifest.json``):
    data/samples/rag/documents.jsonl   one document per module / pydoc topic
    data/samples/rag/passages.jsonl    passages = sections split at paragraphs (<= 160 words),
                                       each with its character span in its document

Run:  python scripts/build_rag_corpus.py
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import platform
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from playground.rag.chunking import by_paragraph  # noqa: E402

OUT = ROOT / "data" / "samples" / "rag"
PASSAGE_WORDS = 160
MIN_CHARS = 40

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
ALIASES = {"os": ("posix", "nt"), "os.path": ("posixpath", "ntpath", "genericpath")}
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


def build() -> tuple[list[dict], list[dict]]:
    documents, passages, seen = [], [], set()

    def add_document(doc_id: str, source: str, sections: list[tuple[str, str]]) -> None:
        parts, spans = [], []
        pos = 0
        for title, text in sections:
            text = text.strip()
            if len(text) < MIN_CHARS:
                continue
            digest = hashlib.sha1(text.encode()).hexdigest()
            if digest in seen:  # inherited / shared docstrings appear once
                continue
            seen.add(digest)
            head = f"{title}\n"
            spans.append((title, pos + len(head), text))
            parts.append(head + text + "\n\n")
            pos += len(head) + len(text) + 2
        if not spans:
            return
        body = "".join(parts)
        documents.append({"id": doc_id, "source": source, "text": body})
        for title, start, text in spans:
            for i, piece in enumerate(by_paragraph(text, PASSAGE_WORDS)):
                pid = f"{title}#{i}"
                passages.append({"id": pid, "title": title, "text": piece.text, "source": source,
                                 "doc_id": doc_id, "start": start + piece.start,
                                 "end": start + piece.end})
                assert body[start + piece.start:start + piece.end] == piece.text

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in MODULES:
            add_document(f"module:{name}", f"docstring:{name}", module_sections(name))
    from pydoc_data.topics import topics

    for key in sorted(topics):
        add_document(f"topic:{key}", f"pydoc_data.topics:{key}", [(f"topic {key}", topics[key])])
    ids = [p["id"] for p in passages]
    assert len(ids) == len(set(ids)), "passage ids must be unique"
    return documents, passages


def main() -> None:
    documents, passages = build()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in (("documents.jsonl", documents), ("passages.jsonl", passages)):
        with open(OUT / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    manifest = {"python": platform.python_version(), "documents": len(documents),
                "passages": len(passages), "modules": list(MODULES),
                "passage_words": PASSAGE_WORDS}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"{len(documents)} documents, {len(passages)} passages -> {OUT}")


if __name__ == "__main__":
    main()
