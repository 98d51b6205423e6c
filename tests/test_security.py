"""Security defaults, read from the source: no unsafe HTML, XSRF on, no file access from a
request, every Streamlit cache bounded."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sources() -> dict[Path, str]:
    paths = [ROOT / "app.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"),
             *ROOT.glob("lstm_viz/**/*.py")]
    return {p: p.read_text(encoding="utf-8") for p in paths}


# The only st.html: the app's own accessibility fixes, constant files: a stylesheet (CSS only)
# and a script that sets one ARIA role on Streamlit's own markup.
OWN_HTML = ("ui/a11y.py", ["    st.html(CSS)", "    st.html(SCRIPT, unsafe_allow_javascript=True)"])


def test_no_unsafe_html_anywhere():
    for path, src in _sources().items():
        assert "unsafe_allow_html" not in src, path
        if path.relative_to(ROOT).as_posix() == OWN_HTML[0]:
            for line in OWN_HTML[1]:
                assert line in src
                src = src.replace(line, "")
        assert "unsafe_allow_javascript" not in src, path
        assert not re.search(r"\bst\.html\(|components\.html\(", src), path
    css = (ROOT / "ui" / "a11y.css").read_text(encoding="utf-8")
    assert "<" not in css and "url(" not in css and "@import" not in css  # style rules only


def test_the_accessibility_script_only_sets_a_role():
    """No markup, no network, no storage, no code from strings, no user data: it finds
    Streamlit's drop zone and sets its role."""
    js = (ROOT / "ui" / "a11y.js").read_text(encoding="utf-8")
    code = re.sub(r"//.*", "", js)
    assert "<" not in js  # DOMPurify would drop the script; and no markup is written
    for word in ("fetch", "XMLHttpRequest", "WebSocket", "eval", "Function(", "innerHTML",
                 "outerHTML", "document.write", "cookie", "Storage", "location", "import",
                 "postMessage", "setTimeout", "src"):
        assert word not in code, word
    assert re.findall(r"\.(\w+)\(", code) == [
        "querySelectorAll", "forEach", "setAttribute", "observe"]


def test_xsrf_protection_stays_on():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^enableXsrfProtection\s*=\s*true", config, re.M)
    assert not re.search(r"^enableCORS\s*=\s*false", config, re.M)
    assert re.search(r'^showErrorDetails\s*=\s*"none"', config, re.M)


FILE_ACCESS = re.compile(r"(?<![.\w])open\(|\bPath\(|\.read_text\(|\.read_bytes\(|os\.path\.|"
                         r"\bio\.open|torch\.load\(|pickle\.|__import__|importlib|(?<![.\w])eval\(|(?<![.\w])exec\(")
ALLOWED_FILE_ACCESS = {  # constant paths next to the code, never a user's value
    "app.py": ['FAVICON = Path(__file__).parent / "ui" / "favicon.png"'],
    "ui/a11y.py": ['CSS = Path(__file__).with_name("a11y.css")',
                   'Path(__file__).with_name("a11y.js").read_text('],
    "lstm_viz/i18n/__init__.py": ["Path(__file__)", "open(", ".read_text("],
    # the Chromium of static exports: a deployment's variable or a fixed path, not a request
    "lstm_viz/io/static_image.py": ["os.path.isfile(value)", "os.path.isfile(candidate)"],
    # an upload's bytes, in memory (io.BytesIO), never a path; and the docstrings naming it
    "lstm_viz/io/weights_file.py": ["torch.load(io.BytesIO(data)", "``torch.load(",
                                 "except pickle.UnpicklingError"],
    # a training's messages from the server's own worker process, over a private pipe: the
    # snapshots it measured (settings go the other way already repaired), never a request's
    "lstm_viz/training/workers.py": ["pickle.dumps(message)",
                                     "pickle.loads(worker.conn.recv_bytes())"],
    # class mode's store: the deployment's LSTM_VIZ_DATA_DIR / LSTM_VIZ_DATABASE_URL (its
    # folder, and the migration's lock file beside the SQLite file), never a request's value
    "lstm_viz/classroom/config.py": ["Path(environ[DATA_DIR]", 'Path(base) / "lstm-viz"'],
    "lstm_viz/classroom/migrate.py": ["with open(Path(database).with_name(",
                                      "Path(engine.url.database).parent.mkdir("],
}


def test_nothing_from_a_request_reaches_the_file_system():
    for path, src in _sources().items():
        rel = path.relative_to(ROOT).as_posix()
        for line in src.splitlines():
            if FILE_ACCESS.search(line) and not line.lstrip().startswith(("#", '"', "'")):
                allowed = ALLOWED_FILE_ACCESS.get(rel, [])
                assert any(a in line for a in allowed), f"{rel}: {line.strip()}"


def test_every_streamlit_cache_is_bounded():
    decorators = 0
    for path, src in _sources().items():
        for match in re.finditer(r"@st\.cache_(data|resource)(\((?P<args>[^)]*)\))?", src):
            decorators += 1
            assert "max_entries=" in (match.group("args") or ""), f"{path}: {match.group(0)}"
            assert "max_entries=None" not in match.group("args")
    assert decorators >= 3
