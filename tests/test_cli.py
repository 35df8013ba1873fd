"""The command line as a user meets it: help, version, errors."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

import trustnet
from trustnet.cli import cli


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert trustnet.__version__ in result.output


def test_help_lists_every_command_with_a_description():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, command in cli.commands.items():
        assert name in result.output
        assert command.get_short_help_str().strip(), f"{name} has no one-line description"


def test_every_command_help_ends_with_an_example():
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        tail = result.output.strip().splitlines()[-3:]
        assert any("trustnet " + name in line for line in tail), f"{name} --help does not end with an example"


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "trustnet", "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert trustnet.__version__ in out.stdout
