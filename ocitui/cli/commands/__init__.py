"""One module per subcommand.

Each module defines ``NAME`` (the subcommand), ``HELP`` (one line), ``ORDER`` (its place
in ``--help``), ``register(parser)`` to add its arguments, and ``run(args) -> int``.
They are discovered, so adding a command means adding a module here.
"""
