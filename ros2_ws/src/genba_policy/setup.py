"""genba_policy: On-device motion policy: observation contract, route on the static map, inference
backends, node.

Builds with colcon (ament_python) on a ROS 2 distro, and installs with pip beside the ROS 2 wheels
from PyPI (see the repository"s requirements.txt for the pinned set).
"""

from glob import glob

from setuptools import find_packages, setup

package_name = "genba_policy"

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
        "genba_safety",
        "genba_perception",
        "numpy",
    ],
    zip_safe=False,
    maintainer="genba maintainers",
    maintainer_email="maintainers@genba.dev",
    description="On-device motion policy: observation contract, route on the map, inference backends, node.",
    license="Apache-2.0",
    python_requires=">=3.10",
    entry_points={
        "console_scripts": [
            "policy = genba_policy.node:main",
        ]
    },
)
