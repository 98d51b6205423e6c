"""Nothing lost, nothing twice: the outbox against a store that fails, a commit whose reply is
lost, and a real PostgreSQL server stopped and started again while students keep answering."""

from __future__ import annotations

import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lstm_viz.classroom import migrate, records, store
from lstm_viz.classroom.connect import make_engine
from lstm_viz.classroom.outbox import Outbox, keep_sending
from lstm_viz.classroom.schema import answers
from serving.postgres import Postgres, bin_dir


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def made(n: int) -> list[records.Answer]:
    return [records.make(1, 1, "000-shapes", k, 1, 1, "x", "x", "right") for k in range(n)]


def test_a_failed_send_keeps_everything_and_waits_before_trying_again():
    calls, fail, clock = [], [True], Clock()

    def send(batch):
        calls.append([a.answer_id for a in batch])
        if fail[0]:
            raise ConnectionError("store away")

    box = Outbox(send, retry_s=2.0, batch=3, clock=clock)
    sent = made(5)
    for a in sent:
        box.put(a)
    assert not box.flush() and len(box) == 5 and not box.reachable
    assert not box.flush() and len(calls) == 1  # within retry_s: not tried again
    assert box.waiting([a.answer_id for a in sent[:2]]) == {a.answer_id for a in sent[:2]}
    fail[0], clock.now = False, 2.5
    assert box.flush() and len(box) == 0 and box.reachable and box.sent == 5
    assert [len(c) for c in calls] == [3, 3, 2]  # the failed batch, then two batches
    assert box.waiting(a.answer_id for a in sent) == set()


def test_a_lost_reply_after_a_commit_still_stores_once(engine):
    cls, _ = store.open_class(engine, "A", ["000-shapes"])
    s = store.join(engine, cls)
    lost = [True]

    def send(batch):
        records.record(engine, batch)
        if lost[0]:  # the commit landed; the reply did not
            lost[0] = False
            raise ConnectionError("connection reset")

    box = Outbox(send, retry_s=0.0)
    for k in range(4):
        box.put(records.make(cls.id, s.id, "000-shapes", k, 1, 1, "x", "x", "right"))
    assert not box.flush() and box.flush()
    assert len(records.answers_of(engine, cls.id)) == 4


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, to stop and start (the session's stays up)."""
    binaries = bin_dir()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed: scripts/test.sh installs Debian's postgresql")
    root = Path(tempfile.mkdtemp(prefix="lstm-viz-postgres-"))
    server = Postgres(root, binaries).start()
    yield server
    server.stop("immediate")
    shutil.rmtree(root, ignore_errors=True)


def test_postgres_restarted_mid_answers_loses_nothing_and_doubles_nothing(own_postgres):
    """Eight students answer every ~20 ms through one outbox (the app's background sender
    and a flush after each answer); the server stops (fast shutdown: connections cut) and
    starts again while they do. Afterwards the store holds exactly the answers sent."""
    engine = make_engine(own_postgres.url())
    migrate.upgrade(engine)
    cls, _ = store.open_class(engine, "A", ["000-shapes"])
    people = [store.join(engine, cls, f"s{k}") for k in range(8)]
    box = Outbox(lambda batch: records.record(engine, batch), retry_s=0.3)
    stop = threading.Event()
    keep_sending(box, every_s=0.2, stop=stop)
    sent: list[str] = []
    lock = threading.Lock()
    flush_failures = []

    def student(s: store.Student, seed: int):
        rng = random.Random(seed)
        for k in range(60):
            a = records.make(cls.id, s.id, "000-shapes", k, 1, 1, "x", "x", "right")
            with lock:
                sent.append(a.answer_id)
            box.put(a)
            if not box.flush(wait_s=0.5):
                flush_failures.append(k)
            time.sleep(rng.uniform(0.01, 0.03))

    threads = [threading.Thread(target=student, args=(s, k)) for k, s in enumerate(people)]
    for t in threads:
        t.start()
    time.sleep(0.4)
    own_postgres.stop("fast")  # mid-answers: every connection is cut
    time.sleep(1.0)
    own_postgres.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 30
    while len(box) and time.monotonic() < deadline:
        box.flush(force=True)
        time.sleep(0.2)
    stop.set()
    assert flush_failures, "the store never looked unreachable: the fault did not happen"
    with engine.connect() as conn:
        stored = conn.execute(select(answers.c.answer_id)).scalars().all()
        assert conn.execute(select(func.count()).select_from(answers)).scalar_one() == len(sent)
    assert len(box) == 0
    assert sorted(stored) == sorted(sent)  # every one, once
    engine.dispose()
