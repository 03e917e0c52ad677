"""The learner's own copies of the chapters, in my-notebooks/ (git-ignored).

    python scripts/my_notebooks.py            add every chapter (and file) not copied yet
    python scripts/my_notebooks.py reset 04   put chapter 4 back as the course ships it

`make lab` runs the first form before starting JupyterLab, `make reset CHAPTER=04` the second.
A copy the learner has already got is never overwritten, so their answers survive a
`git pull`, and a chapter that arrives later is added on the next `make lab`. Resetting keeps
the learner's version beside the fresh one, as ``NN_name.before-reset.ipynb``.

my-notebooks/ sits beside notebooks/, so the chapters' relative links (``../images/…``,
``../README.md``, the next chapter) work the same from either folder.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "notebooks"
LEARNER = ROOT / "my-notebooks"
SKIP = {".ipynb_checkpoints", "__pycache__"}


def sync(course: Path = COURSE, learner: Path = LEARNER) -> list[Path]:
    """Copy every file of the course folder that the learner's folder lacks; return them."""
    added = []
    for src in sorted(course.rglob("*")):
        rel = src.relative_to(course)
        if src.is_dir() or SKIP & set(rel.parts):
            continue
        dst = learner / rel
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            added.append(dst)
    return added


def reset(chapter: str, course: Path = COURSE, learner: Path = LEARNER) -> Path:
    """Replace the learner's copy of one chapter ("4", "04" or a file name) with the course's."""
    key = chapter.strip()
    if key.isdigit():
        matches = sorted(course.glob(f"{int(key):02d}_*.ipynb"))
    else:
        matches = [course / Path(key).name] if (course / Path(key).name).is_file() else []
    if len(matches) != 1:
        names = ", ".join(p.name[:2] for p in sorted(course.glob("[0-9][0-9]_*.ipynb")))
        raise ValueError(f"no chapter {chapter!r} in {course.name}/; the chapters are {names}")
    src = matches[0]
    dst = learner / src.name
    if dst.exists():
        keep = dst.with_name(dst.stem + ".before-reset.ipynb")
        shutil.move(dst, keep)
        print(f"your version is kept as {keep.name}")
    learner.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    return dst


def main(argv: list[str]) -> int:
    if argv[:1] == ["reset"]:
        if len(argv) != 2 or not argv[1]:
            print("usage: make reset CHAPTER=04   (or: python scripts/my_notebooks.py reset 04)")
            return 2
        try:
            dst = reset(argv[1])
        except ValueError as exc:
            print(exc)
            return 2
        print(f"reset {dst.relative_to(ROOT)} to the course's version")
        return 0
    if argv:
        print(__doc__)
        return 2
    for path in sync():
        print(f"added {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
