"""User text inside figures: escape it so plotly shows it literally.

Plotly renders a subset of HTML in tick labels, hover labels and cell text (``<b>``,
``<br>``, ``<a href>``, entities such as ``&amp;``). Tokens and sentences come from users,
so every one of them goes through ``plain`` before it reaches a figure. Labels from the
i18n catalogs are ours and are passed through unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

ARROWS = ("→", "←")  # direction d = 0 (forward), d = 1 (backward)


def plain(text: object) -> str:
    """``text`` as plotly shows it literally: ``&``, ``<``, ``>`` become entities.

    ``plain("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"``; ``plain("&amp;") == "&amp;amp;"``.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def step_ticks(tokens: Sequence[str], L: int, pad: str) -> list[str]:
    """Tick text for time steps 0..L-1: ``"t: token"``, the pad token past the sentence.

    Raises ValueError when the sentence has more tokens than there are steps.
    """
    if len(tokens) > L:
        raise ValueError(f"tokens: expected at most L={L} tokens, got {len(tokens)}")
    words = [*tokens, *[pad] * (L - len(tokens))]
    return [f"{t}: {plain(w)}" for t, w in enumerate(words)]


def row_name(template: str, layer: int, direction: int, D: int) -> str:
    """``template`` (fields ``{layer}``, ``{arrow}``) for one layer and direction."""
    arrow = ARROWS[direction] if D == 2 else ""
    return template.format(layer=layer, arrow=arrow).strip()
