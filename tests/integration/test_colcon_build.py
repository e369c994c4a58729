"""The workspace builds with colcon (ament_python), as on a ROS 2 distro, and installs what
`ros2 run`/`ros2 launch` look for."""

import subprocess
import sys
from pathlib import Path

from genba_bringup.stack import default_stack_path, load_stack

ROOT = Path(__file__).resolve().parents[2]


def test_colcon_build_installs_executables_configs_and_package_data(tmp_path):
    colcon = Path(sys.executable).parent / "colcon"
    r = subprocess.run(
        [
            str(colcon),
            "--log-base",
            str(tmp_path / "log"),
            "build",
            "--base-paths",
            str(ROOT / "ros2_ws" / "src"),
            "--build-base",
            str(tmp_path / "build"),
            "--install-base",
            str(tmp_path / "install"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    packages = sorted(p.parent.name for p in (ROOT / "ros2_ws" / "src").glob("*/package.xml"))
    assert len(packages) == 8 and f"{len(packages)} packages finished" in r.stdout, r.stdout[-2000:]
    inst = tmp_path / "install"
    nodes = [
        n
        for name in ("stack.yaml", "stack_robot.yaml")
        for n in load_stack(
            default_stack_path().with_name(name),
            {"GENBA_ROOT": "/r", "RUN_DIR": "/d", "SCENARIO": "s", "CONTROLLER_PORT": "/p"},
        ).nodes
    ]
    for n in nodes:
        assert (inst / n.package / "lib" / n.package / n.executable).is_file(), f"{n.package}/{n.executable}"
        assert (inst / n.package / "share" / n.package / "config" / Path(n.params_file).name).is_file()
        assert (
            inst / n.package / "share" / "ament_index" / "resource_index" / "packages" / n.package
        ).is_file()
    assert list(inst.glob("genba_sim/lib/python*/site-packages/genba_sim/scenarios/hall_crossing.yaml"))
    assert list(inst.glob("genba_sim/lib/python*/site-packages/genba_sim/maps/factory_hall.yaml"))
    assert list(inst.glob("genba_training/lib/python*/site-packages/genba_training/templates/model_card.md"))
    # `ros2 launch genba_bringup genba_sim.launch.py` (and genba_robot) find them in the share folder
    launch = inst / "genba_bringup" / "share" / "genba_bringup" / "launch"
    assert sorted(f.name for f in launch.glob("*.launch.py")) == [
        "genba_robot.launch.py",
        "genba_sim.launch.py",
    ]


def test_the_launch_files_at_the_top_are_the_installed_ones():
    """launch/ at the repository root keeps the README's command working: links to the package's files."""
    for f in (ROOT / "launch").glob("*.launch.py"):
        assert f.is_symlink() and f.resolve() == ROOT / "ros2_ws/src/genba_bringup/launch" / f.name


def test_each_launch_file_starts_a_stack_description_that_exists():
    import ast

    for f in (ROOT / "ros2_ws/src/genba_bringup/launch").glob("*.launch.py"):
        calls = [
            n
            for n in ast.walk(ast.parse(f.read_text()))
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "stack_launch_description"
        ]
        assert len(calls) == 1, f
        stack = default_stack_path().with_name(ast.literal_eval(calls[0].args[0]))
        assert (
            stack.is_file()
            and load_stack(
                stack, {"GENBA_ROOT": "/r", "RUN_DIR": "/d", "SCENARIO": "s", "CONTROLLER_PORT": "/p"}
            ).nodes
        )
