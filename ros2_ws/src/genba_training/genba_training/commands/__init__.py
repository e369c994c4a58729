"""One module per ``genba-policy`` subcommand; each has ``add_parser(subparsers)`` and ``run(args) -> int``."""
