# -*- coding: utf-8 -*-
"""govshare validators (registered by the validators blanket: names in ``__all__``)."""
from __future__ import annotations

__all__: list[str] = []
