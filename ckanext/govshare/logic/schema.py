# -*- coding: utf-8 -*-
"""Validation schemas of govshare's own actions (``@validator_args``: validators are
passed by name, as in CKAN core).

Every id is ``govshare_id`` (text, no control characters, bounded) and every free text
``govshare_clean_text`` (no control characters or lone surrogates, bounded), so hostile
input is a validation error before any lookup."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.govshare import vocab


@validator_args
def application_create_schema(
        ignore_missing: Validator, not_empty: Validator, unicode_safe: Validator, strip_value: Validator,
        email_validator: Validator,
        one_of: ValidatorFactory, govshare_clean_text: Validator, govshare_phone: Validator,
        govshare_id: Validator, govshare_day: Validator, govshare_boolean: Validator,
        ignore: Validator) -> Schema:
    text = [ignore_missing, unicode_safe, govshare_clean_text, strip_value]
    ident = [ignore_missing, govshare_id, unicode_safe]
    return {
        "kind": [not_empty, govshare_id, unicode_safe, one_of(vocab.APPLICATION_KINDS.values())],
        "package_id": list(ident),
        "organization_id": list(ident),
        "applicant_org_id": list(ident),
        "client_token": [ignore_missing, govshare_id, unicode_safe, strip_value],
        "applicant_type": [ignore_missing, govshare_id, unicode_safe,
                           one_of(["citizen", "legal_person", "other_org"])],
        "applicant_name": list(text),
        "id_number": [ignore_missing, govshare_id, unicode_safe, strip_value],
        "contact_phone": [ignore_missing, govshare_id, unicode_safe, govshare_phone],
        "contact_email": [ignore_missing, govshare_id, unicode_safe, strip_value, email_validator],
        "purpose": list(text),
        "usage_scope": list(text),
        "data_items": list(text),
        "period_start": [ignore_missing, govshare_day],
        "period_end": [ignore_missing, govshare_day],
        "agreement_accepted": [ignore_missing, govshare_boolean],
        "description": list(text),
        "__extras": [ignore],
    }


@validator_args
def application_extend_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                              int_validator: Validator, govshare_clean_text: Validator,
                              strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "days": [ignore_missing, int_validator],
        "reason": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
        "consented_by": [ignore_missing, unicode_safe],
    }


@validator_args
def application_extension_request_schema(not_empty: Validator, ignore_missing: Validator,
                                         unicode_safe: Validator, int_validator: Validator,
                                         govshare_clean_text: Validator, strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "days": [not_empty, int_validator],
        "reason": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
    }


@validator_args
def application_extension_decline_schema(not_empty: Validator, ignore_missing: Validator,
                                         unicode_safe: Validator, govshare_clean_text: Validator,
                                         strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "reason": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
    }


@validator_args
def application_approve_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                               govshare_clean_text: Validator, strip_value: Validator,
                               govshare_id: Validator, govshare_expiry: Validator) -> Schema:
    return {
        "id": [not_empty, govshare_id, unicode_safe],
        "conditions": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
        # a naive UTC datetime, or None
        "expires_at": [ignore_missing, govshare_expiry],
        "reply": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
    }


@validator_args
def application_refuse_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                              govshare_clean_text: Validator, strip_value: Validator,
                              govshare_id: Validator) -> Schema:
    return {
        "id": [not_empty, govshare_id, unicode_safe],
        # presence is checked by the action, with the article (chongqing-2019 §33)
        "reason": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
        "basis": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
    }


@validator_args
def application_withdraw_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                                govshare_clean_text: Validator, govshare_id: Validator) -> Schema:
    return {
        "id": [not_empty, govshare_id, unicode_safe],
        "reason": [ignore_missing, unicode_safe, govshare_clean_text],
    }


@validator_args
def application_list_schema(ignore_missing: Validator, unicode_safe: Validator, govshare_id: Validator,
                            govshare_boolean: Validator) -> Schema:
    return {
        "organization_id": [ignore_missing, govshare_id, unicode_safe],
        "status": [ignore_missing, govshare_id, unicode_safe],
        "kind": [ignore_missing, govshare_id, unicode_safe],
        "authority": [ignore_missing, govshare_boolean],
    }


@validator_args
def vocabulary_list_schema(ignore_missing: Validator, unicode_safe: Validator, govshare_id: Validator) -> Schema:
    return {"name": [ignore_missing, govshare_id, unicode_safe]}


@validator_args
def grant_create_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                        govshare_id: Validator, govshare_clean_text: Validator, strip_value: Validator,
                        govshare_expiry: Validator) -> Schema:
    ident = [ignore_missing, govshare_id, unicode_safe]
    return {
        "package_id": [not_empty, govshare_id, unicode_safe],
        "kind": list(ident),
        "user_id": list(ident),
        "organization_id": list(ident),
        "application_id": list(ident),
        # a naive UTC datetime, or None
        "expires_at": [ignore_missing, govshare_expiry],
        "conditions": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
    }


@validator_args
def grant_revoke_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                        govshare_id: Validator, govshare_clean_text: Validator, strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, govshare_id, unicode_safe],
        "reason": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
    }


@validator_args
def grant_list_schema(ignore_missing: Validator, unicode_safe: Validator, govshare_id: Validator) -> Schema:
    return {"package_id": [ignore_missing, govshare_id, unicode_safe]}


@validator_args
def application_forward_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                               govshare_clean_text: Validator, strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "organization_id": [not_empty, unicode_safe],
        "note": [ignore_missing, unicode_safe, govshare_clean_text, strip_value],
    }


@validator_args
def review_list_schema(ignore_missing: Validator, unicode_safe: Validator, govshare_id: Validator,
                       govshare_boolean: Validator) -> Schema:
    return {
        "organization_id": [ignore_missing, govshare_id, unicode_safe],
        "status": [ignore_missing, govshare_id, unicode_safe],
        "overdue": [ignore_missing, govshare_boolean],
    }


@validator_args
def review_show_schema(not_empty: Validator, unicode_safe: Validator, govshare_id: Validator) -> Schema:
    return {"id": [not_empty, govshare_id, unicode_safe]}


@validator_args
def review_decide_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                         govshare_clean_text: Validator, strip_value: Validator,
                         govshare_id: Validator, govshare_text: Validator) -> Schema:
    return {
        "id": [not_empty, govshare_id, unicode_safe],
        # presence is checked by the reject action (shenyang-2016 §12: returned with a reason)
        "reason": [ignore_missing, govshare_text, unicode_safe, govshare_clean_text, strip_value],
    }
