"""genba_common: what every genba package shares: rclpy helpers, one ConfigError, the YAML reader,
the serial link, named QoS profiles, frame names and pose helpers.

Builds with colcon (ament_python) on a ROS 2 distro, and installs with pip beside the ROS 2 wheels
from PyPI (see the repository"s requirements.txt for the pinned set).
"""
from setuptools import find_packages, setup

package_name = "genba_common"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test", "tests"]),
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml"]),
    ],
    install_requires=["setuptools", "numpy", "PyYAML", "pyserial", "onnxruntime"],
    zip_safe=False,
    maintainer="genba maintainers",
    maintainer_email="maintainers@genba.dev",
    description="Shared helpers of every genba package: parameters, errors, YAML, serial link, QoS, frames, "
    "the model manifest, the inference backends.",
    license="Apache-2.0",
    python_requires=">=3.10",
)
