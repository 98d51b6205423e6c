"""``Notice``: a value that was refused or changed, shown to the user instead of a traceback.

Every repair in the app speaks it: the sidebar's Settings (``lstm_viz.state.repair``), a
page's own URL keys (``lstm_viz.state.page_spec``), a training's settings
(``lstm_viz.training.settings``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """A value that was refused or changed: shown to the user, never a traceback."""

    arg: str
    value: str
    rule: str
    used: str = ""  # the value used instead

    def __str__(self) -> str:
        used = f" → {self.used}" if self.used else ""
        return f"{self.arg}={self.value}: {self.rule}{used}"


def short(value) -> str:
    """A user's value as a notice shows it: at most 40 characters."""
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
