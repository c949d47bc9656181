# -*- coding: utf-8 -*-
"""Packaging for ckanext-govshare.

The scheming schemas (``schemas/``) and the translations (``i18n/``) live at the top
level of the repository, as the design card asks, and are mapped into the package as
``ckanext.govshare.schemas`` and ``ckanext.govshare.i18n`` so that scheming can resolve
``ckanext.govshare.schemas:dataset.yaml`` and ITranslation finds the catalogues.
"""
from setuptools import find_packages, setup

setup(
    # every Python package under ckanext/ (the domain packages included), plus the two
    # data directories mapped into the package below
    packages=find_packages(include=["ckanext", "ckanext.*"]) + [
        "ckanext.govshare.schemas",
        "ckanext.govshare.i18n",
    ],
    package_dir={
        "ckanext": "ckanext",
        "ckanext.govshare.schemas": "schemas",
        "ckanext.govshare.i18n": "i18n",
    },
    include_package_data=True,
    package_data={
        "ckanext.govshare": [
            "config_declaration.yaml",
            "templates/**/*",
            "assets/**/*",
            "public/**/*",
            "migration/govshare/*",
            "migration/govshare/versions/*",
            "demo/*.yaml",
            "applications/policies/*.yaml",
        ],
        "ckanext.govshare.schemas": ["*.yaml", "*.json"],
        "ckanext.govshare.i18n": ["*.pot", "*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo"],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
