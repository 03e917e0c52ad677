#!/usr/bin/env bash
# Run the whole test suite (make test: unit, property and notebook tests) under every Python
# the course supports other than the one `make test` already used, each in its own virtual
# environment (.venv-3.X). An interpreter this machine does not have is skipped with a notice.
#   scripts/test_pythons.sh            # 3.10 3.12 3.13
#   scripts/test_pythons.sh 3.10 3.13  # just these
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # a working python$1 on PATH, else the newest under pyenv, else nothing
    local v=$1 candidate
    # pyenv's shims answer to python3.X even when that version is not selected, and then fail:
    # a candidate counts only if it runs and really is Python $v.
    for candidate in "$(command -v "python$v" || true)" \
        $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$v".*/bin/python3 2>/dev/null | sort -rV); do
        if [ -n "$candidate" ] && "$candidate" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$v'" 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
}

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.10 3.12 3.13)
ran=() skipped=()
for v in "${versions[@]}"; do
    py=$(find_python "$v")
    if [ -z "$py" ]; then
        echo "=== Python $v: not installed on this machine, skipped"
        skipped+=("$v")
        continue
    fi
    echo "=== Python $v: $("$py" --version) at $py"
    make test PYTHON="$py" VENV=".venv-$v"
    ran+=("$v")
done
echo "=== other Pythons: passed on ${ran[*]:-none}; skipped (not installed): ${skipped[*]:-none}"
