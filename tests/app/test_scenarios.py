"""Each lesson's scenarios (app/scenarios) only set controls its page declares and name real
options of the core; the generic link round-trip of every preset is in test_every_page.py."""

import math

from playground import framework as fw
from playground.rag import llm_serving as ls
from playground.recsys import objectives as ob
from scenarios import l00, l01, l02, l06, l07, l10


def test_l07_presets_only_set_known_keys():
    keys = {"kind", "pattern", "magnitude", "signal", "policy_focus", "trigger", "label_delay", "width",
            "period", "gate"}
    for preset in l07.PRESETS:
        assert set(preset.values) <= keys
    assert {"naive", "production", "gradual_concept"} <= {p.name for p in l07.PRESETS}


def test_l10_presets_use_known_models_and_gpus():
    for preset in l10.PRESETS:
        assert preset.values["model"] in ls.MODELS and preset.values["gpu"] in ls.GPUS
    assert {"naive", "production"} <= {p.name for p in l10.PRESETS}
    assert math.isclose(ls.GPUS["H100-80GB"].bandwidth_gbs, 3350)


def test_l06_presets_only_set_known_keys():
    keys = {"seq", "stop_day", "cuped", "segment", "looks", "peek_lift", "novelty", "half_life",
            "steady", "days", "rho", "srm_counts", "srm_share", "guard", "mt", "view"}
    for preset in l06.PRESETS:
        assert set(preset.values) <= keys, preset.name
    assert {"naive", "production", "novelty_win", "peeking_day3"} <= {p.name for p in l06.PRESETS}


def test_l00_presets_name_real_checklist_items():
    for preset in l00.PRESETS:
        prompt = preset.values["prompt"]
        valid = set(fw.checks(prompt))
        boxes = {k for k in preset.values if k[:1] == "s"}
        assert boxes == valid


def test_l02_presets_name_page_toggles():
    keys = {"leak", "join", "skew", "position", "negatives", "neg", "eta", "users", "seed"}
    assert {"naive", "production"} <= {p.name for p in l02.PRESETS}
    for preset in l02.PRESETS:
        assert set(preset.values) <= keys


def test_l01_presets_use_page_controls():
    keys = {"objective", "proxy", "w_click", "w_watch", "w_survey", "bait_pull", "bait_regret", "churn", "survey",
            "weeks", "k", "users", "seed", "business"}
    names = {p.name for p in l01.PRESETS}
    assert {"naive", "production"} <= names
    for preset in l01.PRESETS:
        assert set(preset.values) <= keys
        assert preset.values.get("objective", "CTR (clicks)") in ob.OBJECTIVES
