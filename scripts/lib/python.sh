# Sourced by run-app.sh and test.sh: sets PY to the Python to install into and run with.
# Debian's own python3 refuses `pip install` (PEP 668): then a virtual environment, .venv.
PY="${PYTHON:-$(command -v python3 || command -v python)}"
if "$PY" -c 'import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(marker) else 1)'; then
    if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
        rm -rf .venv
        if ! "$PY" -m venv .venv; then
            if [ "$(id -u)" != 0 ]; then
                echo "$0: needs python3-venv: sudo apt-get install -y python3-venv" >&2
                exit 1
            fi
            apt-get update
            DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
            rm -rf .venv && "$PY" -m venv .venv
        fi
    fi
    PY=.venv/bin/python
fi

