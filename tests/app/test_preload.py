"""The server's background import of every page's modules (app/components/preload.py)."""

import pkgutil
import sys
import threading

import pytest

import components
from components import preload


def test_nothing_is_preloaded_without_a_server():
    assert preload.preload() is None  # AppTest: no runtime, no thread importing every page


@pytest.mark.slow  # imports torch, FAISS, scikit-learn, statsmodels: several seconds
def test_every_component_module_imports_in_a_background_thread(capfd):
    thread = threading.Thread(target=preload._import_all)
    thread.start()
    thread.join()
    assert "failed" not in capfd.readouterr().err
    assert all(f"components.{m.name}" in sys.modules for m in pkgutil.iter_modules(components.__path__))
