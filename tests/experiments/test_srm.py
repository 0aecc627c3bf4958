import numpy as np
import pytest
from scipy import stats

from playground.experiments import srm as sr


@pytest.mark.parametrize("counts,shares", [([50600, 49400], None), ([1000, 1100, 950], None),
                                          ([20100, 79900], [0.2, 0.8])])
def test_srm_matches_scipy_chisquare(counts, shares):
    res = sr.srm_test(counts, shares)
    expected = None if shares is None else np.asarray(shares) / np.sum(shares) * np.sum(counts)
    ref = stats.chisquare(counts, expected)
    assert res.chi2 == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue)


def test_srm_flags_a_broken_split_and_passes_a_fair_one():
    assert sr.srm_test([50600, 49400]).mismatch  # chi2 = 14.4, p = 1.5e-4
    assert not sr.srm_test([50100, 49900]).mismatch


def test_parse_counts_refuses_counts_beyond_any_population():
    assert sr.parse_counts("1000000000000, 0001") == [10**12, 1]
    with pytest.raises(ValueError, match="400-digit count"):
        sr.parse_counts("9" * 400 + ",1")  # would overflow float in the chi-square


def test_parse_counts():
    assert sr.parse_counts("50,123; 49877") == [50, 123, 49877]
    assert sr.parse_counts(" 1000 1100 ") == [1000, 1100]
    for bad in ("", "12", "12, abc", "1e3, 4", "-5, 3"):
        with pytest.raises(ValueError):
            sr.parse_counts(bad)


def test_check_split_typed_counts_fallback_and_nothing():
    typed = sr.check_split("50600, 49400", 0.5)
    assert typed.chi2 == pytest.approx(14.4)                       # (600² + 600²) / 50000
    three = sr.check_split("100 100 130", 0.9)                      # 3 arms: an equal split
    assert three.expected.tolist() == pytest.approx([110, 110, 110])
    ref = stats.chisquare([300, 700], [400, 600])
    fallback = sr.check_split("  ", 0.5, ([300, 700], 0.4))
    assert fallback.chi2 == pytest.approx(ref.statistic) and fallback.p_value == pytest.approx(ref.pvalue)
    with pytest.raises(ValueError, match="no counts"):
        sr.check_split("", 0.5)
