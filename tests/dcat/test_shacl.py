# -*- coding: utf-8 -*-
"""The official DCAT-AP 3 SHACL shapes are in the repository (tests/shacl/) and the
validation the DCAT tests rely on finds violations: a DCAT test can neither skip nor pass
for want of shapes."""
from __future__ import annotations

import os

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from ckanext.dcat.profiles import DCAT, DCT

from tests.dcat.support import SHAPES, shacl_violations

SH = "http://www.w3.org/ns/shacl#"


def test_the_official_shapes_are_in_the_repository():
    assert os.path.isfile(SHAPES), SHAPES
    shapes = Graph().parse(SHAPES, format="turtle")
    node_shapes = set(shapes.subjects(RDF.type, URIRef(SH + "NodeShape")))
    assert len(node_shapes) > 20
    # the shapes of DCAT-AP 3.0.0 (SEMIC's release file)
    assert any("DCAT-AP/releases/3.0.0" in str(s) for s in shapes.subjects())


def test_validation_finds_violations():
    g = Graph()
    dataset = URIRef("http://example.org/dataset/1")
    g.add((dataset, RDF.type, DCAT.Dataset))  # no dct:title, no dct:description
    dist = BNode()
    g.add((dataset, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCT["format"], Literal("CSV")))  # a literal where DCAT-AP 3 wants a resource
    violations = shacl_violations(g)
    assert any("title" in v for v in violations), violations
    assert any("accessURL" in v for v in violations), violations
