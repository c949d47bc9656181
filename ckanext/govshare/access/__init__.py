# -*- coding: utf-8 -*-
"""Access: who may know of an entry and who may use its data (``rules``), the grants that
open conditional data (``grants``), the doors where the rules are enforced on every route,
hook and index (``doors``), the chained auth functions that refuse before an action runs
(``auth``), the chained actions kept only where no hook sees the caller (``actions``), the
signal receivers that keep activity permission labels in step with an entry's levels
(``subscriptions``) and the guard against hostile input (``hostile_input``)."""
