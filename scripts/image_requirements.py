"""Print the image's requirements: pyproject.toml's dependencies, with ``tensorflow`` replaced by
``tensorflow-cpu`` (the same version and module without the GPU libraries: the image runs on
CPUs). The Dockerfile installs these with ``-c constraints.txt``; ``make constraints`` pins them.

Usage: ``python scripts/image_requirements.py [pyproject.toml]`` (standard library only: it runs
in the bare base image).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

CPU_WHEEL = re.compile(r"^tensorflow(?=[<>=!~ ;\[]|$)")


def image_requirements(pyproject: Path) -> list[str]:
    """The requirement lines the image installs, in pyproject.toml's order.

    Parameters
    ----------
    pyproject
        The project's ``pyproject.toml``.
    """
    with pyproject.open("rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    return [CPU_WHEEL.sub("tensorflow-cpu", line) for line in dependencies]


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("pyproject.toml")
    print("\n".join(image_requirements(path)))
