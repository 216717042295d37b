"""The locks agree with pyproject.toml: every dependency it names is pinned, with hashes, at a version its range
allows (requirements.lock: the runtime; requirements-dev.lock: with the test and embedded extras)."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PROJECT["optional-dependencies"]


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    pinned = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\$", text, re.MULTILINE))
    assert len(re.findall(r"^[A-Za-z0-9_.\-]+==", text, re.MULTILINE)) == len(pinned), "a pin without its hashes"
    return {canonicalize_name(name): version for name, version in pinned.items()}


@pytest.mark.parametrize(("lock", "requirements"), [
    ("requirements.lock", PROJECT["dependencies"]),
    ("requirements-dev.lock", PROJECT["dependencies"] + EXTRAS["test"] + EXTRAS["embedded"]),
])
def test_every_dependency_is_locked_at_a_version_its_range_allows(lock, requirements):
    locked = pins(lock)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in {lock}: lock it again (README, Dependencies)"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lock} pins {requirement.name} {locked[name]}, outside {requirement.specifier}")
