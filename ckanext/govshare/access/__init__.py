# -*- coding: utf-8 -*-
"""Access: who may know of an entry and who may use its data (``rules``), the grants that
open conditional data (``grants``), the doors where the rules are enforced on every route,
action and index (``doors``, ``actions``) and the guard against hostile input
(``hostile_input``)."""
