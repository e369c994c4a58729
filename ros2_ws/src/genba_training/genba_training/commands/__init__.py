"""One module per ``genba-policy`` subcommand, each with ``add_parser(subparsers)`` and
``run(args) -> int``."""
