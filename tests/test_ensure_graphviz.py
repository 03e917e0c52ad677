"""scripts/ensure_graphviz.sh, run against a fake apt-get: busy apt is reported and retried."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ensure_graphviz.sh"
LOCKED = "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="a POSIX shell script")


def _fake_bin(tmp_path: Path, busy_calls: int, failure: str = "") -> Path:
    """A PATH with only the tools the script uses; apt-get is busy for `busy_calls` calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("grep", "cat", "rm", "sleep"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    scripts = {
        "id": "echo 0",  # root, so no sudo is needed
        "apt-get": f"""
n=$(cat {tmp_path}/calls 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {tmp_path}/calls
if [ $n -le {busy_calls} ]; then echo "{LOCKED}" >&2; exit 100; fi
if [ -n "{failure}" ]; then echo "{failure}" >&2; exit 100; fi
if [ "$1" = install ] || [ "$3" = install ]; then
    printf '#!/bin/sh\\necho "dot - graphviz version 2.43.0" >&2\\n' > {bin_dir}/dot
    '{shutil.which("chmod")}' +x {bin_dir}/dot
fi
""",
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)
    return bin_dir


def _run(bin_dir: Path, tries: int = 3) -> subprocess.CompletedProcess:
    env = {"PATH": str(bin_dir), "GRAPHVIZ_APT_TRIES": str(tries), "GRAPHVIZ_APT_PAUSE": "0"}
    return subprocess.run(
        ["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )


def test_busy_apt_is_reported_and_retried_until_it_is_free(tmp_path):
    result = _run(_fake_bin(tmp_path, busy_calls=2))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("apt is busy") == 2
    assert "Installed: dot - graphviz version" in result.stdout
    assert "not installed" not in result.stderr


def test_apt_busy_for_the_whole_wait_says_wait_and_retry(tmp_path):
    result = _run(_fake_bin(tmp_path, busy_calls=99), tries=3)
    assert result.returncode == 1
    assert result.stdout.count("apt is busy") == 2  # tries 2 and 3 are announced
    assert "because apt is busy" in result.stderr
    assert "run the\nsame make command again" in result.stderr
    assert "sudo apt-get install graphviz" not in result.stderr
    assert (tmp_path / "calls").read_text().strip() == "3"


def test_other_apt_failures_show_apt_s_message_and_how_to_install(tmp_path):
    result = _run(_fake_bin(tmp_path, busy_calls=0, failure="E: Unable to locate package x"))
    assert result.returncode == 1
    assert "apt is busy" not in result.stdout
    assert "Unable to locate package" in result.stderr
    assert "sudo apt-get install graphviz" in result.stderr


def test_nothing_to_do_when_dot_is_there(tmp_path):
    bin_dir = _fake_bin(tmp_path, busy_calls=99)
    (bin_dir / "dot").write_text("#!/bin/sh\n")
    (bin_dir / "dot").chmod(0o755)
    result = _run(bin_dir)
    assert result.returncode == 0 and result.stdout == "" and not (tmp_path / "calls").exists()
