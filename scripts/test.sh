#!/usr/bin/env bash
# Install the test tools, then lint and run the whole test suite (engine, app, browser).
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh -m "not browser" -x   # extra arguments go to pytest
#
# On a fresh Debian machine run it as root (or with sudo): it installs Chromium and the CJK
# fonts the browser tests need when /usr/bin/chromium is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/lib/python.sh  # sets PY (a .venv where pip may not install system-wide)

export PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m pip install -r requirements-dev.txt

source scripts/lib/debian.sh  # need_packages

CHROMIUM=/usr/bin/chromium
need_packages "the browser tests need it" "$CHROMIUM" chromium fonts-noto-cjk || true
export LSTM_VIZ_CHROMIUM="$CHROMIUM"

# HAProxy (Debian's) for the two-replica test of deploy/haproxy/haproxy.cfg; it skips without.
if ! command -v haproxy >/dev/null; then
    need_packages "the two-replica test skips" /usr/sbin/haproxy haproxy || true
fi

# PostgreSQL (Debian's) for the class store's tests: they start a server of their own in a
# temporary folder (serving/postgres.py) and fail in CI without one.
if ! compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; then
    need_packages "the class store's PostgreSQL tests need it" \
        /usr/lib/postgresql/15/bin/pg_ctl postgresql || true
fi

# 2-core machines: one compute thread per process for torch and NumPy's OpenBLAS (pytest and
# the app server the browser tests start would otherwise oversubscribe the cores, and spinning
# threads on a busy box cost 10x and more). Override by exporting them.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}" \
    OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

"$PY" -m ruff check .
# The layering written down in .importlinter (lint-imports; no __main__ to run with -m).
"$PY" -c 'from importlinter.cli import lint_imports_command; lint_imports_command()'

rc=0
"$PY" -m pytest "$@" || rc=$?
if [ "$rc" = 5 ]; then
    echo "scripts/test.sh: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit "$rc"
