"""environment.yml (conda) and pyproject.toml (pip) must declare the same dependencies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent
# conda-forge name -> PyPI name, where they differ
CONDA_TO_PIP = {"python-graphviz": "graphviz"}
# conda packages with no PyPI counterpart: the interpreter, pip, and Graphviz's binaries
CONDA_ONLY = {"python", "pip", "dot (graphviz binaries)"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement).groups()
    return name.lower(), spec.replace(" ", "")


def _pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_split(r) for r in reqs)


def _conda_requirements() -> tuple[dict[str, str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep.get("pip", []))
            continue
        name, spec = _split(dep.split("#")[0])
        if name == "graphviz":  # on conda-forge, `graphviz` is the binaries, not the package
            name = "dot (graphviz binaries)"
        conda[CONDA_TO_PIP.get(name, name)] = spec
    return conda, pip


def test_environment_yml_is_valid_and_uses_conda_forge():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    assert env["name"]


def test_same_dependency_set_and_versions():
    conda, pip_section = _conda_requirements()
    pip = _pip_requirements()
    packages = {k: v for k, v in conda.items() if k not in CONDA_ONLY}
    assert packages == pip, f"conda {packages} != pyproject {pip}"
    assert pip_section == ["-e ."], "environment.yml must install the package itself, editable"


def test_conda_has_graphviz_binaries_and_python_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = {_split(d.split("#")[0])[0] for d in env["dependencies"] if isinstance(d, str)}
    assert {"graphviz", "python-graphviz", "python"} <= names


def test_the_pythons_ci_tests_are_the_ones_pyproject_declares():
    """pyproject's classifiers name exactly the versions CI runs: 3.11 by make test, the rest
    by scripts/test_pythons.sh."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        c.rsplit(" ", 1)[1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    script = (ROOT / "scripts" / "test_pythons.sh").read_text()
    others = re.search(r"versions=\(([\d. ]+)\)", script).group(1).split()
    assert declared == {"3.11", *others}
    assert project["requires-python"] == f">={min(declared, key=lambda v: int(v.split('.')[1]))}"
