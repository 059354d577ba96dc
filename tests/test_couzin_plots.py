"""`entrosim plot` on a merged zone-width sweep draws the phase diagram."""

from tests.conftest import run_cli


def test_plot_of_a_merged_zone_width_sweep_is_the_phase_diagram(tmp_path, capsys):
    code, _, err = run_cli(
        "batch",
        "sweeps/couzin_phase_diagram",
        "--out",
        tmp_path,
        "--set",
        "members=1",
        "--set",
        "params.duration=4.0",
        "--set",
        "sweep.params.orientation_width=[0.0, 10.0]",
        "--set",
        "sweep.params.attraction_width=[10.0, 15.0]",
        "--quiet",
        capsys=capsys,
    )
    assert code == 0, err
    code, _, err = run_cli("merge", tmp_path, capsys=capsys)
    assert code == 0, err
    (merged,) = tmp_path.glob("*_merged.nc")
    code, _, err = run_cli("plot", merged, "--output", tmp_path / "phase.png", capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "phase.png").stat().st_size > 10_000
