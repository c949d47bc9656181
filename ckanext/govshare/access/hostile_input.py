# -*- coding: utf-8 -*-
"""The platform's edge: input CKAN core mishandles, answered 400 before it reaches core.

CKAN 2.11 (with ckanext-activity) answers some hostile or merely odd requests with a 500:
the database refuses NUL bytes and lone surrogates, Solr refuses a term above 32766 bytes,
and a few views and actions assume their parameters are there and well formed. govshare's
own actions validate their input (``logic/schema.py``); the requests below never reach
core's code at all. ``guard_input`` runs first among the platform's ``before_app_request``
functions (``views.py``); ``activity_show_input`` is used by the chained ``activity_show``.
Each guard names the core defect it stands in for; ``docs/security.md`` lists them.
"""
from __future__ import annotations

import datetime
import json
import re
import uuid
from typing import Any, Optional

from flask import Response, current_app, request

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.activity.model import Activity

_ = tk._

# one query-string value (a search, a filter, an id): far above any real search, far below
# what Solr refuses as an "immense term" (32766 bytes) or a URL a proxy still passes
MAX_PARAM = 4000
MAX_PATH = 4000
# paging parameters: whole numbers (CKAN core: " " or "x" in rows/start is a 500)
PAGING = ("rows", "start", "limit", "offset")
MAX_PAGING = 10**9
# more numbers and the yes/no parameters of the search actions (CKAN core: " " in
# facet.mincount, "x" in include_private, "" in a JSON start are each a 500)
SEARCH_NUMBERS = PAGING + ("facet.mincount",)
SEARCH_SIGNED = ("facet.limit",)
SEARCH_BOOLEANS = ("include_private", "include_drafts", "include_deleted", "use_default_schema",
                   "all_fields", "include_dataset_count", "include_extras", "include_users",
                   "include_groups", "include_tags", "include_followers", "facet")
_BOOLEAN_TEXT = ("true", "false", "yes", "no", "t", "f", "y", "n", "1", "0", "on", "off")
# JSON bodies of these actions are searches: their string values are bounded like URL values
SEARCH_ACTIONS = frozenset({
    "package_search", "resource_search", "tag_search", "tag_autocomplete", "package_autocomplete",
    "format_autocomplete", "user_autocomplete", "group_autocomplete", "organization_autocomplete",
})
_NUL_OR_SURROGATE = re.compile(r"[\x00\ud800-\udfff]")
# no route takes control characters in its path
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_INT = re.compile(r"^\d{1,10}$")
_SIGNED_INT = re.compile(r"^-?\d{1,10}$")
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
CHANGES_MULTIPLE = {
    "activity.package_changes_multiple": "package",
    "activity.group_changes_multiple": "group",
    "activity.organization_changes_multiple": "organization",
}


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def guard_input() -> Optional[Response]:
    """before_app_request: refuse what CKAN core would answer with a 500."""
    try:
        _check_path()
        _check_args()
        _check_form()
        _check_json()
        _check_route()
    except Refused as e:
        return _refusal(e.status, e.message)
    return None


def _refusal(status: int, message: str) -> Response:
    if request.path.startswith("/api/"):
        kind = {400: "Validation Error", 403: "Authorization Error", 404: "Not Found Error"}.get(status, "Error")
        body = {"help": None, "success": False, "error": {"__type": kind, "message": message}}
        response = current_app.response_class(json.dumps(body, ensure_ascii=False), status,
                                              content_type="application/json;charset=utf-8")
        return response
    # a plain page: CKAN's error template would build links from the hostile path again
    response = current_app.response_class(message + "\n", status, content_type="text/plain; charset=utf-8")
    return response


def _bad_text(value: str) -> bool:
    return bool(_NUL_OR_SURROGATE.search(value))


def _check_path() -> None:
    path = request.path
    if len(path) > MAX_PATH:
        raise Refused(400, _("This address is too long: at most {max} characters").format(max=MAX_PATH))
    if _PATH_CONTROL.search(path):
        # PostgreSQL refuses NUL in a string: /dataset/a%00b was a 500 (DataError)
        raise Refused(400, _("The address contains a NUL byte or other characters that are not text"))


def _check_args() -> None:
    for name, value in request.args.items(multi=True):
        if _bad_text(name) or _bad_text(value):
            raise Refused(400, _("The parameter {name} contains a NUL byte or other characters that are "
                                 "not text").format(name=_printable(name)))
        if len(value) > MAX_PARAM or len(name) > MAX_PARAM:
            raise Refused(400, _("The parameter {name} is too long: at most {max} characters").format(
                name=_printable(name), max=MAX_PARAM))
        if name in PAGING and not _paging_ok(value):
            raise Refused(400, _("The parameter {name} must be a whole number from 0 to {max}").format(
                name=name, max=MAX_PAGING))
        if name == "sort" and not all(part.split() for part in value.split(",")):
            # the dataset search page splits each "field order" pair: an empty one is an IndexError
            raise Refused(400, _("The parameter sort must list fields with their order, e.g. "
                                 "title_string asc, metadata_modified desc"))
    if _action_name() in SEARCH_ACTIONS:
        _check_search_params(request.args.to_dict())


