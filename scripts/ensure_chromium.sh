#!/usr/bin/env sh
# Make sure a Chromium browser is installed for `make uitest` (headless JupyterLab checks).
# Installs Debian's `chromium` package when that is possible without a password prompt,
# waiting and retrying while another apt process holds the lock; otherwise says what to run.
# (Playwright's own browser download, `playwright install`, is never used.)
for exe in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -n "$exe" ] && [ -x "$exe" ] && exit 0
done

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        SUDO="none"
    fi
    if [ "$SUDO" != "none" ]; then
        echo "Chromium is missing: installing Debian's chromium package (about 100 MB)..."
        tries=0
        until $SUDO apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; do
            tries=$((tries + 1))
            [ "$tries" -ge 20 ] && break
            echo "apt is busy (another install is running?); trying again in 15 s ($tries/20)"
            sleep 15
        done
        [ -x /usr/bin/chromium ] && { echo "Installed: $(/usr/bin/chromium --version)"; exit 0; }
    fi
fi

cat >&2 <<'MSG'

`make uitest` drives JupyterLab in a headless Chromium, and none is installed.
Install it once (or point CHROMIUM=/path/to/chromium at one), then run make uitest again:

  Debian / Ubuntu:  sudo apt-get install chromium
  Fedora:           sudo dnf install chromium
  macOS (Homebrew): brew install --cask chromium

MSG
exit 1
