"""The documentation cannot rot: public API, docstrings with runnable examples, type hints, mypy.

The examples themselves run as doctests (``--doctest-modules`` over ``trustnet/``); these tests check that
every public function and class has one, that the package exports what the README promises, and that
``mypy trustnet`` stays clean.
"""

from __future__ import annotations

import ast
import configparser
import importlib
import importlib.util
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import trustnet

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "trustnet"

# What issue 11 promises researchers can import from the top level.
PROMISED = [
    "analyse", "Analysis", "load_referrals", "load_touchpoints", "load_ratings", "detect_kind", "LoadReport",
    "build_graph", "TrustGraph", "score_trust", "TrustScores", "rank_advocates", "nurture", "find_at_risk",
    "calibrate_risk", "find_suspicious", "Suspicion", "generate", "World", "score_ratings", "fairness_goodness",
    "predict_ratings", "Settings", "load_settings", "TrustnetError", "InputError", "SettingsError",
    "OutputError", "DataQualityWarning",
]


def _modules():
    yield trustnet
    for info in pkgutil.walk_packages(trustnet.__path__, "trustnet."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        yield importlib.import_module(info.name)


def _public_objects():
    """Every function and class named in some module's ``__all__`` (re-exports counted once)."""
    found = {}
    for module in _modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("trustnet"):
                continue
            found.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return found


def _public_methods(objects):
    """The public methods and properties each public class defines itself (not exceptions' inherited API)."""
    found = {}
    for qualname, cls in objects.items():
        if not inspect.isclass(cls) or issubclass(cls, BaseException):
            continue
        for name, member in vars(cls).items():
            if name.startswith("_"):
                continue
            func = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
            if inspect.isfunction(func):
                found[f"{qualname}.{name}"] = func
    return found


PUBLIC = _public_objects()
PUBLIC_METHODS = _public_methods(PUBLIC)


def test_public_api_is_exported():
    missing = [name for name in PROMISED if name not in trustnet.__all__]
    assert not missing, f"add to trustnet/__init__.py and its __all__: {missing}"
    for name in trustnet.__all__:
        assert hasattr(trustnet, name), f"trustnet.__all__ names {name!r} but trustnet has no such attribute"


def test_top_level_exports_only_the_api():
    """Every public name of ``trustnet`` (other than its subpackages) is in ``__all__``: nothing leaks."""
    leaked = [name for name, obj in vars(trustnet).items()
              if not name.startswith("_") and not inspect.ismodule(obj) and name not in trustnet.__all__]
    assert not leaked, f"trustnet exposes names outside __all__: {leaked}"
    assert not [name for name in trustnet.__all__ if inspect.ismodule(getattr(trustnet, name))]


def test_modules_without_all_define_nothing_public():
    """A module that defines public functions or classes must say which are public with ``__all__``."""
    lacking = []
    for module in _modules():
        if hasattr(module, "__all__"):
            continue
        defined = [name for name, obj in vars(module).items()
                   if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                   and getattr(obj, "__module__", None) == module.__name__]
        if defined:
            lacking.append(f"{module.__name__}: {defined}")
    assert not lacking, "add __all__ to: " + "; ".join(lacking)


def test_enough_public_objects_found():
    # Guards the test below against a discovery bug that finds nothing.
    assert len(PUBLIC) > 50


@pytest.mark.parametrize("qualname", sorted(PUBLIC))
def test_public_object_has_docstring_with_example(qualname):
    doc = inspect.getdoc(PUBLIC[qualname]) or ""
    assert doc, f"{qualname} has no docstring"
    assert ">>>" in doc, f"{qualname}: the docstring needs an Examples section with a doctest (>>>)"


@pytest.mark.parametrize("qualname", sorted(PUBLIC_METHODS))
def test_public_method_has_docstring_with_example(qualname):
    doc = inspect.getdoc(PUBLIC_METHODS[qualname]) or ""
    assert doc, f"{qualname} has no docstring"
    assert ">>>" in doc, f"{qualname}: the docstring needs an Examples section with a doctest (>>>)"


def _functions_without_hints():
    lacking = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            args += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
            unhinted = [a.arg for a in args if a.annotation is None and a.arg not in ("self", "cls")]
            if unhinted or node.returns is None:
                lacking.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    return lacking


def test_every_function_has_type_hints():
    lacking = _functions_without_hints()
    assert not lacking, "functions without full type hints:\n" + "\n".join(lacking)


def test_py_typed_marker_ships():
    assert (PACKAGE / "py.typed").is_file()
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert "py.typed" in config["options.package_data"]["trustnet"]


def test_mypy_clean():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install mypy pandas-stubs scipy-stubs to run this check)")
    if not any((Path(entry) / "pandas-stubs").is_dir() for entry in sys.path if entry):
        pytest.skip("pandas-stubs is not installed: mypy would see pandas as untyped (pip install pandas-stubs)")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "setup.cfg"), str(PACKAGE)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
