#!/usr/bin/env bash
# Install the app's requirements and serve it at http://localhost:8501.
# Extra arguments go to `streamlit run` (e.g. --server.port 8600).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/python.sh  # sets PY (a .venv where pip may not install system-wide)

export PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m pip install -r requirements.txt
exec "$PY" -m streamlit run app.py --server.port 8501 "$@"
