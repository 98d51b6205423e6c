"""One script run at a time per server process: the sessions queue for the same GIL anyway.

Every session's script runs on its own thread of one process, and all of them share one
Python GIL. When several students change something at the same moment, their runs
interleave in 5 ms slices and all of them finish at about the end of the burst (processor
sharing). Taking turns (``with turn():`` around ``page.run()`` in ``app.py``; first come,
roughly first served) finishes the first after one run, the second after two …: the same
work on the same core, half the waiting on average and a shorter tail. Measured with
``python measure/load.py`` (30 students, issue 15's class, one process): p95 0.24–0.52 s and
max 0.5–1.3 s without, 0.17 s and 0.27 s with (docs/PERFORMANCE.md). A fragment's rerun (the
Gates page's playback) runs outside ``app.py`` and does not wait.

The wait is bounded: a run that holds its turn longer than ``WAIT_S`` (a hung or very slow
run) no longer holds up the others; they go ahead without a turn, as before this existed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_TURN = threading.Lock()
WAIT_S = 10.0  # the longest legitimate run (largest configuration, cold) is ~3 s
log = logging.getLogger(__name__)


@contextmanager
def turn(wait: float = WAIT_S) -> Iterator[None]:
    """Run the block when no other session's script of this process is in its own, or
    after ``wait`` seconds whatever the others do."""
    mine = _TURN.acquire(timeout=wait)
    if not mine:
        log.warning("a page run held its turn over %.0f s: this one runs beside it", wait)
    try:
        yield
    finally:
        if mine:
            _TURN.release()
