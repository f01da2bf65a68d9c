"""The command-line face: argparse over the core. The only writer to stdout."""
