"""What an operator installs: the systemd units, runtime-only `make run`, licence, changelog.

CI also runs ``deploy/verify`` (``systemd-analyze verify`` on each unit) where the machine has
systemd-analyze; the checks here hold everywhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
DEV_TOOLS = ("pytest", "ruff", "mypy", "hypothesis", "mutmut", "pre-commit", "py-spy")

Unit = dict[str, dict[str, list[str]]]


def read_unit(path: Path) -> Unit:
    """Sections, and each key's values in order (systemd keys may repeat: EnvironmentFile=)."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith(("#", ";")):
            continue
        if text.startswith("[") and text.endswith("]"):
            section = unit.setdefault(text[1:-1], {})
            continue
        key, equals, value = text.partition("=")
        assert equals and section is not None, f"{path.name}:{number}: not key=value: {line!r}"
        assert not text.endswith("\\"), f"{path.name}:{number}: keep each setting on one line"
        section.setdefault(key.strip(), []).append(value.strip())
    return unit


def test_deploy_ships_a_unit_and_a_template_for_several_processes() -> None:
    assert [unit.name for unit in UNITS] == ["gridbot.service", "gridbot@.service"]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_runs_the_venvs_bot_as_a_plain_user_restarting_on_failure(path: Path) -> None:
    service = read_unit(path)["Service"]

    assert service["Restart"] == ["on-failure"]
    user = service["User"][0]
    assert user and user not in ("root", "0"), "never as root"
    assert service["Group"][0] not in ("root", "0")
    (workdir,) = service["WorkingDirectory"]
    assert workdir.startswith("/")
    assert service["ExecStart"] == [f"{workdir}/.venv/bin/python -m bot"]
    assert "/etc/gridbot/gridbot.env" in service["EnvironmentFile"], "the settings and token"
    assert set(service["RestartPreventExitStatus"][0].split()) == {"2", "3"}, (
        "bad settings and a rejected token wait for a person"
    )
    assert service["KillSignal"] == ["SIGTERM"]
    assert int(service["TimeoutStopSec"][0]) > 5, "room for the 5 s drain and a clean close"
    assert service["NoNewPrivileges"] == ["yes"]
    assert read_unit(path)["Install"]["WantedBy"] == ["multi-user.target"]


def test_each_instance_of_the_template_has_its_own_settings_file() -> None:
    service = read_unit(DEPLOY / "gridbot@.service")["Service"]
    assert service["EnvironmentFile"] == ["/etc/gridbot/gridbot.env", "/etc/gridbot/%i.env"]
    text = (DEPLOY / "gridbot@.service").read_text(encoding="utf-8")
    ports = re.findall(r"GRIDBOT_METRICS_ADDR=127\.0\.0\.1:(\d+)", text)
    assert len(ports) == len(set(ports)) == 2, "the example gives each process its own port"


def test_deploy_verify_is_run_by_ci() -> None:
    assert (DEPLOY / "verify").stat().st_mode & 0o111, "deploy/verify is executable"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "deploy/verify" in ci


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def names(requirements: object) -> set[str]:
    assert isinstance(requirements, list)
    return {re.split(r"[\s<>=!~;\[]", str(r), maxsplit=1)[0].lower() for r in requirements}


def test_runtime_dependencies_hold_no_development_tool() -> None:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    runtime = names(project["dependencies"])
    dev = names(project["optional-dependencies"]["dev"])
    assert {"discord.py", "prometheus-client", "aiohttp"} <= runtime
    assert not runtime & set(DEV_TOOLS)
    assert set(DEV_TOOLS) <= dev


def make_plan(folder: Path, *targets: str) -> str:
    """What ``make`` would run for ``targets`` in a fresh clone, with no ``.venv`` (``-n``)."""
    assert shutil.which("make"), "make is not installed: it is how the README runs the bot"
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *targets, f"PYTHON={sys.executable}"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_the_runtime_alone(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, "run")
    assert "-m venv --clear .venv" in plan
    assert "pip install --quiet -e '.'" in plan
    assert "[dev]" not in plan


@pytest.mark.parametrize("target", ["test", "lint", "setup"])
def test_tests_and_linters_install_the_development_tools(target: str, tmp_path: Path) -> None:
    assert "pip install --quiet -e '.[dev]'" in make_plan(tmp_path, target)


def test_licence_is_mit_for_gridbot_contributors() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("The MIT License (MIT)")
    assert re.search(r"Copyright \(c\) \d{4} Gridbot contributors", text)
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_changelog_starts_with_this_release() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert releases == ["Unreleased"], "one release so far: this one"
    sections = re.findall(r"^### (\w+)", text, flags=re.MULTILINE)
    allowed = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    assert sections and set(sections) <= allowed, "Keep a Changelog's sections"
    for setting in ("GRIDBOT_SHARD_COUNT", "GRIDBOT_SHARD_IDS", "GRIDBOT_METRICS_ADDR"):
        assert setting in text
