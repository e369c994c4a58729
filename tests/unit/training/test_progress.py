import io

from genba_training.progress import Bar


def test_bar_logs_the_first_step_and_each_tenth_when_not_on_a_terminal():
    out = io.StringIO()
    bar = Bar("collect", 50, out)
    for k in range(50):
        bar.update(note=f"{k + 1} done")
    lines = out.getvalue().splitlines()
    assert len(lines) == 11 and lines[-1].startswith("collect [" + "#" * 28 + "] 50/50")
    assert "50 done" in lines[-1] and "\r" not in out.getvalue()
