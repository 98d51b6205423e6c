"""Both catalogs carry every key the code uses, and nothing else differs between them."""

import re
from pathlib import Path

import pytest

from lstm_viz.core.inputs import ENCODINGS, INITIAL_STATES, MODES
from lstm_viz.core.tokens import TOKENISATIONS
from lstm_viz.i18n import LANGS, catalog, pick_lang, t
from lstm_viz.state.presets import PRESETS

ROOT = Path(__file__).resolve().parent.parent
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.\-]+)["']""")
SIDEBAR_ARGS = ["lang", "preset", "mode", "sentences", "tokens", "encoding", "embedding_dim",
                "seq_len", "batch", "input_size", "cell", "hidden_size", "num_layers", "bias",
                "batch_first", "dropout", "bidirectional", "proj_size", "nonlinearity",
                "packed", "enforce_sorted", "total_length", "h0", "seed", "device"]


def _sources():
    files = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "app_pages").glob("*.py")]
    return {f: f.read_text(encoding="utf-8") for f in files}


def test_catalogs_have_the_same_keys():
    assert catalog("en").keys() == catalog("zh").keys()


def test_every_literal_key_exists():
    missing = {(f.name, k) for f, src in _sources().items() for k in LITERAL_KEY.findall(src)
               if k not in catalog("en")}
    assert not missing


@pytest.mark.parametrize("lang", LANGS)
def test_dynamic_key_families_exist(lang):
    keys = catalog(lang).keys()
    wanted = [f"{kind}.{a}" for a in SIDEBAR_ARGS for kind in ("arg", "help")]
    wanted += [f"preset.{p}.{part}" for p in PRESETS for part in ("title", "description")]
    wanted += [f"page.{p}" for p in ("overview", "shapes", "gates", "states", "packing")]
    for name, values in (("mode", MODES), ("tokens", TOKENISATIONS), ("encoding", ENCODINGS),
                         ("h0", INITIAL_STATES)):
        wanted += [f"opt.{name}.{v}" for v in values]
    assert sorted(set(wanted) - keys) == []


def test_placeholders_match_between_languages():
    field = re.compile(r"\{(\w+)\}")
    for key, en in catalog("en").items():
        assert set(field.findall(en)) == set(field.findall(catalog("zh")[key])), key


def test_lookup_falls_back_and_formats_user_text_literally():
    assert t("page.shapes", "fr") == t("page.shapes", "en")
    assert t("no.such.key", "zh") == "no.such.key"
    assert "{hidden}" in t("notice.repaired", "en", notice="{hidden}")


def test_pick_lang_url_then_browser_then_english():
    assert pick_lang("zh", "en-US") == "zh"
    assert pick_lang(None, "zh-CN") == "zh"
    assert pick_lang("fr", "de-DE") == "en"
    assert pick_lang(None, None) == "en"
