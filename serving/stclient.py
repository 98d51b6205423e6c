"""A Streamlit session over its own websocket protocol, as the browser speaks it.

``/_stcore/stream``, subprotocol ``streamlit``, ``BackMsg``/``ForwardMsg`` protobufs: one
``rerun_script`` per run (the page's URL path, the query string, changed widget states),
then every ``ForwardMsg`` until ``script_finished``. Used by measure/load.py (many students)
and measure/server_cpu.py (one student, and what a page sends). No browser: nothing is
drawn, every element arrives.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field

TIMEOUT = 120.0  # seconds without script_finished before a run counts as an error
WIDGETS = ("number_input", "checkbox", "selectbox", "radio")  # the sidebar's, by key w_<name>
KEYED = ("text_input", "button", "radio", "selectbox", "toggle", "checkbox", "number_input")


@dataclass
class Widget:
    id: str  # "$$ID-…-w_seed"
    kind: str  # "number_input", "checkbox", "selectbox", "radio"
    options: list[str]  # formatted options of a selectbox / radio
    low: float = 0.0  # number_input bounds
    high: float = 0.0
    disabled: bool = False


@dataclass
class Session:
    """One student: a websocket, the sidebar's widgets, what each run took and sent."""

    url: str
    index: int = 0
    query: str = ""  # the app's query string (the app rewrites it: settings in the URL)
    page: str = ""  # the page's URL path ("" the default page)
    ws: object = None
    page_hash: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)  # "seed" → its widget
    title: str = ""  # the page's first heading (st.title) in the last run
    errors: list = field(default_factory=list)
    record: list | None = None  # when a list: every delta ForwardMsg of the last run
    buttons: dict[str, str] = field(default_factory=dict)  # a button's key → its widget id
    auto_rerun: dict[str, float] = field(default_factory=dict)  # fragment id → its period (s)
    keyed: dict = field(default_factory=dict)  # every widget with a key: key → (kind, id)
    metrics: dict = field(default_factory=dict)  # st.metric label → value, as last sent
    alerts: list = field(default_factory=list)  # (format, body) of the last run's alerts

    def connect(self, cookie: str | None = None):
        from websockets.asyncio.client import connect

        headers = {"Cookie": f"LVSERVER={cookie}"} if cookie else None
        return connect(self.url.replace("http", "ws") + "/_stcore/stream",
                       subprotocols=["streamlit"], max_size=None, additional_headers=headers)

    async def rerun(self, states: list | None = None, page: str | None = None,
                    fragment: str = "") -> float:
        """One rerun_script (``page``: go to that URL path; ``fragment``: rerun only that
        fragment, as the browser does every ``run_every``); the seconds to script_finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if page is not None:
            self.page, self.page_hash = page, ""
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_name = self.page
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.widget_states.widgets.extend(states or [])
        msg.rerun_script.fragment_id = fragment
        msg.rerun_script.is_auto_rerun = bool(fragment)
        if self.record is not None:
            self.record = []
        self.alerts = []
        if not fragment:  # this run's widgets only (a fragment redraws its own part)
            self.title, self.widgets, self.buttons, self.keyed = "", {}, {}, {}
        start = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._until_finished(), TIMEOUT)
        return time.monotonic() - start

    async def _until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                if self.record is not None:
                    self.record.append(fwd)
                if fwd.delta.WhichOneof("type") == "new_element":
                    self._element(fwd.delta.new_element, tuple(fwd.metadata.delta_path))
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "navigation":  # a whole run (not a fragment's): its fragments anew
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
                self.auto_rerun.clear()
            elif kind == "auto_rerun":
                self.auto_rerun[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                self.auto_rerun.clear()
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the page asked for a rerun (st.rerun): its run follows
                if fwd.script_finished not in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                               ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    self.errors.append(f"script_finished={fwd.script_finished}")
                return

    def _element(self, element, path: tuple) -> None:
        kind = element.WhichOneof("type")
        if kind in KEYED and getattr(element, kind).id.count("-") >= 2:  # "$$ID-<hash>-<key>"
            self.keyed[getattr(element, kind).id.split("-", 2)[2]] = (kind, getattr(
                element, kind).id)
        if kind == "exception":
            self.errors.append(f"exception: {element.exception.message[:100]}")
        elif kind == "alert":
            self.alerts.append((element.alert.format, element.alert.body))
            if element.alert.format == element.alert.ERROR:
                self.errors.append(f"error: {element.alert.body[:100]}")
        elif kind == "metric":
            self.metrics[element.metric.label] = element.metric.body
        elif kind == "heading" and path[0] == 0 and not self.title:
            self.title = element.heading.body
        elif kind == "button":
            self.buttons[element.button.id.rsplit("-", 1)[-1]] = element.button.id
        elif kind in WIDGETS and "-w_" in getattr(element, kind).id:
            w = getattr(element, kind)
            self.widgets[w.id.rsplit("-w_", 1)[-1]] = Widget(
                w.id, kind, list(getattr(w, "options", [])), getattr(w, "min", 0.0),
                getattr(w, "max", 0.0), w.disabled)

    def press(self, key: str) -> list:
        """The widget state of pressing the button of ``key`` (a trigger, as a click sends)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        return [WidgetState(id=self.buttons[key], trigger_value=True)]

    def states(self, values: dict) -> list:
        """Widget states that set the sidebar widgets named in ``values``."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        out = []
        for name, value in values.items():
            w = self.widgets[name]
            state = WidgetState(id=w.id)
            if w.kind in ("selectbox", "radio"):
                state.string_value = str(value)  # the option as shown (formatted)
            elif isinstance(value, bool):
                state.bool_value = value
            else:
                state.double_value = float(value)  # number_input sends doubles
            out.append(state)
        return out


def balancer_cookie(url: str, query: str) -> str:
    """GET the page through the balancer, as a browser does; the LVSERVER cookie it set."""
    with urllib.request.urlopen(f"{url}/?{query}", timeout=30) as page:
        cookies = page.headers.get_all("Set-Cookie") or []
    return dict(c.split(";")[0].split("=", 1) for c in cookies)["LVSERVER"]  # KeyError: none
