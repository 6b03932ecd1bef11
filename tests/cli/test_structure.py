"""The command line's shape: one module per command, `--workspace` declared once."""

from __future__ import annotations

import argparse
import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from territory import cli
from territory._errors import InputError, Problem
from territory.cli import COMMANDS, build_parser
from territory.cli._common import EXIT_BAD_INPUT, common_options, run_command

PACKAGE = Path(cli.__file__).parent
# The commands each module adds; `import_` also holds `undo`, which takes an import back.
REGISTERS = {"demo": {"demo"}, "init": {"init"}, "map": {"map"}, "geodata": {"geodata"},
             "import_": {"import", "undo"}, "indicators": {"indicators"}, "plan": {"plan"},
             "report": {"report"}, "serve": {"serve"}, "network": {"network"},
             "reach": {"reach"}, "key": {"key"}, "audit": {"audit"}, "impact": {"impact"}}
# The reference base is built apart from any workspace; `network` and `key` take --workspace
# on their actions (build, show; show, rotate, new), so that it cannot be given before them
# and ignored.
NO_WORKSPACE = {"geodata", "network", "key"}
# The least each workspace command needs to parse.
REQUIRED = {"demo": [], "init": [], "map": ["--out", "carte.html"],
            "import": ["sites", "sites.csv"], "undo": [], "indicators": ["--out", "t.csv"],
            "plan": ["--add", "1"], "report": ["--out", "rapport.pdf"], "serve": [],
            "reach": [], "audit": [], "impact": []}
HEAVY = ("folium", "panel", "matplotlib", "dask", "distributed", "territory.demo",
         "territory.dashboards", "territory.report")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _option(parser: argparse.ArgumentParser, flag: str) -> argparse.Action | None:
    return next((a for a in parser._actions if flag in a.option_strings), None)


def _short(module: object) -> str:
    return str(getattr(module, "__name__", "")).rpartition(".")[2]


def test_every_command_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules([str(PACKAGE)]) if not m.name.startswith("_")}
    assert modules == {_short(m) for m in COMMANDS} == set(REGISTERS)


@pytest.mark.parametrize("module", COMMANDS, ids=_short)
def test_each_module_registers_exactly_its_command(module: cli.Command) -> None:
    parser = argparse.ArgumentParser()
    module.register(parser.add_subparsers(dest="command"), [common_options()])
    commands = _commands(parser)
    assert set(commands) == REGISTERS[_short(module)]
    for command in commands.values():
        runs = ([command] if "run" in command._defaults
                else list(_commands(command).values()))  # geodata: its actions run
        assert runs and all(p._defaults["run"] is module.run for p in runs)


def test_workspace_comes_from_the_one_shared_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = common_options()
    monkeypatch.setattr(cli, "common_options", lambda: parent)
    shared = _option(parent, "--workspace")
    found = {name: _option(sub, "--workspace") for name, sub in _commands(build_parser()).items()}
    assert {name for name, action in found.items() if action is None} == NO_WORKSPACE
    assert all(action is shared for name, action in found.items() if name not in NO_WORKSPACE)


@pytest.mark.parametrize("command", sorted(REQUIRED))
def test_every_workspace_command_accepts_workspace(command: str) -> None:
    args = build_parser().parse_args([command, *REQUIRED[command], "--workspace", "ml.gpkg"])
    assert args.workspace == Path("ml.gpkg")
    assert build_parser().parse_args([command, *REQUIRED[command]]).workspace is None


def test_workspace_is_declared_once() -> None:
    declared = [
        path.name for path in sorted(PACKAGE.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument"
        and any(isinstance(a, ast.Constant) and a.value == "--workspace" for a in node.args)
    ]
    assert declared == ["_common.py"]


def test_help_loads_no_heavy_library() -> None:
    code = ("import sys; from territory.cli import build_parser; build_parser().format_help(); "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == ""


def test_an_input_error_is_a_message_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    def fail(args: argparse.Namespace) -> None:
        raise InputError([Problem("is not a number", file="lieux.csv", row=3,
                                  column="capacité")])

    code = run_command(argparse.Namespace(command="plan", run=fail))
    assert code == EXIT_BAD_INPUT
    assert capsys.readouterr().err == ("territory plan: lieux.csv:3: `capacité`: is not a "
                                       "number\n")
