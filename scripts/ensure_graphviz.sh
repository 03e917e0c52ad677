#!/usr/bin/env sh
# Make sure Graphviz's `dot` program is on PATH: the chapters draw expression trees with it.
# Installs Debian's `graphviz` package when that is possible without a password prompt;
# otherwise stops and says how to install it. When another program is installing packages
# (apt's lock is held), it says so, waits and retries, instead of claiming it cannot install.
#   GRAPHVIZ_APT_TRIES  how many times to try apt while it is busy (default 12)
#   GRAPHVIZ_APT_PAUSE  seconds between tries (default 10)
command -v dot >/dev/null 2>&1 && exit 0

TRIES="${GRAPHVIZ_APT_TRIES:-12}"
PAUSE="${GRAPHVIZ_APT_PAUSE:-10}"
LOG="${TMPDIR:-/tmp}/ensure_graphviz.$$.log"

# apt's messages when another apt or dpkg holds its lock (apt 1.x-2.x wordings).
apt_busy() {
    grep -qiE "could not get lock|unable to acquire the dpkg frontend lock|unable to lock|is another process using it" "$LOG"
}

install_with_apt() {
    # $1: the sudo prefix ("" when root). Returns 0 installed, 1 failed, 2 apt stayed busy.
    try=1
    while :; do
        if { $1 apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $1 apt-get install -y -qq graphviz; } >"$LOG" 2>&1; then
            rm -f "$LOG"
            return 0
        fi
        if ! apt_busy; then
            cat "$LOG" >&2
            rm -f "$LOG"
            return 1
        fi
        if [ "$try" -ge "$TRIES" ]; then
            rm -f "$LOG"
            return 2
        fi
        echo "apt is busy: another program is installing packages and holds apt's lock." \
            "Waiting ${PAUSE} s, then trying again (try $((try + 1)) of ${TRIES})..."
        sleep "$PAUSE"
        try=$((try + 1))
    done
}

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        SUDO="none"
    fi
    if [ "$SUDO" != "none" ]; then
        echo "Graphviz's 'dot' is missing: installing Debian's graphviz package (about 14 MB)..."
        install_with_apt "$SUDO"
        status=$?
        command -v dot >/dev/null 2>&1 && { echo "Installed: $(dot -V 2>&1)"; exit 0; }
        if [ "$status" = 2 ]; then
            cat >&2 <<'MSG'

Graphviz's `dot` is not installed yet because apt is busy: another program (an update or
another install) has held apt's lock for the whole wait. Wait for it to finish, then run the
same make command again; it will install Graphviz then.

MSG
            exit 1
        fi
    fi
fi

cat >&2 <<'MSG'

The chapters need Graphviz's `dot` program to draw expression trees, and it is not installed.
Install it once, then run the same make command again:

  Debian / Ubuntu:  sudo apt-get install graphviz
  Fedora:           sudo dnf install graphviz
  macOS (Homebrew): brew install graphviz
  conda:            conda install -c conda-forge graphviz

MSG
exit 1
