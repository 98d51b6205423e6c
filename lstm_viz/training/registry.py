"""The trainings of one server process: a classroom does not train 30 times.

- **One training per settings** (single-flight): ``start`` with settings that are already
  training, queued or paused returns that run; the session that started it controls it
  (pause, step, resume, stop), every other session watches it read-only.
- **Finished runs are kept** in a bounded LRU (``keep``): the same settings again show the
  finished run at once, without training again. A stopped or failed run is kept to look at,
  and ``start`` trains its settings anew.
- **At most ``size`` run at once** (``LSTM_VIZ_MAX_TRAININGS``, default one per core); the
  others wait in a FIFO queue (``position``: 1 for the next to run).
- **A run nobody watches stops**: each page that shows a run calls ``watch`` (its live
  view does, twice a second); a queued, running or paused run that no session has watched
  for ``grace`` seconds is stopped ("abandoned"), its snapshots kept.

The trainings themselves run on a ``ThreadRunner`` or a ``ProcessRunner``
(``lstm_viz.training.workers``). No Streamlit here: the app holds one ``shared()`` registry
per process, tests make their own.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

from lstm_viz.training.settings import TrainSettings
from lstm_viz.training.snapshot import Snapshot, keeps_weights
from lstm_viz.training.workers import ProcessRunner, ThreadRunner, runner

log = logging.getLogger(__name__)
ACTIVE = ("queued", "running", "paused")
ENDED = ("finished", "diverged", "stopped", "failed")
GRACE_S = 60.0  # a run no page has watched for this long is stopped
KEEP = 8  # ended runs kept (bounded LRU)
KINDS = ("process", "thread")
DEFAULT_KIND = "process"  # measured: docs/PERFORMANCE.md, "Training beside a class"


def settings_key(settings: TrainSettings) -> str:
    """A canonical string: equal settings ↔ equal keys."""
    return json.dumps(asdict(settings), sort_keys=True)


@dataclass
class Run:
    """One training, shared read-only by every session that shows it."""

    job: int
    key: str
    settings: TrainSettings
    owner: str  # the session that started it: the only one that controls it
    status: str = "queued"  # queued, running, paused, finished, diverged, stopped, failed
    meta: dict = field(default_factory=dict)  # steps_per_epoch, total_steps, buckets, probe
    snapshots: list[Snapshot] = field(default_factory=list)  # append-only
    detail: object = None  # diverged: a Diverged; failed: the error's text
    reason: str = ""  # stopped: "owner" or "abandoned"
    watchers: dict[str, float] = field(default_factory=dict)  # session → last seen
    ended: threading.Event = field(default_factory=threading.Event)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def view(self) -> tuple[Snapshot, ...]:
        """The snapshots so far (a tuple: later ones do not change it)."""
        return tuple(self.snapshots)


class Registry:
    def __init__(self, size: int, kind: str = DEFAULT_KIND, grace: float = GRACE_S,
                 keep: int = KEEP, clock=time.monotonic, reaper: bool = True):
        """``reaper``: a thread calls ``reap`` every few seconds (tests call it themselves)."""
        self.size, self.grace, self.keep, self.clock = size, grace, keep, clock
        self._reaps = reaper
        self.runner: ThreadRunner | ProcessRunner = runner(kind, max(1, size))
        self._active: dict[str, Run] = {}
        self._ended: OrderedDict[str, Run] = OrderedDict()
        self._queue: list[Run] = []
        self._pinned: set[str] = set()  # keys whose ended run the LRU never drops
        self._lock = threading.RLock()
        self._jobs = 0
        self._reaper: threading.Thread | None = None

    # --- what a page asks -------------------------------------------------------------------
    def find(self, settings: TrainSettings) -> Run | None:
        """The run of ``settings``: training, queued, paused or kept; None if there is none."""
        key = settings_key(settings)
        with self._lock:
            return self._active.get(key) or self._ended.get(key)

    def start(self, settings: TrainSettings, session: str, *, pin: bool = False) -> Run:
        """The run of ``settings``: the one already there (single-flight, or kept finished),
        else a new one, queued and started when a place is free. ``pin``: once ended, it is
        kept beyond the LRU's bound (a lesson's run, asked by every student)."""
        key = settings_key(settings)
        with self._lock:
            if pin:
                self._pinned.add(key)
            found = self._active.get(key) or self._ended.get(key)
            if found is not None and found.status not in ("stopped", "failed"):
                found.watchers[session] = self.clock()
                if key in self._ended:
                    self._ended.move_to_end(key)
                return found
            self._ended.pop(key, None)
            self._jobs += 1
            run = Run(self._jobs, key, settings, session, watchers={session: self.clock()})
            self._active[key] = run
            self._queue.append(run)
            self._schedule()
            self._start_reaper()
            return run

    def watch(self, run: Run, session: str) -> None:
        """``session`` is showing ``run`` now (keeps an unfinished run from being stopped)."""
        with self._lock:
            run.watchers[session] = self.clock()

    def position(self, run: Run) -> int:
        """1 for the next queued run to start, 2 after it …; 0 when not queued."""
        with self._lock:
            return self._queue.index(run) + 1 if run in self._queue else 0

    def running(self) -> int:
        with self._lock:
            return sum(r.status in ("running", "paused") for r in self._active.values())

    # --- what the owner may do --------------------------------------------------------------
    def control(self, run: Run, session: str, command: str) -> bool:
        """"pause", "resume", "step" (to the next snapshot, while paused) or "stop" from
        ``session``; False (nothing done) unless it owns the run and the run can do it."""
        with self._lock:
            if session != run.owner or not run.active:
                return False
            return self._command(run, command, "owner")

    def _command(self, run: Run, command: str, reason: str) -> bool:
        if command == "stop" and run.status == "queued":
            self._queue.remove(run)
            self._end(run, ("end", "stopped", None), reason)
            return True
        if run.status == "queued":
            return False
        allowed = {"pause": "running", "resume": "paused", "step": "paused", "stop": None}
        if command not in allowed or allowed[command] not in (None, run.status):
            return False
        if command == "stop":
            run.reason = reason
        elif command != "step":
            run.status = "paused" if command == "pause" else "running"
        self.runner.send(run.job, command)
        return True

    # --- scheduling ------------------------------------------------------------------------
    def _schedule(self) -> None:
        while self._queue and self.running() < self.size:
            run = self._queue.pop(0)
            run.status = "running"
            log.info("training %s starts: %s", run.job, run.key)
            self.runner.launch(run.job, run.settings, lambda m, run=run: self._receive(run, m))

    def _receive(self, run: Run, message: tuple) -> None:
        """A message from the run's trainer: its meta, a snapshot, or its end."""
        with self._lock:
            if message[0] == "meta":
                run.meta = message[1]
            elif message[0] == "snapshot":
                self._add(run, message[1])
            elif message[0] == "end":
                self._end(run, message, run.reason or "owner")
                self._schedule()

    def _add(self, run: Run, snapshot: Snapshot) -> None:
        """Append; the previous newest keeps its weights only at an epoch's end."""
        if run.snapshots:
            last = run.snapshots[-1]
            if last.has_weights and not keeps_weights(last.step, run.meta["steps_per_epoch"]):
                run.snapshots[-1] = last.without_weights()
        run.snapshots.append(snapshot)

    def _end(self, run: Run, message: tuple, reason: str) -> None:
        _, status, detail = message
        run.status, run.detail = status, detail
        run.reason = reason if status == "stopped" else ""
        self._active.pop(run.key, None)
        self._ended[run.key] = run
        evictable = [k for k in self._ended if k not in self._pinned]
        for key in evictable[: max(0, len(evictable) - self.keep)]:
            del self._ended[key]
        run.ended.set()
        log.info("training %s %s", run.job, status)

    # --- nobody watching -------------------------------------------------------------------
    def reap(self) -> list[Run]:
        """Stop every unfinished run that no session watched for ``grace`` seconds."""
        now, stopped = self.clock(), []
        with self._lock:
            for run in list(self._active.values()):
                unseen = now - max(run.watchers.values(), default=0.0)
                if unseen > self.grace and self._command(run, "stop", "abandoned"):
                    stopped.append(run)
        return stopped

    def _start_reaper(self) -> None:
        if self._reaper is None and self._reaps:
            self._reaper = threading.Thread(target=self._reap_forever, daemon=True,
                                            name="training-reaper")
            self._reaper.start()

    def _reap_forever(self) -> None:
        while True:
            time.sleep(max(0.2, min(5.0, self.grace / 4)))
            try:
                self.reap()
            except Exception:  # the reaper must outlive a bug in one run
                log.exception("training reaper")

    def close(self) -> None:
        self.runner.close()


