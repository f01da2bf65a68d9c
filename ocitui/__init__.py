"""ocitui: a keyboard-driven terminal workbench for OCI artifacts."""

__version__ = "0.1.0"
