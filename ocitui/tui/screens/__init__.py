"""Screens: the four panes (Browse, Referrers, Diff, Sync) and modal dialogs."""
