"""The workspace builds with colcon (ament_python), as on a ROS 2 distro, and installs what
`ros2 run`/`ros2 launch` look for."""

import subprocess
import sys
from pathlib import Path

from genba_bringup.stack import default_stack_path, load_stack

ROOT = Path(__file__).resolve().parents[2]


def test_colcon_build_installs_executables_configs_and_package_data(tmp_path):
    colcon = Path(sys.executable).parent / "colcon"
    r = subprocess.run([str(colcon), "--log-base", str(tmp_path / "log"), "build", "--base-paths",
                        str(ROOT / "ros2_ws" / "src"), "--build-base", str(tmp_path / "build"),
                        "--install-base", str(tmp_path / "install")], capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "6 packages finished" in r.stdout
    inst = tmp_path / "install"
    nodes = [n for name in ("stack.yaml", "stack_robot.yaml") for n in
             load_stack(default_stack_path().with_name(name),
                        {"GENBA_ROOT": "/r", "RUN_DIR": "/d", "SCENARIO": "s", "CONTROLLER_PORT": "/p"}).nodes]
    for n in nodes:
        assert (inst / n.package / "lib" / n.package / n.executable).is_file(), f"{n.package}/{n.executable}"
        assert (inst / n.package / "share" / n.package / "config" / Path(n.params_file).name).is_file()
        assert (inst / n.package / "share" / "ament_index" / "resource_index" / "packages" / n.package).is_file()
    assert list(inst.glob("genba_sim/lib/python*/site-packages/genba_sim/scenarios/hall_crossing.yaml"))
    assert list(inst.glob("genba_sim/lib/python*/site-packages/genba_sim/maps/factory_hall.yaml"))
