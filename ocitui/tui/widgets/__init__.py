"""Widgets used by the screens; each posts messages up and takes attributes down."""
