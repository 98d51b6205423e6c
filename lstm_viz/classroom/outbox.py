"""Answers the store has not taken yet: kept in order, sent again until it does.

Nothing lost, nothing twice: an answer enters the outbox with the id made when it was
checked (``records.make``) and leaves it only after a send that committed; a send that failed
after its commit landed (the reply lost when the store went away) is simply sent again, and
the store's unique ``answer_id`` with insert-or-ignore keeps one row. One outbox per process
and store, shared by its sessions, so an answer still goes out after its student closed the
tab; the page sends right after each check and a background thread retries every few seconds.

After a failed send the store counts as unreachable for ``retry_s``: checks meanwhile only
queue their answer (no student waits on a connect timeout); the next send after that tries
again. Thread-safe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from lstm_viz.classroom.records import Answer

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, send: Callable[[Sequence[Answer]], None], retry_s: float = 2.0,
                 batch: int = 500, limit: int = 200_000,
                 clock: Callable[[], float] = time.monotonic):
        self._send, self._retry_s, self._batch, self._limit = send, retry_s, batch, limit
        self._clock = clock
        self._pending: dict[str, Answer] = {}  # answer_id → answer, in order of checking
        self._lock = threading.Lock()  # guards _pending and the flags
        self._sending = threading.Lock()  # one send at a time: no batch goes out twice at once
        self._down_until = 0.0
        self.reachable = True  # how the last send went
        self.sent = 0  # answers stored through this outbox (the store may have had some)

    def put(self, answer: Answer) -> None:
        with self._lock:
            self._pending[answer.answer_id] = answer
            if len(self._pending) > self._limit:  # hours of a class with the store away
                oldest = next(iter(self._pending))
                log.error("outbox full (%d answers): dropping %s", self._limit, oldest)
                del self._pending[oldest]

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def waiting(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` have not reached the store yet."""
        with self._lock:
            return {i for i in ids if i in self._pending}

    def flush(self, force: bool = False, wait_s: float = 10.0) -> bool:
        """Send what is pending, in batches; True when nothing is left. Within ``retry_s`` of
        a failed send nothing is tried unless ``force``."""
        if not force and self._clock() < self._down_until:
            return not len(self)
        if not self._sending.acquire(timeout=wait_s):
            return False
        try:
            while batch := self._next_batch():
                try:
                    self._send(batch)
                except Exception as err:  # unreachable, restarting, locked: keep them all
                    with self._lock:
                        self._down_until = self._clock() + self._retry_s
                        self.reachable = False
                    log.warning("class store unreachable (%d answers kept): %s",
                                len(self), str(err).splitlines()[0][:200])
                    return False
                with self._lock:
                    for answer in batch:
                        self._pending.pop(answer.answer_id, None)
                    self.sent += len(batch)
                    self.reachable, self._down_until = True, 0.0
            return True
        finally:
            self._sending.release()

    def _next_batch(self) -> list[Answer]:
        with self._lock:
            return list(islice(self._pending.values(), self._batch))  # not a copy of all


def keep_sending(outbox: Outbox, every_s: float = 2.0,
                 stop: threading.Event | None = None) -> threading.Thread:
    """A daemon thread that flushes ``outbox`` every ``every_s`` while it holds answers."""
    stop = stop or threading.Event()

    def loop() -> None:
        while not stop.wait(every_s):
            if len(outbox):
                try:
                    outbox.flush()
                except Exception:  # never let the thread die: the next turn tries again
                    log.exception("outbox flush failed")

    thread = threading.Thread(target=loop, name="lstm-viz-outbox", daemon=True)
    thread.start()
    return thread
