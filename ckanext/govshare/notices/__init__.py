# -*- coding: utf-8 -*-
"""Update notices (shenyang-2016 §22): subscriptions to entries, notices on the site and by
mail when an entry's data or conditions change, and the catalogue-upkeep deadlines
(shenyang-2016 §12, §22; kunming-2019 §18)."""