def read_env(environ=None) -> tuple[int, str]:
    """(``LSTM_VIZ_MAX_TRAININGS``, ``LSTM_VIZ_TRAINING_WORKERS``): at most this many
    trainings at once (0: training is off; default: one per core) and where they run
    ("process" or "thread"). ValueError names a bad variable (the server does not start)."""
    environ = os.environ if environ is None else environ
    raw = environ.get("LSTM_VIZ_MAX_TRAININGS", "").strip()
    if raw and not (raw.isascii() and raw.isdigit() and int(raw) <= 64):
        raise ValueError(f"LSTM_VIZ_MAX_TRAININGS={raw!r}: must be a whole number from 0 "
                         "to 64 (0: no training on this server)")
    size = int(raw) if raw else max(1, os.cpu_count() or 1)
    kind = environ.get("LSTM_VIZ_TRAINING_WORKERS", DEFAULT_KIND).strip().lower()
    if kind not in KINDS:
        raise ValueError(f"LSTM_VIZ_TRAINING_WORKERS={kind[:20]!r}: must be one of "
                         f"{', '.join(KINDS)}")
    return size, kind


_shared: Registry | None = None
_shared_lock = threading.Lock()


def shared() -> Registry:
    """The process's registry, made on first use from the environment."""
    global _shared
    with _shared_lock:
        if _shared is None:
            size, kind = read_env()
            _shared = Registry(size, kind)
        return _shared
