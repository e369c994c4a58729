import ast
from pathlib import Path

import pytest
import yaml

from genba_bringup.stack import StackError, default_stack_path, load_stack

ROOT = Path(__file__).resolve().parents[3]
VARS = {"GENBA_ROOT": "/r", "RUN_DIR": "/run", "SCENARIO": "short_run", "CONTROLLER_PORT": "/tmp/tty"}


def test_stack_description_resolves():
    st = load_stack(default_stack_path(), VARS)
    names = [n.name for n in st.nodes]
    assert names == ["sim", "extrinsics", "perception", "privacy_filter", "policy", "cmd_mux",
                     "safety_supervisor", "actuation_bridge", "lifecycle_manager"]
    for n in st.nodes:
        assert Path(n.params_file).is_file()
    sim = st.nodes[0]
    assert sim.overrides["camera_info_url"] == "/r/calibration/sim_front_camera.yaml"
    args = sim.ros_args()
    assert args[:3] == ["--ros-args", "-r", "__node:=sim"] and "episode_file:=/run/episode.json" in args
    assert "/camera/image_raw" not in st.record and "/camera/image_anonymized" in st.record


def test_unknown_substitution_and_bad_yaml(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(
        "nodes:\n  - {name: a, package: genba_sim, module: m, executable: sim,"
        " params: genba_sim/config/sim.yaml, overrides: {x: '${NOPE}'}}\n"
    )
    with pytest.raises(StackError, match=r"unknown substitution \$\{NOPE\}"):
        load_stack(p, VARS)
    p.write_text("nodes: [\n")
    with pytest.raises(StackError, match="malformed YAML"):
        load_stack(p, VARS)
    p.write_text(
        "nodes:\n  - {name: a, package: genba_sim, module: m, executable: sim, params: nothere.yaml}\n"
    )
    with pytest.raises(StackError, match="params: file not found"):
        load_stack(p, VARS)


def _calls(path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def test_launch_files_read_the_same_stack_description():
    bringup = ROOT / "ros2_ws" / "src" / "genba_bringup"
    assert "load_stack" in _calls(bringup / "genba_bringup" / "launch_stack.py"), (
        "the launch description must build its nodes from load_stack()"
    )
    for f in (bringup / "launch").glob("*.launch.py"):
        assert "stack_launch_description" in _calls(f), f"{f.name} must use genba_bringup.launch_stack"


@pytest.mark.parametrize("stack", ["stack.yaml", "stack_robot.yaml"])
def test_stack_executables_are_the_packages_console_scripts_for_the_same_module(stack):
    # ros2 launch starts `executable`, genba run starts `python -m module`: they must be one program.
    for n in load_stack(default_stack_path().with_name(stack), VARS).nodes:
        setup_py = (ROOT / "ros2_ws" / "src" / n.package / "setup.py").read_text()
        assert f"{n.executable} = {n.module}:main" in setup_py, n.name


def test_a_misspelt_key_is_refused_with_the_right_one(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("nodes:\n  - {name: a, package: genba_sim, module: m, executable: sim,"
                 " params: genba_sim/config/sim.yaml, overides: {x: 1}}\n")
    with pytest.raises(StackError, match=r"unknown key 'overides' \(did you mean 'overrides'\?\)"):
        load_stack(p, VARS)
    p.write_text("nodes:\n  - {name: a, package: genba_sim, module: m, executable: sim,"
                 " params: genba_sim/config/sim.yaml}\nrecrod: [/scan]\n")
    with pytest.raises(StackError, match=r"unknown key 'recrod' \(did you mean 'record'\?\)"):
        load_stack(p, VARS)


def _fake_launch(monkeypatch):
    """genba_bringup.launch_stack imported with stand-ins for ROS's launch packages (not on PyPI):
    each action records its arguments; LaunchConfiguration(name).perform(context) is context[name]."""
    import importlib
    import sys
    import types

    class Recorded:
        def __init__(self, *args, **kwargs) -> None:
            self.args, self.kwargs = args, kwargs

    fake = {name: types.ModuleType(name) for name in
            ("launch", "launch.actions", "launch.substitutions", "launch_ros", "launch_ros.actions")}
    fake["launch"].LaunchDescription = lambda actions: actions
    for name in ("DeclareLaunchArgument", "ExecuteProcess", "OpaqueFunction", "SetEnvironmentVariable"):
        setattr(fake["launch.actions"], name, type(name, (Recorded,), {}))
    for name in ("EnvironmentVariable", "LaunchConfiguration"):
        setattr(fake["launch.substitutions"], name, type(name, (Recorded,), {}))
    fake["launch.substitutions"].LaunchConfiguration.perform = lambda self, context: context[self.args[0]]
    fake["launch_ros.actions"].Node = type("Node", (Recorded,), {})
    for name, module in fake.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "genba_bringup.launch_stack", raising=False)
    launch_stack = importlib.import_module("genba_bringup.launch_stack")
    monkeypatch.delitem(sys.modules, "genba_bringup.launch_stack")
    return launch_stack


def test_launch_arguments_set_namespace_devices_remappings_and_recording(monkeypatch, tmp_path):
    actions = _fake_launch(monkeypatch).stack_launch_description("stack_robot.yaml")
    declared = {a.args[0]: a.kwargs for a in actions if type(a).__name__ == "DeclareLaunchArgument"}
    assert {"namespace", "lidar_port", "lidar_model", "camera_source", "controller_port", "link_endpoint",
            "record", "rviz"} <= set(declared)
    context = {name: kw["default_value"] for name, kw in declared.items()
               if isinstance(kw["default_value"], str)}
    robot = yaml.safe_load((default_stack_path().with_name("stack_robot.yaml")).read_text())
    robot["record"].append("/camera/image_raw")  # listed by mistake: the data policy still refuses it
    (tmp_path / "stack.yaml").write_text(yaml.safe_dump(robot))
    context.update(run_dir=str(tmp_path), namespace="robot7", lidar_port="/dev/ttyLD", lidar_model="ld19",
                   camera_source="/dev/video2", record="true", stack=str(tmp_path / "stack.yaml"),
                   enclaves="true")
    (opaque,) = [a for a in actions if type(a).__name__ == "OpaqueFunction"]
    made = opaque.kwargs["function"](context, *opaque.kwargs["args"])
    nodes = {a.kwargs.get("name"): a.kwargs for a in made if type(a).__name__ == "Node"}
    assert all(kw["namespace"] == "robot7" for name, kw in nodes.items() if name != "rviz2")
    assert nodes["safety_supervisor"]["ros_arguments"] == ["--enclave", "/genba/safety_supervisor"]
    assert nodes["lidar"]["parameters"][1] == {"port": "/dev/ttyLD", "model": "ld19"}
    assert nodes["camera"]["parameters"][1]["source"] == "/dev/video2"
    assert nodes["actuation_bridge"]["parameters"][1]["port"] == "/dev/ttyACM0"  # not given: the stack's
    assert dict(nodes["safety_supervisor"]["remappings"]) == {"policy/cmd_vel": "mux/cmd_vel",
                                                               "policy/health": "mux/health"}
    (bag,) = [a for a in made if type(a).__name__ == "ExecuteProcess"]
    cmd = bag.kwargs["cmd"]
    assert cmd[:3] == ["ros2", "bag", "record"] and "/robot7/scan" in cmd and "/robot7/cmd_vel_safe" in cmd
    assert not any(t.endswith("/camera/image_raw") for t in cmd)  # secret by the data policy


def test_launch_files_keep_dds_discovery_on_the_machine_unless_told(monkeypatch):
    actions = _fake_launch(monkeypatch).stack_launch_description("stack_robot.yaml")

    declared = {a.args[0]: a.kwargs for a in actions if type(a).__name__ == "DeclareLaunchArgument"}
    default = declared["discovery_range"]["default_value"]
    assert type(default).__name__ == "EnvironmentVariable"  # the shell's value wins where it is set
    assert default.args == ("ROS_AUTOMATIC_DISCOVERY_RANGE",)
    assert default.kwargs == {"default_value": "LOCALHOST"}
    (setenv,) = [a for a in actions if type(a).__name__ == "SetEnvironmentVariable"]
    assert setenv.args[0] == "ROS_AUTOMATIC_DISCOVERY_RANGE" and setenv.args[1].args == ("discovery_range",)
    # the variable is set before the nodes are made (OpaqueFunction runs them at launch time)
    kinds = [type(a).__name__ for a in actions]
    assert kinds.index("SetEnvironmentVariable") < kinds.index("OpaqueFunction")
