from genba_bringup.report import format_summary, plot_run
from genba_bringup.stats import percentiles
from genba_sim import scenario


def test_percentiles():
    p = percentiles(list(range(1, 101)))
    assert p["n"] == 100 and p["p50_ms"] == 50.5 and p["max_ms"] == 100
    assert percentiles([])["p50_ms"] is None


def test_summary_text_and_plot(tmp_path):
    s = {"episode": {"scenario": "x", "seed": 1, "status": "goal_reached", "sim_time_s": 3.0, "collisions": 0,
                     "min_obstacle_distance_m": 0.5, "path_length_m": 2.0, "final_distance_to_goal_m": 0.3},
         "safety_interventions": 2, "mode_log": [(0.0, "MRM"), (1.0, "NOMINAL")],
         "latency": {"policy": percentiles([1.0, 2.0])}}
    text = format_summary(s)
    assert "goal reached    yes" in text and "collisions      0" in text and "policy" in text
    sc = scenario.load("short_run")
    out = tmp_path / "t.png"
    plot_run(out, sc, [(0.0, -7.0, -0.8, 0.0), (1.0, -6.5, -0.8, 0.0), (2.0, -6.0, -0.9, 0.0)], s["mode_log"])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