def _check_search_params(params: dict[str, Any]) -> None:
    """The numbers and yes/no answers of a search action, from a query string or a JSON body."""
    for name, value in params.items():
        if name in SEARCH_NUMBERS and not _paging_ok(value):
            raise Refused(400, _("The parameter {name} must be a whole number from 0 to {max}").format(
                name=name, max=MAX_PAGING))
        if name in SEARCH_SIGNED and not (isinstance(value, int) and not isinstance(value, bool)
                                          or isinstance(value, str) and _SIGNED_INT.match(value)):
            raise Refused(400, _("The parameter {name} must be a whole number").format(name=name))
        if name in SEARCH_BOOLEANS and not (
                isinstance(value, bool) or isinstance(value, str) and value.strip().lower() in _BOOLEAN_TEXT):
            raise Refused(400, _("The parameter {name} must be true or false").format(name=name))
        for text in _strings(value):
            if len(text) > MAX_PARAM:
                raise Refused(400, _("The parameter {name} is too long: at most {max} characters").format(
                    name=_printable(str(name)), max=MAX_PARAM))


def _paging_ok(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= MAX_PAGING
    return isinstance(value, str) and bool(_INT.match(value)) and int(value) <= MAX_PAGING


def _printable(name: str) -> str:
    return _NUL_OR_SURROGATE.sub("?", name)[:60]


# the catalogue entry, resource and department forms (ckanext-scheming)
SCHEMING_FORMS = {
    "dataset.new": ("dataset", "dataset_fields"), "dataset.edit": ("dataset", "dataset_fields"),
    "resource.new": ("dataset", "resource_fields"), "resource.edit": ("dataset", "resource_fields"),
    "dataset_resource.new": ("dataset", "resource_fields"), "dataset_resource.edit": ("dataset", "resource_fields"),
    "organization.new": ("organization", "fields"), "organization.edit": ("organization", "fields"),
}


def _check_form() -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not (request.mimetype or "").startswith(_FORM_TYPES):
        return
    for name, value in request.form.items(multi=True):
        if _bad_text(name) or _bad_text(value):
            raise Refused(400, _("The field {name} contains a NUL byte or other characters that are "
                                 "not text").format(name=_printable(name)))
    if request.endpoint in SCHEMING_FORMS:
        _single_values(*SCHEMING_FORMS[request.endpoint])


def _single_values(entity: str, fields_key: str) -> None:
    """A field of one value sent twice reaches ckanext-scheming's form snippets as a list,
    which they cannot show again beside its error (the date snippet: UndefinedError, a 500)."""
    if entity == "dataset":
        schema = tk.h.scheming_get_dataset_schema("dataset")
    else:
        schema = tk.h.scheming_get_organization_schema("organization")
    multiple = {f["field_name"] for f in (schema or {}).get(fields_key, [])
                if "multiple" in str(f.get("form_snippet") or "") or "multiple" in str(f.get("preset") or "")}
    for name in request.form.keys():
        if name not in multiple and len(request.form.getlist(name)) > 1:
            raise Refused(400, _("The field {name} takes one value").format(name=_printable(name)))


def _action_name() -> Optional[str]:
    if request.endpoint in ("api.action",):
        return (request.view_args or {}).get("logic_function")
    return None


def _check_json() -> None:
    """API bodies: CKAN parses any body that is not a form as JSON, where "\\u0000" and
    "\\ud800" are valid escapes that PostgreSQL and Solr then refuse."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return
    if (request.mimetype or "").startswith(_FORM_TYPES):
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        data = json.loads(raw)
    except RecursionError:
        raise Refused(400, _("The request body is nested too deeply"))
    except ValueError:
        return  # core answers malformed JSON with its own 400
    problem = _json_problem(data, 0)
    if problem:
        raise Refused(400, problem)
    if isinstance(data, dict) and _action_name() in SEARCH_ACTIONS:
        _check_search_params({k: v for k, v in data.items() if v is not None})


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _json_problem(value: Any, depth: int) -> Optional[str]:
    if depth > 64:
        return _("The request body is nested too deeply")
    if isinstance(value, str):
        if _bad_text(value):
            return _("The request contains a NUL byte or characters that are not valid Unicode text")
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _json_problem(key, depth + 1) or _json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _json_problem(item, depth + 1)
            if problem:
                return problem
    return None


# --- core views that break on parameters they assume ------------------------------------------

def _check_route() -> None:
    endpoint = request.endpoint
    if endpoint == "activity.resource_history":
        _resource_history()
    elif endpoint in CHANGES_MULTIPLE:
        _changes_multiple(CHANGES_MULTIPLE[endpoint])
    elif endpoint == "api.snippet":
        _snippet()


def _activity(activity_id: Any) -> Any:

    if not isinstance(activity_id, str) or not activity_id or len(activity_id) > 100:
        return None
    return model.Session.query(Activity).get(activity_id)


def _resource_history() -> None:
    """/dataset/<id>/resources/<rid>/history/<activity_id>: ckanext-activity asserts the
    activity exists and holds a dataset (AssertionError, KeyError: a 500)."""
    activity = _activity((request.view_args or {}).get("activity_id"))
    data = activity.data if activity is not None else None
    if not isinstance(data, dict) or not isinstance(data.get("package"), dict):
        raise Refused(404, _("Activity not found"))


def _changes_multiple(object_type: str) -> None:
    """/dataset/changes_multiple (and the group and organization ones): ckanext-activity
    calls activity_show on new_id and old_id without catching anything (missing ids are a
    ValidationError, unknown ones ObjectNotFound, group activities NotAuthorized: each a
    500), and with a reversed range renders the change current_new_id names, unchecked."""
    args = request.args
    new, old = _activity(args.get("new_id")), _activity(args.get("old_id"))
    if not args.get("new_id") or not args.get("old_id"):
        raise Refused(400, _("Choose the two versions to compare (new_id and old_id)"))
    if new is None or old is None:
        raise Refused(404, _("Activity not found"))
    if new.object_id != old.object_id:
        raise Refused(400, _("The two versions compared must be of the same object"))
    if object_type != "package" or "package" not in (new.activity_type or ""):
        # activity_show's auth knows dataset activities only
        raise Refused(403, _("Unauthorized to view activity data"))
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else "",
               "auth_user_obj": tk.current_user if tk.current_user.is_authenticated else None}
    for activity_id in (new.id, old.id):
        try:
            tk.get_action("activity_show")(dict(context), {"id": activity_id, "include_data": False})
        except tk.ObjectNotFound:
            raise Refused(404, _("Activity not found"))
        except tk.NotAuthorized:
            raise Refused(403, _("Unauthorized to view activity data"))
    if _timestamp(old) >= _timestamp(new) and _activity(args.get("current_new_id")) is None:
        raise Refused(400, _("The first version must be older than the second"))


def _timestamp(activity: Any) -> datetime.datetime:
    return activity.timestamp or datetime.datetime.min


FOLLOW_TYPES = ("dataset", "user", "group", "organization")


def _snippet() -> None:
    """/api/util/snippet/<name>: CKAN renders ``ajax_snippets/<name>`` with the query string
    as its variables: a name that is no snippet is a TemplateNotFound, a snippet without
    the variables it needs (or with ones that name nothing) an UndefinedError, an
    AssertionError, a ValueError or an ObjectNotFound (each a 500)."""
    name = (request.view_args or {}).get("snippet_path") or ""
    try:
        current_app.jinja_env.get_template("ajax_snippets/" + name)
    except Exception:  # noqa: BLE001 - TemplateNotFound, or a name the loader refuses ('..')
        raise Refused(404, _("No such snippet"))
    args = request.args
    if name == "api_info.html":  # the DataStore's "Data API" box: h.sanitize_id(resource_id)
        try:
            uuid.UUID(args.get("resource_id") or "")
        except ValueError:
            raise Refused(400, _("The parameter {name} must be a resource id").format(name="resource_id"))
    elif name == "follow_button.html":  # h.follow_button(type, id)
        obj_type, obj_id = (args.get("type") or "").lower(), args.get("id") or ""
        if obj_type not in FOLLOW_TYPES or not obj_id:
            raise Refused(400, _("The parameters type ({types}) and id are required").format(
                types=", ".join(FOLLOW_TYPES)))
        if tk.current_user.is_authenticated:
            try:
                tk.get_action(f"am_following_{obj_type}")({"user": tk.current_user.name}, {"id": obj_id})
            except (tk.ObjectNotFound, tk.NotAuthorized):
                raise Refused(404, _("Not found"))
            except tk.ValidationError:
                raise Refused(400, _("The parameters type ({types}) and id are required").format(
                    types=", ".join(FOLLOW_TYPES)))


# --- core actions ---------------------------------------------------------------------------------

def activity_show_input(data_dict: dict[str, Any]) -> dict[str, Any]:
    """ckanext-activity's activity_show auth reads ``data_dict["include_data"]`` (a KeyError,
    a 500, when the API caller leaves it out, as its docstring allows): default it to False,
    the narrower permission."""
    if "include_data" in data_dict:
        return data_dict
    return dict(data_dict, include_data=False)
