#!/usr/bin/env sh
# Make sure Graphviz's `dot` program is on PATH: the chapters draw expression trees with it.
# Installs Debian's `graphviz` package when that is possible without a password prompt;
# otherwise stops and says how to install it.
command -v dot >/dev/null 2>&1 && exit 0

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
        $SUDO apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null
        command -v dot >/dev/null 2>&1 && { echo "Installed: $(dot -V 2>&1)"; exit 0; }
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
