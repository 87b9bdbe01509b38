"""environment.yml (conda) and pyproject.toml (pip) must name the same packages and pins."""

import re
import tomllib

import yaml

from tests.conftest import ROOT


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    pins = {}
    for requirement in requirements:
        name, version = requirement.split("==")
        pins[_normalise(name)] = version
    return pins


def _environment_pins() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for item in environment["dependencies"]:
        if isinstance(item, dict):
            for requirement in item["pip"]:
                if "==" in requirement:
                    name, version = requirement.split("==")
                    pins[_normalise(name)] = version
        elif "=" in item and not item.startswith(("python=", "pip")):
            name, version = item.split("=", 1)
            pins[_normalise(name)] = version
    return pins


def test_same_packages_and_versions():
    assert _environment_pins() == _pyproject_pins()


def test_environment_installs_the_project_and_lists_pip():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "pip" in environment["dependencies"]
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert "-e ." in pip_section


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", requirement), requirement


def test_lock_file_agrees_with_pins():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            lock[_normalise(name)] = version
    for name, version in _pyproject_pins().items():
        assert lock.get(name) == version, name
