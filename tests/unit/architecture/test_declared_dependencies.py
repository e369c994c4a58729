"""Each package declares what its code imports: ROS packages, genba packages and rosdep keys in
package.xml (what colcon and rosdep read), pip libraries in setup.py's install_requires. The safety
package imports nothing but genba_common, rclpy, numpy and standard messages."""

import ast
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "ros2_ws" / "src"
PACKAGES = sorted(p.name for p in SRC.iterdir() if (p / "package.xml").is_file())

# Python import name -> (rosdep key in package.xml or None, pip name in install_requires or None)
THIRD_PARTY = {
    "numpy": ("python3-numpy", "numpy"), "yaml": ("python3-yaml", "PyYAML"),
    "serial": ("python3-serial", "pyserial"), "cv2": ("python3-opencv", "opencv-python-headless"),
    "matplotlib": ("python3-matplotlib", "matplotlib"), "mujoco": (None, "mujoco"),
    "onnxruntime": (None, "onnxruntime"), "rosbags": (None, "rosbags"), "torch": (None, "torch"),
    "onnx": (None, "onnx"), "foxglove": (None, "foxglove-sdk"),
}
# Imported only where it is installed by hand, and guarded: TensorRT comes with JetPack or NVIDIA's
# own index, never from pip or rosdep; pynvml (pip nvidia-ml-py) only where an NVIDIA GPU's energy
# is read; tf2_msgs is missing from the PyPI ROS wheels.
OPTIONAL = {"tensorrt", "pynvml"}
ROS = re.compile(r"^(rclpy|rcl_interfaces|ament_index_python|launch|launch_ros|std_srvs|\w+_msgs)$")
SAFETY_MAY_IMPORT = re.compile(r"^(genba_common|genba_safety|rclpy|rcl_interfaces|numpy|std_srvs|\w+_msgs)$")


def imports_of(package: str) -> set[str]:
    """Top-level names the package's modules import (also inside functions), stdlib left out."""
    found = set()
    for f in (SRC / package / package).rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(), str(f))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "__future__" and m != package}


def package_xml_deps(package: str) -> set[str]:
    root = ET.parse(SRC / package / "package.xml").getroot()
    return {e.text.strip() for tag in ("depend", "exec_depend") for e in root.iter(tag)}


def install_requires(package: str) -> set[str]:
    tree = ast.parse((SRC / package / "setup.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "install_requires":
            return {re.split(r"[<>=!~ ;]", s)[0] for s in ast.literal_eval(node.value)}
    return set()


@pytest.mark.parametrize("package", PACKAGES)
def test_package_xml_and_setup_py_name_the_same_genba_packages(package):
    in_xml = {d for d in package_xml_deps(package) if d.startswith("genba_")}
    assert in_xml == {d for d in install_requires(package) if d.startswith("genba_")}, package


@pytest.mark.parametrize("package", PACKAGES)
def test_package_declares_what_it_imports(package):
    xml, pip = package_xml_deps(package), install_requires(package)
    missing = []
    for name in sorted(imports_of(package) - OPTIONAL):
        if name.startswith("genba_") or ROS.match(name):
            if name not in xml and not (name == "tf2_msgs" and "tf2_msgs" in xml):
                missing.append(f"package.xml: <exec_depend>{name}</exec_depend>")
        elif name in THIRD_PARTY:
            key, pip_name = THIRD_PARTY[name]
            if key and key not in xml:
                missing.append(f"package.xml: <exec_depend>{key}</exec_depend>")
            if pip_name and pip_name not in pip:
                missing.append(f"setup.py install_requires: {pip_name}")
        else:
            missing.append(f"{name}: unknown third-party import (add it to THIRD_PARTY with its keys)")
    assert not missing, f"{package} imports what it does not declare: {missing}"


def started_by(package: str) -> set[str]:
    """The packages whose nodes the package's stack descriptions start (run, not imported)."""
    import yaml

    return {n["package"] for f in (SRC / package / "config").glob("stack*.yaml")
            for n in yaml.safe_load(f.read_text())["nodes"]}


@pytest.mark.parametrize("package", PACKAGES)
def test_package_declares_no_genba_package_it_neither_imports_nor_starts(package):
    declared = {d for d in package_xml_deps(package) if d.startswith("genba_")}
    used = imports_of(package) | started_by(package)
    assert declared <= used, f"{package} declares unused: {declared - used}"


def test_the_safety_package_imports_only_genba_common_rclpy_numpy_and_messages():
    others = {m for m in imports_of("genba_safety") if not SAFETY_MAY_IMPORT.match(m)}
    assert not others, others


def test_the_checks_see_imports_inside_functions(tmp_path):
    assert {"genba_sim", "genba_policy", "torch"} <= imports_of("genba_training")
    assert "onnxruntime" in imports_of("genba_common")  # imported inside open_session only
