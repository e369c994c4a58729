"""genba_training: the privileged teacher, scenario generation, distillation (BC + DAgger), ONNX
export, evaluation and the model card; the ``genba-policy`` CLI. Never installed on the robot path.

Builds with colcon (ament_python) on a ROS 2 distro, and installs with pip beside the ROS 2 wheels
from PyPI (see the repository"s requirements.txt for the pinned set).
"""
from setuptools import find_packages, setup

package_name = "genba_training"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test", "tests"]),
    package_data={package_name: ["templates/*.md"]},
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml"]),
    ],
    install_requires=[
        "setuptools",
        "genba_common",
        "genba_safety",
        "genba_perception",
        "genba_policy",
        "genba_sim",
        "numpy",
        "PyYAML",
        "matplotlib",
        "torch",
        "onnx",
    ],
    zip_safe=False,
    maintainer="genba maintainers",
    maintainer_email="maintainers@genba.dev",
    description="Teacher, distillation, export and evaluation of the genba policy (training only).",
    license="Apache-2.0",
    python_requires=">=3.10",
    entry_points={"console_scripts": ["genba-policy = genba_training.cli:main"]},
)
