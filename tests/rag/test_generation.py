"""Grounded extractive answers, refusal, and the optional local generative model path."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from playground import embeddings
from playground.rag import generation as gen

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


@dataclass(frozen=True)
class P:
    id: str
    title: str
    text: str


def bow_encode(texts):
    """A hand-made encoder: unit bag-of-words vectors over a fixed vocabulary."""
    vocab = ["json", "string", "serialize", "object", "socket", "connect", "address", "bread", "bake"]
    out = np.zeros((len(texts), len(vocab) + 1), dtype=np.float32)
    for row, text in enumerate(texts):
        words = re.findall(r"[a-z]+", text.lower())
        for word in words:
            out[row, vocab.index(word) if word in vocab else len(vocab)] += 1 if word in vocab else 0.1
        out[row] /= np.linalg.norm(out[row]) or 1
    return out


CONTEXT = [
    P("socket.connect#0", "socket.connect", "Connect the socket to a remote address. The address format "
      "depends on the family."),
    P("json.dumps#0", "json.dumps", "Serialize an object to a JSON formatted string.\n\nThe output is "
      "always a str instance."),
]


def test_split_sentences_joins_wraps_and_drops_fragments():
    text = "Return the sum of the\nvalues given.  Fast!\n\nSee also:\nmath.fsum for exact floats. Ok."
    assert gen.split_sentences(text) == ["Return the sum of the values given.",
                                         "See also: math.fsum for exact floats."]
    assert gen.split_sentences("") == []
    assert len(gen.split_sentences("word " * 500)[0]) == gen.MAX_SENTENCE_CHARS


def test_extractive_answer_cites_the_passage_it_quotes():
    answer = gen.extractive_answer("serialize an object to a json string", CONTEXT, bow_encode,
                                   threshold=0.5, max_sentences=1)
    assert not answer.refused
    assert answer.text == "Serialize an object to a JSON formatted string. [2]"
    assert answer.citations == [(2, "json.dumps#0", "json.dumps")]
    # evidence is every context sentence ranked by cosine similarity to the question
    assert len(answer.evidence) == 4
    assert [e.score for e in answer.evidence] == sorted((e.score for e in answer.evidence), reverse=True)
    q, s = bow_encode(["serialize an object to a json string", answer.evidence[0].sentence])
    assert answer.best_score == pytest.approx(float(q @ s))


def test_refuses_below_the_evidence_threshold_and_with_no_context():
    answer = gen.extractive_answer("how long to bake bread", CONTEXT, bow_encode, threshold=0.3)
    assert answer.refused and answer.citations == [] and answer.text.startswith(gen.REFUSAL)
    assert "below the 0.30 threshold" in answer.text
    empty = gen.extractive_answer("serialize json", [], bow_encode)
    assert empty.refused and "nothing was retrieved" in empty.text
    # the same question answers once the threshold is low enough: the threshold is the only switch
    assert not gen.extractive_answer("bake json", CONTEXT, bow_encode, threshold=0.1).refused
    with pytest.raises(ValueError, match="empty"):
        gen.extractive_answer("   ", CONTEXT, bow_encode)


@pytest.mark.slow
def test_packaged_model_answers_in_domain_and_refuses_off_domain():
    from playground.rag import corpus

    passages = {p.id: p for p in corpus.load_passages()}
    context = [passages[i] for i in ("json.dumps#0", "json.dump#0", "json.loads#0")]
    good = gen.extractive_answer("How do I turn a Python object into a JSON string?", context, embeddings.encode)
    assert not good.refused and any(c[1] == "json.dumps#0" for c in good.citations)
    off = gen.extractive_answer("What is the best recipe for sourdough bread?", context, embeddings.encode)
    assert off.refused and off.best_score < 0.3


def test_generator_path_is_validated_with_clear_messages(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        gen.check_generator_path("")
    # missing, impossible or empty: one message, which never tells which folders exist
    for path in (tmp_path / "missing", tmp_path, "x" * 500, "a\x00b"):
        with pytest.raises(ValueError, match="no model folder at"):
            gen.check_generator_path(path)
    with pytest.raises(ValueError, match="no model folder at ~/nothing") as err:
        gen.check_generator_path("~/nothing")
    assert str(Path.home()) not in str(err.value)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="no readable config.json"):
        gen.check_generator_path(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["SECRET-abc123"], "password": "hunter2"}))
    with pytest.raises(ValueError, match="not a generative") as err:
        gen.check_generator_path(tmp_path)
    assert "SECRET" not in str(err.value) and "hunter2" not in str(err.value)
    # the packaged embedding model is a model folder, but it cannot write text
    with pytest.raises(ValueError, match="not a generative"):
        gen.check_generator_path(embeddings.default_model_path())


def _tiny_gpt2(folder):
    """A randomly initialised one-layer GPT-2 with a word-level tokenizer, saved like a real model."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    words = ["[UNK]", "[EOS]", "[1]", "[2]", "the", "json", "answer", "string", "object", "Question:"]
    tok = Tokenizer(models.WordLevel(vocab={w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece()  # joins word-level tokens with spaces
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", eos_token="[EOS]").save_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(words), n_positions=512, n_embd=16, n_layer=1, n_head=2,
                        bos_token_id=1, eos_token_id=1)
    model = GPT2LMHeadModel(config)
    # the model's own generation config never emits [UNK]/[EOS], so it always writes 12 words
    model.generation_config = GenerationConfig(suppress_tokens=[0, 1], bos_token_id=1, eos_token_id=1)
    model.save_pretrained(folder)
    return words


class _Boom:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize("damage", ["pickle", "truncated"])
def test_malicious_or_truncated_weights_give_a_message(tmp_path, damage):
    import pickle

    _tiny_gpt2(tmp_path)
    weights = tmp_path / "model.safetensors"
    if damage == "pickle":  # a .bin that would run code if it were unpickled without weights_only
        weights.unlink()
        (tmp_path / "pytorch_model.bin").write_bytes(pickle.dumps({"w": _Boom()}))
    else:
        weights.write_bytes(weights.read_bytes()[:100])
    gen.load_generator.cache_clear()
    with pytest.raises(ValueError, match="could not load a generative model") as err:
        gen.load_generator(str(tmp_path))
    assert ("UnpicklingError" if damage == "pickle" else "SafetensorError") in str(err.value)


def test_local_generative_model_runs_through_transformers(tmp_path):
    words = _tiny_gpt2(tmp_path)
    assert json.loads((tmp_path / "config.json").read_text())["architectures"] == ["GPT2LMHeadModel"]
    answer = gen.generate_answer("serialize an object to a json string", CONTEXT, bow_encode,
                                 str(tmp_path), threshold=0.5, max_new_tokens=12)
    assert not answer.refused and answer.generator == tmp_path.name
    generated = answer.text.split()  # random weights, but really generated by the model
    assert len(generated) == 12 and set(generated) <= set(words[2:])
    marks = {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}
    assert [c[0] for c in answer.citations] == sorted(marks & {1, 2})
    # below the threshold the model is never called
    refused = gen.generate_answer("bake bread", CONTEXT, bow_encode, str(tmp_path), threshold=0.5)
    assert refused.refused
    # a prompt longer than the model's context is a clear error, not a crash
    with pytest.raises(ValueError, match="context"):
        gen.generate_answer("serialize json", CONTEXT * 40, bow_encode, str(tmp_path), threshold=0.1,
                            max_new_tokens=12)
