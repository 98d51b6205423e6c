#!/usr/bin/env bash
# Install the app's requirements and serve it at http://localhost:8501.
# Extra arguments go to `streamlit run` (e.g. --server.port 8600), through scripts/serve.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/lib/python.sh  # sets PY (a .venv where pip may not install system-wide)

export PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m pip install -r requirements.txt
# serve.py checks the LSTM_VIZ_* teacher settings (exit 2 on a bad one), then runs streamlit
exec "$PY" scripts/serve.py --server.port 8501 "$@"
