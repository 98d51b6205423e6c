# Sourced by test.sh and image.sh: `need_packages WHY COMMAND PACKAGE...` installs Debian's
# PACKAGEs with apt-get (as root, one `apt-get update` per script) when COMMAND (a name on
# PATH or a path) is missing; without root it says how to install them and returns 1.
need_packages() {
    local why=$1 cmd=$2
    shift 2
    if command -v "$cmd" >/dev/null; then
        return 0
    fi
    if [ "$(id -u)" = 0 ]; then
        if [ -z "${APT_UPDATED:-}" ]; then
            apt-get update
            APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
        return
    fi
    echo "$0: $cmd is missing; $why. Install with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y $*" >&2
    return 1
}
