"""What every genba package shares. Plain modules (``errors``, ``yaml_file``, ``geometry``,
``frames``, ``serial_link``, ``packages``, ``arguments``) import no rclpy; ``params``, ``qos``,
``diagnostics`` and ``entry`` are the thin rclpy helpers every node uses."""
