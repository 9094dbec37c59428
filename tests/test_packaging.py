"""A first `make demo` installs the project quietly: no setuptools warning box, only our lines."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(600)
def test_the_editable_install_prints_no_setuptools_warning(tmp_path: Path) -> None:
    """The Makefile's `pip install --quiet -e .`, in a fresh environment: setuptools' box about
    "folders in your working directory with the same name as your package" came from its import
    hook for a flat layout; `package-dir` in pyproject.toml makes it a plain .pth instead."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # as the Makefile does: recent pip shows what the build backend warns about
    upgrade = [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"]
    subprocess.run(upgrade, capture_output=True, timeout=300, check=True)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    said = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        # a machine's own pip configuration (an index that is not there) is not the product's
        if line.strip() and "is ignored: it is neither a file nor a directory" not in line
    ]
    assert said == []
    pth = sorted((env_dir / "lib").glob("python3*/site-packages/__editable__*.pth"))
    assert [p.read_text(encoding="utf-8").strip() for p in pth] == [str(ROOT)]
    imported = subprocess.run(
        [str(python), "-c", "import pipeline.cli; print(pipeline.cli.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert imported.stdout.strip() == str(ROOT / "pipeline" / "cli.py")
    assert sys.prefix != str(env_dir)
