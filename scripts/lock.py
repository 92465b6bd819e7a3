"""The lock files: exact versions with hashes for what the project installs.

``requirements/runtime.txt`` is what the image runs (the Dockerfile installs it with
``--require-hashes``), ``requirements/test.txt`` adds the test tools and ``requirements/dev.txt``
the linters and type checker (CI installs that one). ``pyproject.toml`` states what the project
needs (floors and ceilings); the lock files state what it is built and tested with.

- ``python scripts/lock.py check``: every requirement of ``pyproject.toml`` (the extra's too) is
  pinned in its lock file to a version it allows, every pin carries hashes, and nothing is pinned
  for the project that ``pyproject.toml`` no longer asks for. Offline, a second; CI runs it.
- ``python scripts/lock.py update``: write the lock files anew with ``uv pip compile`` (a
  ``dev`` tool; it asks the package index, so run it when dependencies change on purpose).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"runtime": None, "test": "test", "dev": "dev"}
"""Lock file name (under ``requirements/``) → the extra it adds to the runtime requirements."""
PYTHON = "3.11"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
_VIA_PROJECT = ("# via kaupunkitalkkari (pyproject.toml)", "#   kaupunkitalkkari (pyproject.toml)")


@dataclass(frozen=True)
class Pin:
    version: str
    hashes: int
    direct: bool
    """``uv`` says the project itself asks for it (``# via kaupunkitalkkari``)."""


def project_requirements(extra: str | None) -> list[Requirement]:
    """What ``pyproject.toml`` asks for, with ``extra``'s (self-references followed)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name = canonicalize_name(project["name"])
    wanted: list[Requirement] = []
    pending: list[str | None] = [None, *([extra] if extra else [])]  # None: the runtime's
    seen: set[str | None] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        extras = project["optional-dependencies"]
        texts = project["dependencies"] if current is None else extras[current]
        for text in texts:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == name:  # kaupunkitalkkari[test]
                pending.extend(requirement.extras)
            else:
                wanted.append(requirement)
    return wanted


def read_lock(path: Path) -> dict[str, Pin]:
    """The pins of a lock file: name → version, how many hashes, whether asked for directly."""
    pins: dict[str, Pin] = {}
    name, version, hashes, direct = None, "", 0, False
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        match = _PIN.match(line)
        if match or not line.strip():
            if name is not None:
                pins[name] = Pin(version, hashes, direct)
            name, version, hashes, direct = None, "", 0, False
        if match:
            name, version = canonicalize_name(match[1]), match[2]
        hashes += line.count("--hash=sha256:")
        direct = direct or line.strip() in _VIA_PROJECT
    return pins


def problems(lock: str, extra: str | None) -> list[str]:
    path = ROOT / "requirements" / f"{lock}.txt"
    if not path.exists():
        return [f"{path.relative_to(ROOT)} is missing: run python scripts/lock.py update"]
    pins = read_lock(path)
    found = []
    wanted = project_requirements(extra)
    for requirement in wanted:
        if requirement.marker is not None and not requirement.marker.evaluate(
            {"python_version": PYTHON, "extra": extra or ""}
        ):
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            found.append(f"{path.name}: {requirement.name} is not pinned")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            found.append(f"{path.name}: {requirement.name}=={pin.version} is outside {requirement}")
    wanted_names = {canonicalize_name(requirement.name) for requirement in wanted}
    for name, pin in sorted(pins.items()):
        if pin.hashes == 0:
            found.append(f"{path.name}: {name}=={pin.version} has no hash")
        if pin.direct and name not in wanted_names:
            found.append(f"{path.name}: {name} is pinned, but pyproject.toml no longer asks for it")
    return found


def check() -> int:
    found = [line for lock, extra in LOCKS.items() for line in problems(lock, extra)]
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print("the lock files are out of step: python scripts/lock.py update", file=sys.stderr)
        return 1
    print(f"lock files in step with pyproject.toml: {', '.join(LOCKS)}")
    return 0


def update() -> int:
    for lock, extra in LOCKS.items():
        command = [sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml", "--quiet"]
        command += ["--generate-hashes", "--universal", "--python-version", PYTHON, "--no-header"]
        command += ["--extra", extra] if extra else []
        command += ["--output-file", f"requirements/{lock}.txt"]
        subprocess.run(command, cwd=ROOT, check=True)
    return check()


if __name__ == "__main__":
    verbs = {"check": check, "update": update}
    if len(sys.argv) != 2 or sys.argv[1] not in verbs:
        print("usage: python scripts/lock.py check|update", file=sys.stderr)
        sys.exit(2)
    sys.exit(verbs[sys.argv[1]]())
