"""genba_sim: Embedded MuJoCo world: factory hall, differential-drive robot, pedestrians, sensors.

Builds with colcon (ament_python) on a ROS 2 distro, and installs with pip beside the ROS 2 wheels
from PyPI (see the repository"s requirements.txt for the pinned set).
"""
from glob import glob

from setuptools import find_packages, setup

package_name = "genba_sim"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test", "tests"]),
    package_data={"genba_sim": ["scenarios/*.yaml", "maps/*.yaml"]},
    include_package_data=True,
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml"]),
        ("share/" + package_name + "/config", glob("config/*.yaml")),
    ],
    install_requires=[
        "setuptools",
        "genba_common",
        "genba_perception",
        "genba_actuation",
        "numpy",
        "opencv-python-headless",
        "PyYAML",
        "mujoco",
    ],
    zip_safe=False,
    maintainer="genba maintainers",
    maintainer_email="maintainers@genba.dev",
    description="Embedded MuJoCo world: factory hall, differential-drive robot, pedestrians, sensors.",
    license="Apache-2.0",
    python_requires=">=3.10",
    entry_points={
        "console_scripts": [
            "sim = genba_sim.node:main",
            "genba-check-extrinsics = genba_sim.check_extrinsics:main",
        ]
    },
)
