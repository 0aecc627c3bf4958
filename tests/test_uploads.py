import numpy as np
import pytest

from playground.uploads import read_numeric_csv

GOOD = "reference,current\n" + "\n".join(f"{i * 0.1},{i * 0.2}" for i in range(50))


def test_good_csv_is_parsed_to_float_columns():
    frame = read_numeric_csv(GOOD.encode(), ("reference", "current"))
    assert list(frame.columns) == ["reference", "current"] and len(frame) == 50
    assert frame["current"].iloc[10] == pytest.approx(2.0)


def test_columns_may_have_different_lengths_and_extra_columns_are_ignored():
    text = "current,reference,note\n" + "\n".join(
        f"{i},{'' if i >= 30 else i},x" for i in range(60))
    frame = read_numeric_csv(text.encode(), ("reference", "current"))
    assert frame["reference"].notna().sum() == 30 and frame["current"].notna().sum() == 60


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    (b"\x00\x01\x02reference,current\n" * 30, "binary"),
    (b"\xff\xfe" + b"\xfa" * 9, "UTF-16"),  # a UTF-16 mark then an odd number of bytes
    (b"\xfa\xfb\xfc" * 10, "not UTF-8"),
    (("reference,current\n" + "\n".join(["1,1e308"] * 15 + ["1,-1e308"] * 15)).encode(), "beyond"),
    (b"a,b\n1,2\n", "Missing column(s): reference, current"),
    (("reference,current\n" + "\n".join(["1,abc"] * 30)).encode(), "non-numeric"),
    (("reference,current\n" + "\n".join(["1,inf"] * 30)).encode(), "infinite"),
    (b"reference,current\n1,2\n", "at least 20"),
    (b'reference,current\n"1,2\n3,4', "could not be read"),
])
def test_bad_uploads_are_rejected_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_numeric_csv(data, ("reference", "current"))


def test_size_and_row_limits():
    with pytest.raises(ValueError, match="limit"):
        read_numeric_csv(GOOD.encode(), ("reference", "current"), max_bytes=100)
    with pytest.raises(ValueError, match="more than 10 rows"):
        read_numeric_csv(GOOD.encode(), ("reference", "current"), max_rows=10)


def test_formula_like_cells_are_only_text():
    text = "reference,current\n" + "\n".join(["=cmd|' /C calc'!A0,1"] * 30)
    with pytest.raises(ValueError, match="non-numeric"):
        read_numeric_csv(text.encode(), ("reference", "current"))
    assert np.isfinite(read_numeric_csv(GOOD.encode(), ("reference", "current")).to_numpy()).all()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(encoding):
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    frame = read_numeric_csv(bom + GOOD.encode(encoding), ("reference", "current"))
    assert len(frame) == 50 and frame["current"].iloc[10] == pytest.approx(2.0)
