"""Class mode's texts: every key the pages build from parts exists in both languages, and
every misconception the lessons can name has a short name for the dashboard."""

from __future__ import annotations

import pytest

from lstm_viz.i18n import LANGS, catalog
from lstm_viz.lessons.catalogue import misconceptions

FAMILIES = {
    "teach.notice": ("class", "key"), "teach.kind": ("lessons", "drill"),
    "teach.group": ("right", "other"), "teach.overview": ("right", "named", "other", "none"),
    "teach.ranked": ("name", "students", "answers"),
    "teach.cell": ("none", "wrong", "later", "first"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_every_built_key_exists(lang):
    keys = catalog(lang).keys()
    wanted = [f"{family}.{part}" for family, parts in FAMILIES.items() for part in parts]
    wanted += [f"class.mis.{m}" for m in misconceptions()]
    wanted += ["page.teach"]
    assert sorted(set(wanted) - keys) == []


@pytest.mark.parametrize("lang", LANGS)
def test_misconception_names_are_short_and_distinct(lang):
    names = [catalog(lang)[f"class.mis.{m}"] for m in misconceptions()]
    assert len(set(names)) == len(names)
    assert max(map(len, names)) <= 32  # a bar's label on the dashboard
