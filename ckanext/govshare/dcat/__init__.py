# -*- coding: utf-8 -*-
"""DCAT-AP 3: the RDF profile, URIs, SKOS vocabularies, catalogue pages and endpoints."""
