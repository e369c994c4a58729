"""genba_perception: Camera and 2D LiDAR drivers, calibration files, preprocessing for the policy.

Builds with colcon (ament_python) on a ROS 2 distro, and installs with pip beside the ROS 2 wheels
from PyPI (see the repository"s requirements.txt for the pinned set).
"""
from glob import glob

from setuptools import find_packages, setup

package_name = "genba_perception"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test", "tests"]),
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml"]),
        ("share/" + package_name + "/config", glob("config/*.yaml")),
    ],
    install_requires=[
        "setuptools",
        "genba_common",
        "numpy",
        "PyYAML",
        "opencv-python-headless",
        "pyserial",
        "matplotlib",
    ],
    zip_safe=False,
    maintainer="genba maintainers",
    maintainer_email="maintainers@genba.dev",
    description="Camera and 2D LiDAR drivers, calibration files, preprocessing for the policy.",
    license="Apache-2.0",
    python_requires=">=3.10",
    entry_points={
        "console_scripts": [
            "perception = genba_perception.node:main",
            "camera = genba_perception.camera_node:main",
            "lidar = genba_perception.lidar_node:main",
            "privacy_filter = genba_perception.privacy_node:main",
            "extrinsics = genba_perception.extrinsics_node:main",
            "genba-calibrate-camera = genba_perception.calibration:calibrate_main",
        ]
    },
)
