"""BM25 analysers: hand-worked identifier splits and the Porter 2 stemmer's published examples."""

import pytest

from playground.rag import analysis as ra


def test_simple_analyser_keeps_identifiers_whole():
    assert ra.simple("os.path.join and dirs_exist_ok") == ["os", "path", "join", "dirs_exist_ok"]
    assert ra.simple("assertRaisesRegex members") == ["assertraisesregex", "members"]


def test_search_analyser_splits_identifiers_and_keeps_them_whole():
    assert ra.search("assertRaisesRegex") == ["assertraisesregex", "assert", "rais", "regex"]
    assert ra.search("dirs_exist_ok") == ["dirs_exist_ok", "dir", "exist", "ok"]
    assert ra.search("os.path.join") == ["os.path.join", "os", "path", "join"]
    assert ra.search("HTTPServerError2") == ["httpservererror2", "http", "server", "error", "2"]
    assert ra.search("PYTHONHASHSEED") == ["pythonhashseed"]  # a constant is never stemmed
    assert ra.search("the members of a class") == ["member", "class"]  # stopwords out, stems in
    assert ra.search("member") == ra.search("Members")


@pytest.mark.parametrize("word,stem", [  # Porter 2 (Snowball English) sample vocabulary
    ("consign", "consign"), ("consigned", "consign"), ("consignment", "consign"),
    ("knightly", "knight"), ("generously", "generous"), ("running", "run"), ("copies", "copi")])
def test_stemmer_matches_snowball_examples(word, stem):
    assert ra.search(word) == [stem]


def test_unknown_analyser_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown analyser"):
        ra.analyse("x", "magic")
