from playground.experiments import presets


def test_presets_only_set_known_keys():
    keys = {"seq", "stop_day", "cuped", "segment", "looks", "peek_lift", "novelty", "half_life",
            "steady", "days", "rho", "srm_counts", "srm_share", "guard", "mt"}
    for preset in presets.PRESETS:
        assert set(preset.values) <= keys, preset.name
    assert {"naive", "production", "novelty_win", "peeking_day3"} <= {p.name for p in presets.PRESETS}
