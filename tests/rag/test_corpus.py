"""The shipped corpus and labels: integrity, query types as defined, regeneration."""

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from playground.rag import corpus as rc
from playground.rag.retrievers import tokenize

ROOT = Path(__file__).resolve().parents[2]
WINDOW = 256  # all-MiniLM-L6-v2's max_seq_length, [CLS] and [SEP] included


def test_sizes_and_api():
    passages = rc.load_passages()
    assert 2000 <= len(passages) <= 6000
    p = passages[0]
    assert p.id and p.title and p.text and p.source
    queries = rc.load_queries()
    assert len(queries) >= 150
    assert set(q.type for q in queries) == set(rc.QUERY_TYPES)
    assert all(v >= 30 for v in rc.type_counts(queries).values())
    total = sum(f.stat().st_size for f in rc.DATA.iterdir())
    assert total < 20 * 2**20


def test_every_label_points_at_a_passage_and_every_query_has_an_answer():
    ids = {p.id for p in rc.load_passages()}
    for q in rc.load_queries():
        assert q.relevant, q.id
        assert set(q.relevant) <= ids, q.id
        assert set(q.relevant.values()) <= {1, 2}


def test_passage_spans_point_into_their_documents():
    docs = {d.id: d.text for d in rc.load_documents()}
    for p in rc.load_passages()[::7]:
        assert docs[p.doc_id][p.start:p.end] == p.text


def test_paraphrase_queries_share_no_word_with_their_answers():
    passages = {p.id: p for p in rc.load_passages()}
    for q in rc.load_queries():
        if q.type != "paraphrase":
            continue
        words = set(tokenize(q.text))
        for pid, grade in q.relevant.items():
            if grade == 2:
                assert not words & set(tokenize(passages[pid].indexed_text)), (q.id, pid)


def test_pairs_are_two_phrasings_with_the_same_labels():
    queries = rc.load_queries()
    pairs = Counter(q.pair_id for q in queries if q.pair_id)
    assert len(pairs) >= 30 and set(pairs.values()) == {2}
    by_pair = {}
    for q in queries:
        if q.pair_id:
            by_pair.setdefault(q.pair_id, []).append(q)
    for a, b in by_pair.values():
        assert a.relevant == b.relevant and a.text != b.text


@pytest.mark.slow
def test_build_script_regenerates_the_shipped_passages_and_documents():
    code = ("import sys, json, hashlib; sys.path.insert(0, 'scripts'); import build_rag_corpus as b; "
            "d, p = b.build(); "
            "h = [hashlib.sha256(''.join(json.dumps(r, ensure_ascii=False, sort_keys=True) + chr(10) "
            "for r in rows).encode()).hexdigest() for rows in (d, p)]; "
            "print(json.dumps(h))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    digests = json.loads(out.stdout.strip().splitlines()[-1])
    shipped = [hashlib.sha256((rc.DATA / name).read_bytes()).hexdigest()
               for name in ("documents.jsonl", "passages.jsonl")]
    assert digests == shipped  # byte for byte (same Python and tokenizers versions, see manifest)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from playground.embeddings import default_model_path, load_model

    assert load_model().max_seq_length == WINDOW
    return AutoTokenizer.from_pretrained(str(default_model_path()))


@pytest.mark.slow
def test_every_passage_fits_minilms_window(tokenizer):
    texts = [p.indexed_text for p in rc.load_passages()]
    lengths = [len(ids) for ids in tokenizer(texts, truncation=False)["input_ids"]]  # with [CLS]/[SEP]
    assert max(lengths) <= WINDOW


def test_no_duplicate_passages():
    passages = rc.load_passages()
    assert len({p.indexed_text for p in passages}) == len(passages)
    long_texts = [p.text for p in passages if len(p.text) >= 80]
    assert len(set(long_texts)) == len(long_texts)  # no shared paragraph across pydoc topics


def test_short_docstrings_are_kept_and_shared_ones_use_the_shortest_name():
    titles = {p.title for p in rc.load_passages()}
    for name in ("math.gcd", "math.lcm", "os.path.isfile", "os.path.isabs", "threading.local",
                 "datetime.timedelta.total_seconds", "sqlite3.Cursor.execute", "tempfile.gettempdir",
                 "unittest.skipIf", "unicodedata.normalize"):
        assert name in titles, name
    assert "unicodedata.UCD.normalize" not in titles


def test_passages_end_at_a_sentence_line_or_block_boundary():
    docs = {d.id: d.text for d in rc.load_documents()}
    for p in rc.load_passages():
        after = docs[p.doc_id][p.end:p.end + 1]
        assert after == "\n" or re.search(r"[.!?:][\"')\]]*$", p.text), p.id
