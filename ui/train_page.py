"""Streamlit glue of the Train page: the settings bound to the page's own URL keys (``t_*``,
``lstm_viz.state.train_keys``), the session's identity, the run these settings name (one per
settings in this process: ``lstm_viz.training.shared()``), and its controls and status.

A run is shared read-only by every session whose settings name it; the session that
started it controls it (Pause, Step, Resume, Stop). Every look at a run tells the registry
that this session watches it: a run nobody watches stops after the grace period.
"""

from __future__ import annotations

import logging
import math
import uuid

import streamlit as st

from lstm_viz import training
from lstm_viz.i18n import t
from lstm_viz.state.train_keys import settings_of
from lstm_viz.trained.tasks import TASKS
from lstm_viz.training import LIMITS, Run, TrainSettings
from lstm_viz.training.settings import CELLS, OPTIMIZERS
from ui import state
from ui.page_bind import PageBinder
from ui.text import md_escape

log = logging.getLogger("lstm_viz.app")
BINDER = PageBinder("train")
values, bind = BINDER.values, BINDER.bind


def session_id() -> str:
    """This browser session's name for the registry (owner and watcher)."""
    return st.session_state.setdefault("train_session", uuid.uuid4().hex)


def settings() -> TrainSettings:
    return settings_of(values())


def current(s: TrainSettings) -> Run | None:
    """The run of ``s`` (training, queued, paused or kept), watched by this session now."""
    run = training.shared().find(s)
    if run is not None:
        training.shared().watch(run, session_id())
    return run


def _number(column, key: str, field: str, lang: str, **kwargs) -> None:
    limit = LIMITS[field]
    low, high = (int(limit.low), int(limit.high)) if limit.integer else (limit.low, limit.high)
    column.number_input(t(f"train.arg.{field}", lang), low, high,
                        help=t(f"train.help.{field}", lang), **kwargs, **bind(key))


def settings_form(lang: str) -> TrainSettings:
    """Every setting of the training, each bound to its URL key; the settings they make."""
    locked = state.settings().lock
    v = values()
    with st.expander(t("train.settings", lang), expanded=True):
        top = st.columns([2, 3, 2])
        top[0].selectbox(t("train.view", lang), list(BINDER.spec.views), disabled=locked,
                         format_func=lambda k: t(f"train.view.{k}", lang),
                         help=t("train.view.help", lang), **bind("t_view"))
        top[1].multiselect(t("train.arg.cells", lang), list(CELLS), disabled=locked,
                           help=t("train.help.cells", lang),
                           **bind("t_cells", shown=list(v["t_cells"]), to_value=tuple))
        top[2].selectbox(t("train.arg.task", lang), list(TASKS), disabled=locked,
                         format_func=lambda k: t(f"trained.task.{k}", lang),
                         help=t("train.help.task", lang), **bind("t_task"))
        row = st.columns(5)
        row[0].radio(t("train.arg.optimizer", lang), list(OPTIMIZERS), horizontal=True,
                     disabled=locked, **bind("t_optimizer"))
        _number(row[1], "t_lr", "lr", lang, format="%g", step=0.005, disabled=locked)
        _number(row[2], "t_epochs", "epochs", lang, disabled=locked)
        _number(row[3], "t_batch", "batch_size", lang, disabled=locked)
        _number(row[4], "t_hidden", "hidden_size", lang, disabled=locked)
        row = st.columns(5)
        _number(row[0], "t_clip", "clip", lang, format="%g", step=0.5, disabled=locked)
        _number(row[1], "t_forget", "forget_bias", lang, format="%g", step=0.5,
                disabled=locked or "LSTM" not in v["t_cells"])
        _number(row[2], "t_distance", "max_distance", lang,
                disabled=locked or v["t_task"] != "memory")
        _number(row[3], "t_embedding", "embedding_dim", lang, disabled=locked)
        _number(row[4], "t_seed", "seed", lang, disabled=locked)
    return settings()


def _start(s: TrainSettings) -> None:
    training.shared().start(s, session_id())


def _command(run: Run, command: str) -> None:
    training.shared().control(run, session_id(), command)


def controls(run: Run | None, s: TrainSettings, lang: str) -> None:
    """Start (or Resume, or Train again), Pause, Step, Stop: the owner's; the others see why
    theirs are off."""
    mine = run is not None and run.owner == session_id()
    status = run.status if run else None
    off = training.shared().size == 0
    bar = st.container(horizontal=True)
    if mine and status == "paused":
        bar.button(t("train.resume", lang), type="primary", icon=":material/play_arrow:",
                   key="train_resume", on_click=_command, args=(run, "resume"))
    else:
        again = status in ("stopped", "failed")
        bar.button(t("train.again" if again else "train.start", lang), type="primary",
                   icon=":material/play_arrow:", key="train_start", on_click=_start, args=(s,),
                   disabled=off or (run is not None and not again))
    bar.button(t("train.pause", lang), icon=":material/pause:", key="train_pause",
               disabled=not (mine and status == "running"), on_click=_command,
               args=(run, "pause"))
    bar.button(t("train.step", lang), icon=":material/skip_next:", key="train_step",
               disabled=not (mine and status == "paused"), on_click=_command, args=(run, "step"),
               help=t("train.step.help", lang))
    bar.button(t("train.stop", lang), icon=":material/stop:", key="train_stop",
               disabled=not (mine and run.active), on_click=_command, args=(run, "stop"))
    if off:
        st.warning(t("train.off", lang), icon=":material/block:")
    elif run is not None and run.active and not mine:
        st.caption(t("train.watching", lang))


def status(run: Run | None, lang: str) -> None:
    """Where the run is: not started, queued (its place), training (epoch of epochs), or
    how it ended."""
    if run is None:
        st.info(t("train.none", lang), icon=":material/model_training:")
        return
    meta, snaps, s = run.meta, run.snapshots, run.settings
    if run.status == "queued":
        position = training.shared().position(run)
        st.info(t("train.queued", lang, position=position, size=training.shared().size),
                icon=":material/hourglass_top:")
        return
    epoch = snaps[-1].epoch if snaps else 0.0
    words = {"epoch": f"{epoch:.2f}", "epochs": s.epochs}
    if run.status in ("running", "paused"):
        st.progress(min(1.0, epoch / s.epochs), text=t(f"train.{run.status}", lang, **words))
    elif run.status == "finished":
        st.success(t("train.finished", lang, **words), icon=":material/check_circle:")
    elif run.status == "diverged":
        d = run.detail
        st.error(md_escape(t("train.diverged", lang, cell=d.cell, step=d.step,
                             loss="NaN" if math.isnan(d.loss) else f"{d.loss:g}",
                             lr=f"{s.lr:g}", optimizer=s.optimizer, **words)),
                 icon=":material/trending_up:")
    elif run.status == "stopped":
        why = "abandoned" if run.reason == "abandoned" else "owner"
        st.warning(t(f"train.stopped.{why}", lang, grace=int(training.shared().grace),
                     **words), icon=":material/stop_circle:")
    else:
        log.warning("training %s failed: %s", run.job, run.detail)
        st.error(t("train.failed", lang), icon=":material/error:")
    if meta and run.status != "queued":
        st.caption(t("train.about", lang, steps=meta["total_steps"], every=meta["every"],
                     per_epoch=meta["steps_per_epoch"]))
