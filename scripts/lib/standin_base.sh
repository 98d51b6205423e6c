#!/usr/bin/env bash
# Make a stand-in for the official python:3.11-slim-bookworm base where it cannot be pulled:
# `bash scripts/lib/standin_base.sh NAME` (run by scripts/image.sh, as root, with buildah's
# storage set up). Debian bookworm (debootstrap minbase) set up as Debian's own slim image
# is (bookworm-updates and bookworm-security; apt's caches cleaned after every install, no
# translations, docs, man pages or locales; no services started), Debian's Python 3.11 as a
# venv at /usr/local, so that python, pip and site-packages sit where the official image has
# them (a venv, not Debian's pip: Debian's Python refuses system-wide installs, PEP 668), and
# the official image's LANG, PATH and CMD. The CAs this host trusts locally (/usr/local/share/
# ca-certificates: a TLS-inspecting proxy's) are trusted in it too, so pip can reach PyPI.
set -euo pipefail
NAME=$1
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

ctr=$(buildah from scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
root=$(buildah mount "$ctr")
debootstrap --variant=minbase bookworm "$root" "$MIRROR"

rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
# What debuerreotype (the tool behind Debian's images) sets up, written out here.
archives=/var/cache/apt/archives
clean="\"rm -f $archives/*.deb $archives/partial/*.deb /var/cache/apt/*.bin || true\";"
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<APT
DPkg::Post-Invoke { $clean };
APT::Update::Post-Invoke { $clean };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
echo 'Apt::AutoRemove::SuggestsImportant "false";' \
    >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
slim=(/usr/share/doc /usr/share/groff /usr/share/info /usr/share/linda
      /usr/share/lintian/overrides /usr/share/locale /usr/share/man)
printf 'path-exclude %s/*\n' "${slim[@]}" >"$root/etc/dpkg/dpkg.cfg.d/docker"
echo 'path-include /usr/share/doc/*/copyright' >>"$root/etc/dpkg/dpkg.cfg.d/docker"
for dir in "${slim[@]:1}"; do  # and what debootstrap already put there
    rm -rf "${root:?}$dir"/*
done
find "$root/usr/share/doc" ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    echo "trusting this host's local CAs too:" /usr/local/share/ca-certificates/*.crt
    mkdir -p "$root/usr/local/share/ca-certificates"  # ca-certificates' postinst adds them
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi

# As the official image: ca-certificates, netbase, tzdata; then the venv.
buildah run "$ctr" -- sh -euc '
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get upgrade -y
    apt-get install -y --no-install-recommends python3.11-venv ca-certificates netbase tzdata
    apt-get clean
    rm -rf /var/lib/apt/lists/*
    python3.11 -m venv /usr/local
    rm /usr/local/bin/activate* /usr/local/bin/Activate.ps1
    /usr/local/bin/python -c "import sys, pip
print(\"stand-in: Python\", sys.version.split()[0], \"pip\", pip.__version__, \"in\", sys.prefix)"'
buildah config --env PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd python3 \
    --label org.opencontainers.image.description="stand-in for python:3.11-slim-bookworm" \
    "$ctr"
buildah commit --rm -q "$ctr" "$NAME"
trap - EXIT
