"""docs/safety.md stays true: its mode table names each reason code in the row of the mode the code
calls for, and every reason code is written there."""

from pathlib import Path

from genba_safety.modes import Mode
from genba_safety.reasons import MODE_CALLED_FOR, Reason

DOC = (Path(__file__).resolve().parents[3] / "docs" / "safety.md").read_text()


def test_the_mode_table_matches_the_code():
    modes = {m.name for m in Mode}
    rows = {cells[1].strip(): line for line in DOC.splitlines()
            if line.startswith("| ") and (cells := line.split("|"))[1].strip() in modes}
    for reason, mode in MODE_CALLED_FOR.items():
        assert f"`{reason}`" in rows[mode.name], (reason, mode)
        others = [m for m in rows if m != mode.name and f"`{reason}`" in rows[m]]
        assert not others, (reason, others)


def test_every_reason_code_is_documented():
    missing = [r for r in Reason if r not in DOC and not r.startswith("HOLD_")]
    assert not missing and "HOLD_<MODE>" in DOC, missing
