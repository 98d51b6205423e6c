#!/usr/bin/env bash
# Build the Dockerfile into lstm-viz:test, then smoke-test that image (scripts/lib/image_smoke.py;
# docs/DEPLOY.md, "How the image is tested"). CI runs it (.ci/run).
#
#   bash scripts/image.sh                   # build + smoke test
#   WITH_CHROMIUM=0 bash scripts/image.sh   # the image without Chromium (exports must say so)
#   bash scripts/image.sh --clean           # remove the image storage this script keeps
#
# With a Docker engine: `docker build` (the official base, pulled). Without one: buildah
# (Debian's; installed with apt-get as root), chroot isolation, vfs storage of its own in
# ${TMPDIR:-/var/tmp}/lstm-viz-image (the base and the last lstm-viz:test, ~2.6 GB, kept for
# the next run; ~5 GB at the peak; --clean also refreshes the stand-in base). Where the
# official base cannot be pulled, a stand-in base is made first (scripts/lib/standin_base.sh)
# and the output says so. torch comes from its CPU wheel, fetched with pip into wheels/
# (TORCH_FROM_WHEELS=1, see the Dockerfile).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE=lstm-viz:test
STANDIN=localhost/lstm-viz-standin:bookworm-py3.11
WITH_CHROMIUM="${WITH_CHROMIUM:-1}"
STORE="${TMPDIR:-/var/tmp}/lstm-viz-image"
LOGS=test-artifacts/image
say() { echo "scripts/image.sh: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

if [ "${1:-}" = --clean ]; then
    rm -rf "$STORE" wheels && say "removed $STORE and wheels/"
    exit 0
fi
[ "$#" = 0 ] || fail "unknown argument $1 (only --clean)"

source scripts/lib/python.sh   # PY, for pip and the smoke test
source scripts/lib/debian.sh   # need_packages
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
"$PY" -m pip install -q -r requirements-dev.txt   # playwright for the host's browser check
need_packages "the browser check loads the app from the image in it" /usr/bin/chromium \
    chromium fonts-noto-cjk || fail "Chromium is missing"
mkdir -p "$LOGS"

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    ENGINE=docker
else
    ENGINE=buildah
    need_packages "without a Docker engine the image is built with it" buildah buildah \
        || fail "buildah is missing"
    need_packages "the stand-in base is made with it" debootstrap debootstrap \
        || fail "debootstrap is missing"
    mkdir -p "$STORE"
    exec 9>"$STORE/lock"
    flock -w 1800 9 || fail "another scripts/image.sh holds $STORE/lock"
    # A storage of our own: vfs works wherever overlay mounts do not, and it never meets
    # the machine's other containers. Every buildah below reads this file.
    export CONTAINERS_STORAGE_CONF="$STORE/storage.conf" BUILDAH_ISOLATION=chroot
    printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/storage"\nrunroot = "%s/run"\n' \
        "$STORE" "$STORE" >"$CONTAINERS_STORAGE_CONF"
    buildah rm --all >/dev/null  # working containers a killed run left behind
    free_gb=$(df -P -BG "$STORE" | awk 'NR == 2 {print int($4)}')
    [ "$free_gb" -ge 10 ] || fail "$free_gb GB free under $STORE; a build needs ~10 GB"
fi

# torch: the CPU wheel of the version requirements.txt pins, for TORCH_FROM_WHEELS=1
TORCH=$(sed -n 's/^torch==\([^ ;#]*\).*/\1/p' requirements.txt)
start=$SECONDS
if ! compgen -G "wheels/torch-$TORCH+cpu-*.whl" >/dev/null; then
    rm -rf wheels
    "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
        -d wheels "torch==$TORCH"
    compgen -G "wheels/torch-$TORCH+cpu-*.whl" >/dev/null || fail "pip fetched $(ls wheels), \
not torch $TORCH's CPU build; rerun with PIP_INDEX_URL=https://download.pytorch.org/whl/cpu"
fi
wheel_s=$((SECONDS - start))

# The base: the Dockerfile's own where it can be pulled, else the stand-in.
BASE=$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile)
base_s=0
build_args=(--build-arg TORCH_FROM_WHEELS=1 --build-arg "WITH_CHROMIUM=$WITH_CHROMIUM")
if [ "$ENGINE" = buildah ]; then
    if buildah pull -q "docker.io/library/$BASE" >/dev/null 2>"$LOGS/pull.log"; then
        build_args+=(--build-arg "BASE_IMAGE=docker.io/library/$BASE")
    else
        say "$BASE cannot be pulled here: $(tail -1 "$LOGS/pull.log" | rev | cut -c1-100 | rev)"
        if ! buildah inspect --type image "$STANDIN" >/dev/null 2>&1; then
            say "making the stand-in base $STANDIN: Debian bookworm (debootstrap) + Debian's" \
                "Python 3.11 in a venv at /usr/local ..."
            start=$SECONDS
            if ! bash scripts/lib/standin_base.sh "$STANDIN" >"$LOGS/standin.log" 2>&1; then
                tail -40 "$LOGS/standin.log"
                fail "making the stand-in base (log: $LOGS/standin.log)"
            fi
            base_s=$((SECONDS - start))
        fi
        say "building FROM the STAND-IN base $STANDIN, not $BASE (docs/DEPLOY.md lists how" \
            "they differ)"
        build_args+=(--build-arg "BASE_IMAGE=$STANDIN" --pull-never)
    fi
    build_args+=(--format docker)  # keeps HEALTHCHECK (the OCI format has no field for it)
fi

say "building $IMAGE with $ENGINE (WITH_CHROMIUM=$WITH_CHROMIUM; log: $LOGS/build.log) ..."
start=$SECONDS
"$ENGINE" build "${build_args[@]}" -t "$IMAGE" . >"$LOGS/build.log" 2>&1 \
    || { tail -40 "$LOGS/build.log"; fail "the build (log: $LOGS/build.log)"; }
build_s=$((SECONDS - start))
if [ "$ENGINE" = buildah ]; then
    buildah rmi --prune >/dev/null  # the previous lstm-viz:test, now untagged
    size=$(buildah images --format '{{.Size}}' "$IMAGE")
else
    size="$(($(docker image inspect --format '{{.Size}}' "$IMAGE") / 1000000)) MB"
fi
say "built $IMAGE in ${build_s} s (torch wheel ${wheel_s} s, stand-in base ${base_s} s);" \
    "image size $size"

start=$SECONDS
"$PY" scripts/lib/image_smoke.py --engine "$ENGINE" --image "$IMAGE" \
    --with-chromium "$WITH_CHROMIUM" --logs "$LOGS" || fail "the smoke test of $IMAGE"
say "smoke test passed in $((SECONDS - start)) s; the whole image step took ${SECONDS} s"
