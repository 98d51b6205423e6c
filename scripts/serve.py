"""Check the teacher's settings, then serve the app: ``python scripts/serve.py [streamlit args]``.

Every ``LSTM_VIZ_*`` variable is checked first (``lstm_viz.state.teacher_env.read``); with any
invalid one the server does not start: each problem goes to stderr and the exit status is
2. Otherwise this same process runs ``streamlit run app.py <args>`` (Streamlit's own CLI,
so signals and the exit status are Streamlit's), from the repository root so that
``.streamlit/config.toml`` applies. In-process rather than ``exec``: the check has already
imported torch (~3-5 s on 2 cores), and a new process would pay that again before the first
page. Once the server answers ``/_stcore/health``, a background thread visits every page of
every preset (serving/warm.py), so that the first student finds the caches warm
(``LSTM_VIZ_WARM=0``: not). Used by the Docker image and ``scripts/run-app.sh``:

    LSTM_VIZ_PRESET=pets LSTM_VIZ_LOCK=1 python scripts/serve.py --server.port 8501
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lstm_viz.classroom import config as class_config  # noqa: E402 (needs ROOT on sys.path)
from lstm_viz.core.devices import resolve_device  # noqa: E402
from lstm_viz.state.teacher_env import TeacherEnv, TeacherEnvError, read  # noqa: E402
from serving import warm  # noqa: E402


def describe(env: TeacherEnv) -> str:
    """One line for the server log: the settings that differ from the defaults."""
    changed = [f"{name}={value}" for name, value in (
        ("preset", env.preset), ("lang", env.lang), ("hide", ",".join(env.hide)),
        ("lock", "1" if env.lock else ""), ("device", env.device),
        ("torch_threads", env.torch_threads if env.torch_threads != 1 else ""),
        ("max_trainings", "" if env.max_trainings is None else str(env.max_trainings)),
        ("training_workers", env.training_workers or ""),
    ) if value]
    default = vars(type(env.caps)())
    changed += [f"{k}={v}" for k, v in vars(env.caps).items() if v != default[k]]
    return "lstm-viz: teacher settings: " + (", ".join(changed) or "defaults")


def main(args: list[str]) -> int:
    try:
        env = read(os.environ)
    except TeacherEnvError as err:
        print(f"lstm-viz: the server does not start: {err}", file=sys.stderr)
        print("Fix or unset these variables (docs/DEPLOY.md lists every setting).",
              file=sys.stderr)
        return 2
    print(describe(env), file=sys.stderr)
    print(class_config.describe(class_config.read(os.environ)), file=sys.stderr)
    if env.device and (reason := resolve_device(env.device).fallback_reason):
        print(f"lstm-viz: warning: LSTM_VIZ_DEVICE: {reason}", file=sys.stderr)
    os.chdir(ROOT)
    sys.stderr.flush()
    from streamlit.web import cli  # after the check: a bad setting starts nothing

    warm.start(args)  # once /_stcore/health answers: every preset's pages, in the background
    sys.argv = ["streamlit", "run", "app.py", *args]
    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
