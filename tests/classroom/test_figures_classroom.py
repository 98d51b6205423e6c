"""The dashboard's chart builders: the spec is what plotly.py validates, discrete colours,
names escaped, shapes checked."""

from __future__ import annotations

import pytest

from lstm_viz.figures.classroom import (
    GRID_COLOURS,
    class_overview_spec,
    progress_grid_spec,
    vote_spec,
)
from lstm_viz.figures.spec import to_figure

AXES = {"title": "t", "x_title": "x", "y_title": "y"}


def test_the_specs_are_valid_figures():
    for spec in (class_overview_spec(["1", "2"], [(1, 2, 0, 3), (0, 0, 0, 6)],
                                     names=list("abcd"), **AXES),
                 vote_spec(["right", "N and L swapped", "other"],
                           [("round 1", [3, 2, 1]), ("round 2", [5, 1, 0])], **AXES),
                 progress_grid_spec([[3, 2, 1, 0]], [["✓", "2", "✗", ""]], list("1234"),
                                    ["<b>Ada</b>"], names=list("abcd"), **AXES)):
        assert to_figure(spec).to_dict()["data"]


def test_the_grid_is_discrete_and_hides_names():
    spec = progress_grid_spec([[0, 1], [2, 3]], [["", "✗"], ["2", "✓"]], ["1", "2"],
                              ["<b>Ada</b>", "Bo & co"], names=list("abcd"), **AXES)
    scale = spec["data"][0]["colorscale"]
    for k, colour in enumerate(GRID_COLOURS):  # each code's band is one colour
        assert scale[2 * k] == [k / 4, colour] and scale[2 * k + 1] == [(k + 1) / 4, colour]
    assert spec["layout"]["yaxis"]["ticktext"] == ["&lt;b&gt;Ada&lt;/b&gt;", "Bo &amp; co"]
    hidden = progress_grid_spec([[0, 1], [2, 3]], [["", ""], ["", ""]], ["1", "2"], None,
                                names=list("abcd"), **AXES)
    assert hidden["layout"]["yaxis"]["ticktext"] == ["", ""]


def test_round_one_beside_round_two():
    spec = vote_spec(["right", "other"], [("round 1", [1, 4]), ("round 2", [4, 1])], **AXES)
    assert spec["layout"]["barmode"] == "group"
    assert [d["name"] for d in spec["data"]] == ["round 1", "round 2"]
    assert spec["data"][0]["marker"]["color"] != spec["data"][1]["marker"]["color"]


@pytest.mark.parametrize(("build", "why"), [
    (lambda: class_overview_spec(["1"], [], names=list("abcd"), **AXES), "counts"),
    (lambda: vote_spec(["a"], [], **AXES), "rounds"),
    (lambda: vote_spec(["a"], [("r", [1, 2])], **AXES), "rounds\\[0\\]"),
    (lambda: progress_grid_spec([], [], [], None, names=list("abcd"), **AXES), "codes"),
    (lambda: progress_grid_spec([[4]], [[""]], ["1"], None, names=list("abcd"), **AXES),
     "0 … 3"),
])
def test_bad_input_says_what_was_expected(build, why):
    with pytest.raises(ValueError, match=why):
        build()
