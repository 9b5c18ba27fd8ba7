"""Batch runs tune the garbage collector while they run and hand the process its setting back."""

from __future__ import annotations

import gc
import threading

from ledger.collector import YOUNG_THRESHOLD, batch_collection


def test_overlapping_batch_runs_put_the_setting_back_only_when_the_last_one_ends() -> None:
    """Two threads of one process (a weekly rescoring and a release in `riskbot serve`) whose
    runs overlap: the first to end must not undo the other's setting, and the last must not
    leave its own behind."""
    before = gc.get_threshold()
    first, second = batch_collection(), batch_collection()
    first.__enter__()
    seen_by_second: list[tuple[int, ...]] = []

    def other_thread() -> None:
        with second:
            seen_by_second.append(gc.get_threshold())

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    during = gc.get_threshold()
    first.__exit__(None, None, None)

    assert seen_by_second[0][0] == during[0] == YOUNG_THRESHOLD
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_run_that_fails_puts_the_setting_back_too() -> None:
    before = gc.get_threshold()
    try:
        with batch_collection():
            raise RuntimeError("the database went away")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
