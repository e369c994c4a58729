"""genba_bringup: Stack description, the genba CLI (runs the stack without ros2 launch), run reports.

Builds with colcon (ament_python) on a ROS 2 distro, and installs with pip beside the ROS 2 wheels
from PyPI (see the repository"s requirements.txt for the pinned set).
"""
from glob import glob

from setuptools import find_packages, setup

package_name = "genba_bringup"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test", "tests"]),
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml"]),
        ("share/" + package_name + "/config", glob("config/*.yaml")),
        ("share/" + package_name + "/launch", glob("launch/*.launch.py")),
        ("share/" + package_name + "/rviz", glob("rviz/*.rviz")),
        ("share/" + package_name + "/foxglove", glob("foxglove/*.json")),
    ],
    install_requires=[
        "setuptools",
        "genba_common",
        "genba_safety",
        "genba_perception",
        "genba_policy",
        "genba_actuation",
        "genba_sim",
        "PyYAML",
        "matplotlib",
        "rosbags",
        "numpy",
        "foxglove-sdk",
    ],
    zip_safe=False,
    maintainer="genba maintainers",
    maintainer_email="maintainers@genba.dev",
    description="Stack description, the genba CLI (runs the stack without ros2 launch), run reports.",
    license="Apache-2.0",
    python_requires=">=3.10",
    entry_points={
        "console_scripts": [
            "genba = genba_bringup.cli:main",
            "link_monitor = genba_bringup.link_node:main",
            "lifecycle_manager = genba_bringup.lifecycle_node:main",
        ]
    },
)
