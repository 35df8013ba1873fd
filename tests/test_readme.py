"""The README cannot rot: its commands, options, settings and code must match the tool."""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path

from trustnet.cli import cli
from trustnet.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def first_screen() -> str:
    return README.split("\n---\n", 1)[0]


def test_first_screen_has_exactly_two_commands_install_and_test():
    blocks = re.findall(r"```\n(.*?)```", first_screen(), flags=re.S)
    assert len(blocks) == 2
    demo, tests = (b.strip() for b in blocks)
    assert "pip install" in demo and "trustnet analyse datasets/" in demo
    assert "pip install" in tests and tests.endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests.split("&& ", 2)[-1] in ci, "the README's test command must be what .ci/run runs"


def test_demo_command_names_bundled_files_that_exist():
    demo = re.findall(r"```\n(.*?)```", first_screen(), flags=re.S)[0]
    for word in shlex.split(demo.replace("&&", " ")):
        if word.startswith("datasets/"):
            assert (ROOT / word).is_file(), word


def test_every_command_and_option_is_documented():
    for name, command in cli.commands.items():
        assert f"trustnet {name}" in README, name
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in README, f"trustnet {name} {opt} is not in the README"


def test_every_setting_is_documented_with_its_default():
    settings = Settings()
    for section in dataclasses.fields(settings):
        assert f"[{section.name}]" in README, section.name
        for key in dataclasses.fields(getattr(settings, section.name)):
            assert f"`{key.name}`" in README, f"{section.name}.{key.name}"


def test_python_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert code
    for block in code:
        exec(compile(block, "README.md", "exec"), {})  # the README's own example, not user data
