"""A plain (non-editable) install carries the CLI and the shipped scenarios inside the wheel."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_scenarios_and_lists_them(tmp_path):
    build = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(tmp_path / "wheel"),
        str(ROOT),
    ]
    subprocess.run(build, check=True, timeout=300, capture_output=True)
    wheel = next((tmp_path / "wheel").glob("entrosim-*.whl"))
    target = tmp_path / "site"
    install = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "-q",
        "--target",
        str(target),
        str(wheel),
    ]
    subprocess.run(install, check=True, timeout=300, capture_output=True)
    prefix = f"import sys; sys.path.insert(0, {str(target)!r}); "
    code = prefix + "from sims.cli import main; main(['list'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "coffee/interacting" in result.stdout and "sweeps/coffee_size_scaling" in result.stdout
    assert (target / "sims" / "scenarios" / "coffee" / "interacting.yaml").is_file()
    check = prefix + "import sims; print(sims.__file__)"
    located = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert located.stdout.startswith(str(target))  # the installed copy, not the checkout
