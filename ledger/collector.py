"""The garbage collector during an import.

A batch of 1,000 rows is some 10,000 live objects. With the default threshold (700) the
collector scans each batch two or three times before it is dropped, promotes it to the oldest
generation, and that promotion soon triggers full collections, each walking every object the
process holds (SQLAlchemy's metadata, the compiled profiles): about 2 s of CPU per 100,000
rows imported. Freezing what exists before the run (it lives to the end anyway) and collecting
the youngest generation only every `YOUNG_THRESHOLD` new objects takes an import 10–20% less
time (`bench/bench_import.py --without collector`); peak memory does not move (cyclic garbage
waits for at most that many allocations). A fork made inside, the checking process, inherits
the setting. A rescoring gains nothing measurable from it (its batches are fewer objects) and
runs with Python's own setting.

The setting belongs to the process: the first block to open sets it, the last to close puts
back what was there before (two imports may run at once in one process).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000
_lock = threading.Lock()
_open = 0  # batch_collection blocks open in this process
_saved: tuple[int, ...] = ()  # the thresholds to put back when the last one closes


@contextmanager
def batch_collection() -> Iterator[None]:
    """Collect rarely, and never walk the objects that existed before, until the block ends."""
    global _open, _saved
    with _lock:
        if not _open:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(YOUNG_THRESHOLD, *_saved[1:])
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if not _open:
                gc.set_threshold(*_saved)
                gc.unfreeze()
