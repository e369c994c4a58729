"""genba_safety: Safety supervisor: watchdogs, limits, collision zones, graded fallback, e-stop.

Builds with colcon (ament_python) on a ROS 2 distro, and installs with pip beside the ROS 2 wheels
from PyPI (see the repository"s requirements.txt for the pinned set).
"""
from glob import glob

from setuptools import find_packages, setup

package_name = "genba_safety"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test", "tests"]),
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml"]),
        ("share/" + package_name + "/config", glob("config/*.yaml")),
    ],
    install_requires=["setuptools", "genba_common", "numpy"],
    zip_safe=False,
    maintainer="genba maintainers",
    maintainer_email="maintainers@genba.dev",
    description="Safety supervisor: watchdogs, limits, collision zones, graded fallback, e-stop.",
    license="Apache-2.0",
    python_requires=">=3.10",
    entry_points={
        "console_scripts": [
            "safety_supervisor = genba_safety.node:main",
            "cmd_mux = genba_safety.mux_node:main",
        ]
    },
)
