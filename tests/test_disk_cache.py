"""The disk cache: checked loads heal bad files, writes are atomic and bounded, and a disk that
cannot be written switches the process to memory with one warning."""

import os
import warnings

import numpy as np
import pytest

from playground import disk_cache


def _check_shape(arrays):
    disk_cache.require(arrays["x"].shape == (3, 2), "wrong shape")


def test_round_trip_and_checksum(tmp_path):
    path = tmp_path / "a.npz"
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    assert disk_cache.save_npz(path, x=x)
    np.testing.assert_array_equal(disk_cache.load_npz(path, _check_shape)["x"], x)
    assert [p.name for p in tmp_path.iterdir()] == ["a.npz"]  # no temporary file left behind
    assert disk_cache.checksum({"x": x}) != disk_cache.checksum({"x": x + 1})
    assert disk_cache.checksum({"x": x}) != disk_cache.checksum({"x": x.astype(np.float64)})


@pytest.mark.parametrize("damage", ["truncated", "empty", "wrong shape", "bit flip", "no checksum"])
def test_a_bad_file_is_deleted_and_reported_missing(tmp_path, damage):
    path = tmp_path / "a.npz"
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    disk_cache.save_npz(path, x=x if damage != "wrong shape" else x.reshape(2, 3))
    raw = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "bit flip":  # the checksum catches a change the shape check cannot
        np.savez(path, x=x + 1, _checksum=np.array(disk_cache.checksum({"x": x})))
    elif damage == "no checksum":
        np.savez(path, x=x)
    assert disk_cache.load_npz(path, _check_shape) is None
    assert not path.exists()


@pytest.mark.parametrize("damage", ["truncated", "empty", "wrong shape"])
def test_a_bad_folder_is_deleted(tmp_path, damage):
    folder = tmp_path / "index"
    disk_cache.save_folder(folder, x=np.ones((3, 2), np.float32), y=np.ones(4, np.float16))
    target = folder / "y.npy"
    raw = target.read_bytes()
    if damage == "truncated":
        target.write_bytes(raw[:-4])
    elif damage == "empty":
        target.write_bytes(b"")
    else:
        np.save(folder / "x.npy", np.ones((2, 3), np.float32))
    assert disk_cache.load_folder(folder, ("x", "y"), _check_shape, mmap=("y",)) is None
    assert not folder.exists()


def test_prune_keeps_the_most_recently_used_files_within_both_bounds(tmp_path):
    for i in range(6):
        path = tmp_path / f"f{i}.npz"
        path.write_bytes(b"x" * 100)
        os.utime(path, (1000 + i, 1000 + i))
    os.utime(tmp_path / "f0.npz", (2000, 2000))  # f0 was just read: it stays
    assert disk_cache.prune(tmp_path, "*.npz", max_files=3, max_bytes=10_000) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.npz", "f4.npz", "f5.npz"]
    assert disk_cache.prune(tmp_path, "*.npz", max_files=10, max_bytes=250) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.npz", "f5.npz"]


def test_a_failing_disk_warns_once_and_is_not_retried(tmp_path, monkeypatch, failing_disk):
    calls = []

    def savez(*args, **kwargs):
        calls.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", savez)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not disk_cache.save_npz(tmp_path / "a.npz", x=np.ones(2))
        assert not disk_cache.save_npz(tmp_path / "b.npz", x=np.ones(2))
        assert not disk_cache.save_folder(tmp_path / "c", x=np.ones(2))
    assert len(calls) == 1  # the second and third writes were not attempted
    assert [w.category for w in caught] == [disk_cache.CacheWarning]
    assert "No space left" in disk_cache.disk_problem()
    assert list(tmp_path.iterdir()) == []  # the temporary file was removed


def test_a_read_only_directory_falls_back_to_memory(tmp_path, failing_disk, read_only_dir):
    folder = read_only_dir(tmp_path / "ro")
    with pytest.warns(disk_cache.CacheWarning):
        assert not disk_cache.save_npz(folder / "a.npz", x=np.ones(2))
    assert not disk_cache.writable()
    assert list(folder.iterdir()) == []
