"""Lesson 10's number formats against hand-written strings."""

import math

import pytest

from playground.rag import llm_units as u


def test_bytes_in_gib_and_mib():
    assert u.in_gib(3 * 2**30) == 3.0
    assert u.gib(13.48e9) == "12.55 GiB"  # 13.48e9 / 2**30 = 12.554
    assert u.gib(2**40, 1) == "1,024.0 GiB"
    assert u.mib(524_288) == "0.500 MiB"


def test_seconds_switch_from_ms_to_s_at_one_second():
    assert u.seconds(0.0066) == "6.6 ms"
    assert u.seconds(0.9999) == "999.9 ms"
    assert u.seconds(1.0) == "1.00 s"
    assert u.seconds(1234.5) == "1,234.50 s"


def test_work_and_counts():
    assert u.tflop(3.5e11) == "0.35 TFLOP"
    assert u.billions(6.74e9) == "6.74 B"


def test_tex_and_scientific_notation():
    assert u.tex("12.55 GiB") == r"12.55\ \text{GiB}"
    assert u.tex("1,024") == "1{,}024"
    assert u.sci(4.59e14) == r"4.59 \times 10^{14}"
    assert u.sci(0.00125) == r"1.25 \times 10^{-3}"
    assert u.sci(-2500) == r"-2.50 \times 10^{3}"
    assert u.sci(0) == "0"


def test_log_axis_position():
    assert u.log_axis(100) == 2.0
    assert u.log_axis(52) == pytest.approx(math.log(52) / math.log(10))
    with pytest.raises(ValueError):
        u.log_axis(0)
