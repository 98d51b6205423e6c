"""The Train page's live part: a fragment that reruns twice a second while its run trains
(``st.fragment(run_every=…)``), with the controls, the status and the four figures; once the
run stops, a scrubber over its snapshots and "open this model" (``ui.train_open``).

Figures are read-only specs built once per (run, snapshots so far, language, scrubbed
snapshot) and shared by every session watching the run (``charts.live_figure``).
"""

from __future__ import annotations

import logging

import streamlit as st

from lstm_viz.figures import memory as memory_figs
from lstm_viz.figures import training as figs
from lstm_viz.i18n import t
from lstm_viz.trained.tasks import TASKS
from lstm_viz.training import Run, TrainSettings
from lstm_viz.training.data import bucket_label
from lstm_viz.training.history import History
from ui import charts, train_open
from ui import train_page as tp

log = logging.getLogger("lstm_viz.app")
REFRESH_S = 0.5  # the live view's period while a run trains: twice a second
CHART = {"width": "stretch", "config": {"displaylogo": False}}


def live(s: TrainSettings, lang: str) -> None:
    """The fragment: polling while the run of ``s`` is queued, training or paused."""
    run = tp.current(s)
    polling = run is not None and run.active
    st.fragment(_body, run_every=REFRESH_S if polling else None)(s, lang, polling)


def _body(s: TrainSettings, lang: str, polling: bool) -> None:
    run = tp.current(s)
    if (run is not None and run.active) != polling:
        st.rerun()  # the whole page: starts or stops the polling, shows the scrubber
    try:
        tp.controls(run, s, lang)
        tp.status(run, lang)
        if run is not None and run.snapshots and run.meta:
            show(run, lang)
    except Exception:  # never a traceback in the browser; the log keeps it
        log.exception("train page: run %s", getattr(run, "job", None))
        st.error(t("error.internal", lang))


def _scrubbed(run: Run, snapshots: tuple, lang: str) -> int | None:
    """The snapshot the scrubber picks once the run stopped training (None: the latest)."""
    if run.status == "running" or len(snapshots) < 2:
        return None
    last = len(snapshots) - 1
    return st.select_slider(
        t("train.scrub", lang), list(range(len(snapshots))), value=last,
        key=f"train_at_{run.job}", help=t("train.scrub.help", lang),
        format_func=lambda k: t("train.at", lang, epoch=f"{snapshots[k].epoch:.2f}",
                                step=snapshots[k].step))


def show(run: Run, lang: str) -> None:
    """The four figures (and, once stopped, the scrubber and "open this model")."""
    snapshots = run.view()
    at = _scrubbed(run, snapshots, lang)
    pick = len(snapshots) - 1 if at is None else at
    key, view = f"train\x1f{run.key}\x1f{run.job}", (lang, len(snapshots), at)
    history = lambda: _history(key, len(snapshots), snapshots)  # noqa: E731 (on a miss only)
    x_max, marker = float(run.settings.epochs), None if at is None else snapshots[at].epoch
    charts.show(charts.live_figure("train_curves", key, view, lambda: _curves(
        run, history(), lang, x_max, marker)), key="train_curves", **CHART)
    st.caption(t("train.curves.read", lang))
    if run.meta["buckets"]:
        charts.show(charts.live_figure("train_distance", key, view, lambda: _distance(
            run, history(), lang, x_max, marker)), key="train_distance", **CHART)
        st.caption(t("train.distance.read", lang))
    if any(c.gates for c in snapshots[0].cells.values()):
        charts.show(charts.live_figure("train_gates", key, view, lambda: figs.gate_maps_spec(
            history().epoch, {c: h.gates for c, h in history().cells.items()},
            {g: t(f"train.gate.{g}", lang) for g in ("i", "f", "o", "r", "z")}, x_max=x_max,
            title=t("train.gates.title", lang), x_title=t("train.axis.epoch", lang),
            y_title=t("train.gates.y", lang), colour_title=t("train.gates.colour", lang),
            at_epoch=marker)), key="train_gates", **CHART)
        st.caption(t("train.gates.read", lang))
    charts.show(charts.live_figure("train_flow", key, (lang, pick), lambda: _flow(
        run, snapshots[pick], lang)), key="train_flow", **CHART)
    st.caption(t("train.flow.read", lang))
    if at is not None:
        train_open.section(run, snapshots, at, lang)


@st.cache_resource(max_entries=8, show_spinner=False)  # shared, read-only
def _history(run_key: str, count: int, _snapshots: tuple) -> History:
    """The run's first ``count`` snapshots as arrays, once for every figure and watcher."""
    return History.of(_snapshots)


def _curves(run: Run, history: History, lang: str, x_max: float, marker) -> dict:
    cells = history.cells
    return figs.curves_spec(
        history.epoch, {c: h.loss for c, h in cells.items()},
        {c: h.test_accuracy for c, h in cells.items()},
        {c: h.train_accuracy for c, h in cells.items()}, x_max=x_max,
        chance=1 / len(TASKS[run.settings.task].classes), title=t("train.curves.title", lang),
        x_title=t("train.axis.epoch", lang), loss_title=t("train.axis.loss", lang),
        accuracy_title=t("train.axis.accuracy", lang), train_label=t("train.on_train", lang),
        chance_label=t("train.chance", lang), at_epoch=marker)


def _distance(run: Run, history: History, lang: str, x_max: float, marker) -> dict:
    return figs.distance_maps_spec(
        history.epoch, {c: h.by_distance for c, h in history.cells.items()},
        [bucket_label(b) for b in run.meta["buckets"]], x_max=x_max,
        title=t("train.distance.title", lang), x_title=t("train.axis.epoch", lang),
        y_title=t("train.axis.distance", lang), colour_title=t("train.axis.accuracy", lang),
        at_epoch=marker)


def _flow(run: Run, snapshot, lang: str) -> dict:
    flows = {c: state.flow for c, state in snapshot.cells.items()}
    return memory_figs.flow_lines_spec(
        flows, list(run.meta["probe"]),
        title=t("train.flow.title", lang, epoch=f"{snapshot.epoch:.2f}"),
        x_title=t("train.flow.x", lang), y_title=t("train.flow.y", lang))
