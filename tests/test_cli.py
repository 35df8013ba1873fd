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


def _pool_after_cli(env_pool: str | None) -> str:
    """The Arrow pool a fresh ``trustnet`` process allocates with, given ARROW_DEFAULT_MEMORY_POOL (the command fails
    on a missing file after the group has set the pool up)."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if env_pool:
        env["ARROW_DEFAULT_MEMORY_POOL"] = env_pool
    code = ("import pyarrow as pa\nfrom trustnet.cli import main\ntry:\n    main(['analyse', 'no-such-export.csv'])\n"
            "except SystemExit:\n    pass\nprint(pa.default_memory_pool().backend_name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_command_allocates_arrow_memory_with_jemalloc_unless_told_otherwise():
    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowNotImplementedError):
        import pytest

        pytest.skip("this pyarrow was built without jemalloc")
    assert _pool_after_cli(None) == "jemalloc"  # hands freed memory back: 1M customers peak 4.34 -> 4.09 GB
    assert _pool_after_cli("system") == "system"  # the user's choice wins
