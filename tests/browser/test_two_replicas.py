"""Scale-out without a container engine: two replicas behind HAProxy (deploy/haproxy/haproxy.cfg).

Four students (browser contexts, told apart by their user agent in HAProxy's log) open the
app through the balancer. Each must stay on the replica its LVSERVER cookie names — the page,
its static files and its websocket (/_stcore/stream) — across reruns. Then one replica is
killed: the other students keep working, the killed replica's students reconnect through
the balancer to the live one and see the same configuration (the URL carries it).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from measure.two_replicas import HAPROXY, two_replicas
from tests.browser.conftest import Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(HAPROXY).exists(),
                       reason="haproxy is not installed (scripts/test.sh installs Debian's)"),
]
STUDENTS = 4
HIDDEN = "hidden_size (H_cell)"  # the sidebar field's label


class Student:
    def __init__(self, browser, index: int):
        self.agent = f"lstm-viz-student-{index}"
        self.context = browser.new_context(viewport={"width": 1300, "height": 900},
                                           locale="en-US", user_agent=self.agent)
        self.page = Page(self.context)
        self.seed = index + 1

    def replica(self) -> str:
        return next(c["value"] for c in self.context.cookies() if c["name"] == "LVSERVER")

    def module_call(self) -> str:
        """The overview names the module it ran: ``nn.LSTM(10, 21, num_layers=2)``."""
        return self.page.main().locator("code", has_text="nn.").first.inner_text()

    def set_hidden(self, value: int) -> None:
        """Type a hidden size into the sidebar; wait for the rerun and the redrawn charts."""
        before = self.page.chart(0)
        field = self.page.page.get_by_role("spinbutton", name=HIDDEN)
        self.page.after(lambda: (field.fill(str(value)), field.press("Enter")))
        self.expect(value)
        assert self.page.chart(0) != before, "the chart was not redrawn"

    def expect(self, hidden: int) -> None:
        """The page shows this student's configuration, and the URL carries it."""
        assert self.module_call() == f"nn.LSTM(10, {hidden}, num_layers=2)"
        self.page.page.wait_for_function(
            f"() => location.search.includes('hidden_size={hidden}') && "
            f"location.search.includes('seed={self.seed}')", timeout=15_000)


def streams(topology, student: Student) -> list:
    return [r for r in topology.requests()
            if r.agent == student.agent and r.path.startswith("/_stcore/stream")]


def test_sessions_stay_on_one_replica_and_survive_losing_one(browser, tmp_path):
    with two_replicas(tmp_path) as topo:
        students: list[Student] = []
        try:
            students.extend(Student(browser, i) for i in range(STUDENTS))
            for s in students:  # one after another: roundrobin alternates the replicas
                s.page.page.goto(f"{topo.url}/?preset=official&seed={s.seed}")
            for s in students:
                s.page.settle()
            for hidden in (21, 22):
                for s in students:
                    s.set_hidden(hidden)
            home = {s.agent: s.replica() for s in students}
            assert sorted(home.values()) == ["app1", "app1", "app2", "app2"], home
            requests = topo.requests()
            for s in students:  # page, files, websocket: all on the cookie's replica
                mine = [r for r in requests if r.agent == s.agent]
                assert {r.server for r in mine} == {home[s.agent]}, mine
                assert len(streams(topo, s)) == 1, "the websocket was reopened"
            assert not any(s.page.real_errors() for s in students)

            moved = [s for s in students if home[s.agent] == "app1"]
            stayed = [s for s in students if home[s.agent] == "app2"]
            topo.kill("app1")
            for s in stayed:  # the other replica's students don't notice
                s.set_hidden(23)
                assert s.replica() == "app2"
            for s in moved:  # reconnected through the balancer to app2, same settings
                deadline = time.monotonic() + 40
                while not [r for r in streams(topo, s) if r.server == "app2"]:
                    assert time.monotonic() < deadline, f"{s.agent} never reconnected"
                    time.sleep(0.2)
                # Streamlit's front end reconnects without a rerun: the page stays as it
                # was. The first change starts a new session on app2, from the URL (seed,
                # hidden_size=22); Streamlit 1.67 then runs the URL's settings, not the
                # typed value (no widget callback in a new session). The change after works.
                field = s.page.page.get_by_role("spinbutton", name=HIDDEN)
                s.page.after(lambda field=field: (field.fill("23"), field.press("Enter")))
                assert s.module_call() in ("nn.LSTM(10, 22, num_layers=2)",
                                           "nn.LSTM(10, 23, num_layers=2)")
                s.page.page.wait_for_function(
                    f"() => location.search.includes('seed={s.seed}')", timeout=15_000)
                s.set_hidden(24)
                assert s.replica() == "app2"
            for s in moved:  # HAProxy saw the dead replica in the cookie: redispatched (D),
                mine = [r for r in topo.requests() if r.agent == s.agent]  # new cookie (I)
                assert any(r.cookie == "DI" and r.server == "app2" for r in mine), mine[-5:]
        finally:
            for s in students:
                s.context.close()
