# -*- coding: utf-8 -*-
"""Search: what the index holds, the query the platform sends to Solr, the facets and
their labels. The Solr side (schema, analysers, synonyms) lives in ``stack/solr``."""
