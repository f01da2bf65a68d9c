"""``ocitui serve``: the OCI distribution API (pull, push, referrers) over a layout.

``names`` maps layout references to served repository names; ``content`` answers the
pull side; ``writes`` and ``uploads`` the push side; ``app`` is the aiohttp application
and ``server`` runs it. Importing this package imports no server library; ``app`` and
``server`` import aiohttp.
"""
