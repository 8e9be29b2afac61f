"""python -m bench.shapes: the bundled model by default, a training run's weights of any layout by name."""
import pytest

from bench.shapes.__main__ import main
from research.shapes import layouts

FAST = ["--tasks", "1", "--methods", "EasyDrag", "--max-iterations", "2"]


def test_it_benchmarks_the_bundled_model_by_default(capsys):
    assert main(FAST) == 0
    out = capsys.readouterr().out
    assert "1 held-out tasks from task 0, model: ShapesDrag model (32x32 scenes" in out
    assert "| EasyDrag | 1 |" in out


def test_it_runs_another_weights_file_of_another_layout_and_names_it(tmp_path, capsys):
    # how a new training run is compared with the bundled model (research/NOTES.md, runs 5-7)
    path = tmp_path / "wide.safetensors"
    layouts.save(layouts.build(seed=0, layout="wide-top"), path)
    assert main(FAST + ["--weights", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"wide-top layout, from {path}" in out
    assert "| EasyDrag | 1 |" in out


def test_bad_input_is_one_line_not_a_traceback(tmp_path, capsys):
    assert main(["--weights", str(tmp_path / "absent.safetensors")]) == 2
    assert "absent.safetensors are missing" in capsys.readouterr().err
    (tmp_path / "notes.bin").write_text("not weights")
    assert main(["--weights", str(tmp_path / "notes.bin")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "notes.bin" in err and "Traceback" not in err
    assert main(["--methods", "teleport"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown method 'teleport'")
    with pytest.raises(SystemExit):
        main(["--tasks", "0"])
    assert "must be at least 1" in capsys.readouterr().err


def test_the_user_cli_has_no_bench_command(capsys):
    from easydrag_ext import cli

    with pytest.raises(SystemExit):
        cli.main(["bench", "shapes"])
    assert "invalid choice: 'bench'" in capsys.readouterr().err
