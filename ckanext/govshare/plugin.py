# -*- coding: utf-8 -*-
"""The govshare plugin: a thin class; the work lives in the modules it names.

Actions, auth functions, validators, helpers, blueprints, CLI commands and config
declarations are registered by CKAN's blankets from ``logic/action.py``,
``logic/auth.py``, ``logic/validators.py``, ``helpers.py``, ``views.py``, ``cli.py`` and
``config_declaration.yaml``.
"""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

from ckanext.govshare import compat
from ckanext.govshare import i18n as _i18n_pkg
from ckanext.govshare.access import rules as access
from ckanext.govshare.access import doors
from ckanext.govshare.access import subscriptions as access_subscriptions
from ckanext.govshare.applications import subscriptions as application_subscriptions
from ckanext.govshare.dcat import subscriptions as dcat_subscriptions
from ckanext.govshare.oversight import subscriptions as log_subscriptions
from ckanext.govshare.notices import subscriptions as notice_subscriptions
from ckanext.govshare.review import subscriptions as review_subscriptions
from ckanext.govshare.review import workflow as review
from ckanext.govshare.vocab import licences
from ckanext.govshare.search import index as search


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.config_declarations
class GovsharePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.ISignal)
    if compat.CKAN_212:  # CKAN 2.12's file storage asks who may read an entry's files
        p.implements(p.IFiles, inherit=True)

    # IConfigurer

    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "govshare")
        search.configure(config)

    # IConfigurable

    def configure(self, config: CKANConfig) -> None:
        # CKAN's licence register (license_id, license_title, DCAT dct:license) is the
        # licence vocabulary
        licences.install_register()

    # ITranslation

    def i18n_directory(self) -> str:
        # top-level i18n/ of the repository, mapped into the package by setup.py
        return os.path.dirname(os.path.abspath(_i18n_pkg.__file__))

    def i18n_domain(self) -> str:
        return "ckanext-govshare"

    def i18n_locales(self) -> list[str]:
        directory = self.i18n_directory()
        return [
            d for d in os.listdir(directory)
            if os.path.isdir(os.path.join(directory, d, "LC_MESSAGES"))
        ]

    # IFacets

    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return search.dataset_facets(facets_dict)

    # IPackageController

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        return search.label_facets(search_results)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        doors.check_search_params(search_params)
        return search.search_params(search_params)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return doors.index_filter(search.index_labels(pkg_dict))

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        # a department's new entry waits for the authority's review (shenyang-2016 §12)
        review.saved(context, pkg_dict, created=True)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        # a change waits for review unless it only withholds (review/workflow.py)
        review.saved(context, pkg_dict, created=False)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        # package_show (and resource_show, which reads through it): the caller's view of the entry
        doors.show_filter(context, pkg_dict)

    # IFiles (CKAN 2.12): a file of an entry or its resource is the entry's data

    def files_file_allows(self, context: Any, file: Any, operation: str) -> bool | None:
        return doors.file_allows(context, file, operation)

    def files_owner_allows(self, context: Any, owner_type: str, owner_id: str,
                           operation: str) -> bool | None:
        return doors.file_owner_allows(context, owner_type, owner_id, operation)

    # IPermissionLabels

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return access.dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return access.user_labels(user_obj)

    # ISignal

    def get_signal_subscriptions(self) -> Any:
        # each package's receivers (its subscriptions.py): activity permission labels follow an
        # entry's levels (access), mail follows the application workflow (applications), the
        # ten-year logs record changes, exchanges and queries (oversight), imported entries
        # go to the catalogue review (review), changes of data or conditions notify grant
        # holders and subscribers (notices)
        merged: dict[Any, list[Any]] = {}
        for package in (access_subscriptions, application_subscriptions, log_subscriptions,
                        review_subscriptions, notice_subscriptions, dcat_subscriptions):
            subscriptions = package.get_signal_subscriptions()
            for signal, receivers in subscriptions.items():
                merged.setdefault(signal, []).extend(receivers)
        return merged
