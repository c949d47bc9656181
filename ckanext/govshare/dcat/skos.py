# -*- coding: utf-8 -*-
"""The vocabularies of ``vocab`` as SKOS: each a ``skos:ConceptScheme`` at
``<site>/govshare/vocabulary/<name>``, each term a ``skos:Concept`` with Chinese and English
labels (a theme also ``skos:broadMatch`` its EU data theme). The profile describes the
concepts it uses in the output; ``views.py`` serves whole schemes."""
from __future__ import annotations

from typing import Optional

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ckanext.dcat.profiles import DCT

from ckanext.govshare import vocab
from ckanext.govshare.dcat.uris import concept_uri, vocabulary_uri

__all__ = ["EU_THEME_SCHEME", "add_concept", "add_eu_theme", "vocabulary_graph"]

EU_THEME_SCHEME = URIRef(vocab.EU_THEME.rstrip("/"))

# Labels of the EU data themes the vocabulary points to (skos:Concept needs a prefLabel).
EU_THEME_LABELS = {
    "AGRI": "Agriculture, fisheries, forestry and food", "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport", "ENER": "Energy", "ENVI": "Environment",
    "GOVE": "Government and public sector", "HEAL": "Health",
    "INTR": "International issues", "JUST": "Justice, legal system and public safety",
    "REGI": "Regions and cities", "SOCI": "Population and society",
    "TECH": "Science and technology", "TRAN": "Transport",
}


def add_concept(g: Graph, name: str, value: str) -> Optional[URIRef]:
    """The concept of ``value`` in vocabulary ``name``, described in ``g`` (once)."""
    term = vocab.get(name).get(value)
    if term is None:
        return None
    ref = URIRef(concept_uri(name, value))
    if (ref, RDF.type, SKOS.Concept) not in g:
        voc = vocab.get(name)
        scheme = URIRef(vocabulary_uri(name))
        g.add((ref, RDF.type, SKOS.Concept))
        g.add((ref, SKOS.prefLabel, Literal(term.zh, lang="zh")))
        g.add((ref, SKOS.prefLabel, Literal(term.en, lang="en")))
        g.add((ref, SKOS.notation, Literal(term.value)))
        g.add((ref, SKOS.inScheme, scheme))
        if (scheme, RDF.type, SKOS.ConceptScheme) not in g:
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            g.add((scheme, DCT.title, Literal(voc.zh, lang="zh")))
            g.add((scheme, DCT.title, Literal(voc.en, lang="en")))
        if term.uri and term.uri.startswith(vocab.EU_THEME):
            g.add((ref, SKOS.broadMatch, add_eu_theme(g, term.uri)))
    return ref


def add_eu_theme(g: Graph, uri: str) -> URIRef:
    ref = URIRef(uri)
    if (ref, RDF.type, SKOS.Concept) not in g:
        g.add((ref, RDF.type, SKOS.Concept))
        g.add((ref, SKOS.prefLabel, Literal(EU_THEME_LABELS.get(uri.rsplit("/", 1)[-1], uri), lang="en")))
        g.add((ref, SKOS.inScheme, EU_THEME_SCHEME))
    return ref


def vocabulary_graph(name: str) -> Graph:
    """One vocabulary as a SKOS concept scheme (KeyError when there is none)."""
    voc = vocab.get(name)
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("dct", DCT)
    for term in voc:
        add_concept(g, name, term.value)
    return g
