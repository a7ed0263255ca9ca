"""`coalition plot` for every kind of sweep, and the browser app's sweep page."""

import pytest

from experiments.analysis import phase_table, tipping_points, tipping_table, wilson
from experiments.cli import main
from experiments.sweep import run_sweep

HEAD = """
replicates = {}
seed = 3
scenario = "baseline"
rounds = 8
chunk_size = 16
[parameters]
nations = "identical"
n_nations = 5
"""
KINDS = {
    "phase": HEAD.format(2) + """[parameters.N01]
member = true
[vary.us_level]
low = 0.0
high = 1.0
steps = 3
[vary.us_reliance]
low = -2.0
high = 1.0
steps = 3
""",
    "tipping": HEAD.format(3) + """[vary.us_level]
low = 0.0
high = 1.0
steps = 4
[vary.mode]
values = ["individual", "coordinated"]
""",
    "tournament": HEAD.format(2) + """[vary.us_policy]
values = ["steadfast", "isolationist", "erratic"]
""",
    "sensitivity": HEAD.format(1) + """[design]
method = "sobol"
samples = 8
[vary.us_level]
low = 0.0
high = 1.0
[vary.spillover]
low = 0.2
high = 0.9
[vary.sucker_aversion]
low = 0.0
high = 0.9
""",
}


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds")
    out = {}
    for kind, text in KINDS.items():
        file = root / f"{kind}.toml"
        file.write_text(text)
        run_sweep(file, root / kind, progress=False)
        out[kind] = root / kind
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_plot_writes_png_and_svg(sweeps, kind, capsys):
    assert main(["plot", str(sweeps[kind])]) == 0
    printed = capsys.readouterr().out.split()
    for ext in ("png", "svg", "csv"):
        path = sweeps[kind] / "plots" / f"{kind}.{ext}"
        assert str(path) in printed and path.stat().st_size > (500 if ext != "csv" else 20)
    assert (sweeps[kind] / "plots" / f"{kind}.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (sweeps[kind] / "plots" / f"{kind}.svg").read_bytes()[:2000]


def test_phase_table_is_share_fractured(sweeps):
    table = phase_table(sweeps["phase"])
    assert table.shape == (3, 3)
    assert ((table >= 0) & (table <= 1)).all().all()
    assert table.index.name == "us_reliance" and table.columns.name == "us_level"


def test_tipping_bands_contain_share(sweeps):
    table = tipping_table(sweeps["tipping"])
    assert len(table) == 8 and (table["runs"] == 3).all()
    assert ((table["low"] <= table["share"]) & (table["share"] <= table["high"])).all()


def test_tipping_point_interpolates_the_half_crossing():
    import pandas as pd

    t = pd.DataFrame({"x": [0.0, 0.5, 1.0], "share": [1.0, 0.75, 0.25]})
    assert tipping_points(t, "x", None)[None] == pytest.approx(0.75)
    lo, hi = wilson([0, 5], [10, 10])
    assert lo[0] == 0 and 0 < hi[0] < 0.35 and lo[1] < 0.5 < hi[1]


def test_sweep_page_shows_the_phase_diagram(sweeps):
    import ipywidgets
    import ipyvuetify as v
    import solara

    from viz.sweep_page import SweepPage

    root = sweeps["phase"].parent  # folders are named inside the page's sweeps root
    box, rc = solara.render(SweepPage(folder=sweeps["phase"].name, root=str(root)),
                            handle_error=False)
    assert not rc.find(v.Alert)
    images = rc.find(ipywidgets.Image)
    assert images and images.widget.value[:4] == b"\x89PNG"
    rc.find(v.TextField).widget.v_model = str(sweeps["tournament"].relative_to(root))
    rc.find(v.TextField).widget.fire_event("keyup.enter", None)
    assert "not a phase diagram" in rc.find(v.Alert).widget.children[0]
    rc.close()
