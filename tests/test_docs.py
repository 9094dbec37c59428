"""README, CLI and settings stay in step: every command, flag and variable is documented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pipeline.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_and_flag_is_in_the_readme() -> None:
    missing = []
    for name, sub in _subparsers().items():
        if f"`leaderboard {name}" not in README:
            missing.append(name)
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help" and option not in README:
                    missing.append(f"{name} {option}")
    assert missing == []


def test_every_environment_variable_read_is_in_the_settings_table() -> None:
    source = (ROOT / "pipeline" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:GITLAB|LEADERBOARD|CI)_[A-Z_]+)"', source))
    assert names, "config.py reads no variables?"
    assert sorted(n for n in names if f"`{n}`" not in README) == []


def test_readme_commands_exist_in_the_makefile() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^make (\w+)", README, flags=re.M):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in README
    assert re.search(r"^make test$", ci, flags=re.M)
