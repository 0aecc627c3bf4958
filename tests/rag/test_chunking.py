"""Chunking strategies: spans, sizes, overlaps, hand-computed windows."""

import pytest

from playground.rag import chunking as ch
from playground.rag.corpus import load_documents

TEXT = ("Alpha beta gamma. Delta epsilon zeta eta.\n\nTheta iota kappa lambda mu. Nu xi.\n\n"
        "Omicron pi rho sigma tau upsilon phi chi psi omega.")


def test_fixed_size_hand_computed():
    chunks = ch.fixed_size("a b c d e f g", 3, 1)
    assert [c.text for c in chunks] == ["a b c", "c d e", "e f g"]
    assert [c.text for c in ch.fixed_size("a b c d e f g", 3, 0)] == ["a b c", "d e f", "g"]


@pytest.mark.parametrize("strategy", ch.STRATEGIES)
@pytest.mark.parametrize("size,overlap", [(4, 0), (8, 2), (50, 10)])
def test_spans_are_exact_and_sizes_respected(strategy, size, overlap):
    chunks = ch.chunk(TEXT, strategy, size, overlap)
    assert chunks
    for c in chunks:
        assert TEXT[c.start:c.end] == c.text
        assert c.words <= size
    words = TEXT.split()
    covered = " ".join(c.text for c in chunks).split()
    assert set(words) <= set(covered)  # nothing is dropped


def test_sentence_chunks_keep_sentences_whole():
    chunks = ch.by_sentence(TEXT, 9, 0)
    assert [c.text for c in chunks][:2] == ["Alpha beta gamma. Delta epsilon zeta eta.",
                                            "Theta iota kappa lambda mu. Nu xi."]


def test_paragraph_chunks_and_overlap():
    paras = ch.by_paragraph(TEXT, 100, 0)
    assert len(paras) == 1
    small = ch.by_paragraph(TEXT, 10, 0)
    assert [c.text for c in small][:2] == ["Alpha beta gamma. Delta epsilon zeta eta.",
                                           "Theta iota kappa lambda mu. Nu xi."]
    lapped = ch.by_sentence(TEXT, 9, 4)
    assert lapped[1].start < lapped[0].end  # the last sentence is repeated


def test_bad_parameters_raise_clear_errors():
    with pytest.raises(ValueError, match="smaller than the chunk size"):
        ch.chunk(TEXT, "fixed", 10, 10)
    with pytest.raises(ValueError, match="empty"):
        ch.chunk("   ", "fixed", 10, 0)
    with pytest.raises(ValueError, match="unknown chunking strategy"):
        ch.chunk(TEXT, "magic", 10, 0)


def test_real_document_larger_size_means_fewer_chunks():
    doc = next(d for d in load_documents() if d.id == "topic:formatstrings")
    counts = [len(ch.chunk(doc.text, "recursive", size, 0)) for size in (50, 150, 400)]
    assert counts[0] > counts[1] > counts[2] >= 1


def words(text):
    return len(text.split())


def test_token_budget_hand_worked_cases():
    text = "One two. Three four five.\n\n    code line one\n\n    code line two\n\nSix seven."
    # blocks: prose (5 words), one code block across the blank line (6), prose (2)
    assert [(a, b, c) for a, b, c in ch.blocks(text)] == [(0, 25, False), (31, 63, True), (65, 75, False)]
    chunks = ch.by_token_budget(text, words, 8)
    # 5 | 6 | 2 cannot merge 5+6; DP picks [5] [6+2] (slack 3^2 + 0) over [5] [6] [2] and keeps
    # the code block whole
    assert [c.text for c in chunks] == ["One two. Three four five.",
                                        "code line one\n\n    code line two\n\nSix seven."]
    assert all(text[c.start:c.end] == c.text for c in chunks)
    # a prose block over budget is cut at sentences, evenly rather than greedily: sentences of
    # 4, 1, 1 words in 5: greedy [4+1][1] costs 0 + 16, [4][1+1] costs 1 + 9
    assert [c.text for c in ch.by_token_budget("A b c d. E. F.", words, 5)] == ["A b c d.", "E. F."]
    # a lead-in ending in ":" stays with its example when both fit
    lead = "Do this:\n\n    x = 1\n\nEnd here now ok."
    assert [c.text for c in ch.by_token_budget(lead, words, 7)][0].endswith("x = 1")
    with pytest.raises(ValueError):
        ch.by_token_budget("x", words, 0)


def test_against_shipped_hand_computed():
    shipped = ch.ChunkingEval(0.50, {}, 10, 100.0, 500.0, {})
    assert ch.against_shipped(ch.ChunkingEval(0.49, {}, 10, 100.0, 500.0, {}), shipped) == (pytest.approx(-0.01), True)
    gap, holds = ch.against_shipped(ch.ChunkingEval(0.40, {}, 10, 100.0, 500.0, {}), shipped)
    assert gap == pytest.approx(-0.10) and not holds
    assert ch.against_shipped(ch.ChunkingEval(0.40, {}, 10, 100.0, 500.0, {}), shipped, tolerance=0.1)[1]
