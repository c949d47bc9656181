# -*- coding: utf-8 -*-
"""Access as actions: grants (create, revoke, list), and the core and activity actions that
hand out entries, resources or activities, chained so that what they return passes the
access rules (``rules``). A core action is chained only where no CKAN hook sees the caller;
each chained action keeps its core docstring so ``help_show`` documents it.

Where a hook sees the caller the rules are applied there instead (``plugin.py``:
``after_dataset_show`` for package_show and resource_show; ``auth.py``: chained auth
functions for resource views, collaborators, relationships and single activities)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic.action import create as core_create
from ckan.logic.action import delete as core_delete
from ckan.logic.action import get as core_get
from ckan.logic.action import patch as core_patch
from ckan.logic.action import update as core_update
from ckan.types import Action, ActionResult, Context, DataDict
from ckanext.activity.logic import action as activity_actions
from ckanext.datastore.logic import action as datastore_actions

from ckanext.govshare.access import rules as access
from ckanext.govshare.access import doors
from ckanext.govshare.applications.actions import context_user
from ckanext.govshare.access.grants import Grant
from ckanext.govshare.access.grants import GRANT_KINDS, utcnow
from ckanext.govshare.access import hostile_input
from ckanext.govshare.logic import schema as gs_schema

__all__ = [
    "govshare_grant_create",
    "govshare_grant_revoke",
    "govshare_grant_list",
    "package_search",
    "package_list",
    "current_package_list_with_resources",
    "package_autocomplete",
    "resource_search",
    "resource_view_list",
    "tag_show",
    "tag_list",
    "tag_search",
    "tag_autocomplete",
    "user_show",
    "user_list",
    "organization_list",
    "group_list",
    "organization_list_for_user",
    "datastore_search",
    "format_autocomplete",
    "organization_show",
    "group_show",
    "member_list",
    "dataset_follower_count",
    "am_following_dataset",
    "package_activity_list",
    "group_activity_list",
    "organization_activity_list",
    "user_activity_list",
    "dashboard_activity_list",
    "recently_changed_packages_activity_list",
    "activity_show",
    "activity_data_show",
    "activity_diff",
]

_ = tk._


# --- grants ---------------------------------------------------------------------------------

@tk.validate(gs_schema.grant_create_schema)
def govshare_grant_create(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Open an entry's data to a user (open grant) or a department (share grant).

    Normally created by approving an application; the providing department's admins and
    sysadmins may also grant directly.

    :param package_id: the catalogue entry (id or name)
    :type package_id: string
    :param kind: ``open`` (a user, for a 有条件开放 entry) or ``share`` (a department,
        for a 有条件共享 entry)
    :type kind: string
    :param user_id: the grantee, for an open grant (id or name)
    :type user_id: string
    :param organization_id: the grantee department, for a share grant (id or name)
    :type organization_id: string
    :param expires_at: when access ends: an ISO date-time (UTC unless it names a time zone),
        or a date (the end of that day, Beijing time); never when omitted
    :type expires_at: string
    :param conditions: conditions of use attached to the grant
    :type conditions: string
    :param application_id: the application this grant answers
    :type application_id: string
    :returns: the grant
    :rtype: dictionary
    """
    tk.check_access("govshare_grant_create", context, data_dict)
    pkg = model.Package.get(tk.get_or_bust(data_dict, "package_id"))
    if pkg is None or pkg.state != "active":
        raise tk.ObjectNotFound(_("Dataset not found"))
    kind = data_dict.get("kind")
    errors: dict[str, list[str]] = {}
    grant = Grant(package_id=pkg.id, kind=kind, conditions=data_dict.get("conditions"),
                  application_id=data_dict.get("application_id"))
    if kind not in GRANT_KINDS:
        errors["kind"] = [_("Kind must be open (a user) or share (a department)")]
    elif kind == "open":
        user = model.User.get(data_dict.get("user_id") or "")
        if user is None:
            errors["user_id"] = [_("No such user")]
        elif access.open_type(pkg) != "conditional":
            errors["kind"] = [_("Open grants are for conditionally open entries")]
        else:
            grant.user_id = user.id
    else:
        org = model.Group.get(data_dict.get("organization_id") or "")
        if org is None or not org.is_organization:
            errors["organization_id"] = [_("No such department")]
        elif access.share_type(pkg) != "conditional":
            errors["kind"] = [_("Share grants are for conditionally shared entries")]
        else:
            grant.organization_id = org.id
    if errors:
        raise tk.ValidationError(errors)
    grant.expires_at = data_dict.get("expires_at")  # naive UTC (validators.govshare_expiry)
    actor = context_user(context)
    grant.granted_by = actor.id if actor else tk.get_action("get_site_user")({"ignore_auth": True}, {})["id"]
    model.Session.add(grant)
    if not context.get("defer_commit"):
        model.Session.commit()
    access.forget_cached_principals()
    return grant.as_dict()


@tk.validate(gs_schema.grant_revoke_schema)
def govshare_grant_revoke(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Revoke a grant: access ends at once; the grant stays on record. When the grant
    answers an application, the application's log records the revocation and the
    applicant is told why by email.

    :param id: the grant
    :type id: string
    :param reason: why it is revoked (required: the grantee sees it)
    :type reason: string
    :returns: the revoked grant
    :rtype: dictionary
    """
    tk.check_access("govshare_grant_revoke", context, data_dict)
    grant = model.Session.query(Grant).with_for_update().get(tk.get_or_bust(data_dict, "id"))
    if grant is None:
        model.Session.rollback()
        raise tk.ObjectNotFound(_("Grant not found"))
    errors: dict[str, list[str]] = {}
    if grant.revoked_at is not None:
        errors["id"] = [_("This grant is already revoked")]
    reason = data_dict.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = [_("Required: the reason for the revocation (the grantee sees it)")]
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    actor = context_user(context)
    grant.revoked_at = utcnow()
    grant.revoked_by = actor.id if actor else None
    grant.revoke_reason = reason.strip()
    model.Session.commit()
    access.forget_cached_principals()
    # after the commit: whoever cares (the application it answered: its log, the grantee's
    # mail) subscribes to the signal
    tk.signals.ckanext.signal("ckanext.govshare.grant_revoked").send(
        grant.id, grant=grant, actor_id=grant.revoked_by)
    return grant.as_dict()


@tk.side_effect_free
@tk.validate(gs_schema.grant_list_schema)
def govshare_grant_list(context: Context, data_dict: DataDict) -> ActionResult.AnyList:
    """Grants of an entry (for its department), or the caller's own grants.

    :param package_id: list the grants of this entry (department members and sysadmins)
    :type package_id: string
    :returns: grants, newest first
    :rtype: list of dictionaries
    """
    tk.check_access("govshare_grant_list", context, data_dict)
    query = model.Session.query(Grant)
    if data_dict.get("package_id"):
        pkg = model.Package.get(data_dict["package_id"])
        query = query.filter(Grant.package_id == (pkg.id if pkg else None))
    else:
        principal = access.principal_from_context(context)
        query = query.filter(
            (Grant.user_id == principal.user_id) | Grant.organization_id.in_(principal.org_ids or {""}))
    return [g.as_dict() for g in query.order_by(Grant.granted_at.desc())]


# --- chained core actions: output through the access rules ----------------------------------

def _principal(context: Context) -> access.Principal:
    return access.principal_from_context(context)


# why a wrapper: after_dataset_search gets no context, so it cannot tell whose results these are
@tk.chained_action
@tk.side_effect_free
def package_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    return doors.filter_search_results(_principal(context), result)


# why a wrapper: package_list reads names from the database; no hook sees its rows
@tk.chained_action
@tk.side_effect_free
def package_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    return doors.filter_names(_principal(context), up(context, data_dict))


# why a wrapper: it calls core package_search directly (not the chain); no hook sees its rows
@tk.chained_action
@tk.side_effect_free
def current_package_list_with_resources(up: Action, context: Context, data_dict: DataDict) -> Any:
    return doors.filter_package_list(_principal(context), up(context, data_dict))


# why a wrapper: package_autocomplete queries the database; no hook sees its rows
@tk.chained_action
@tk.side_effect_free
def package_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    kept = set(doors.filter_names(_principal(context), [r["name"] for r in result]))
    return [r for r in result if r["name"] in kept]


# resource fields whose value locates the data: a query or an order on them would reveal
# withheld URLs character by character
_DATA_QUERY_FIELDS = frozenset(access.DATA_FIELDS) | {"hash", "extras"}


def _int_param(data_dict: DataDict, key: str) -> int | None:
    value = data_dict.get(key)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise tk.ValidationError({key: [_("Must be a whole number")]})
    if number < 0:
        raise tk.ValidationError({key: [_("Must be a positive integer")]})
    return number


# why a wrapper: resource_search queries the database; no hook sees its rows, count or paging
@tk.chained_action
@tk.side_effect_free
def resource_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    principal = _principal(context)
    if principal.sysadmin:
        return up(context, data_dict)
    offset, limit = _int_param(data_dict, "offset"), _int_param(data_dict, "limit")
    query = data_dict.get("query")
    pairs = [query] if isinstance(query, str) else query if isinstance(query, list) else []
    fields = {str(p).split(":", 1)[0].strip() for p in pairs}
    data_query = bool(fields & _DATA_QUERY_FIELDS)
    if data_dict.get("order_by") in _DATA_QUERY_FIELDS:
        raise tk.ValidationError({"order_by": [_("Resources cannot be ordered by where their data is")]})
    # the whole match, filtered, then paged: the count is of what the caller may see, and
    # a query on where the data is matches only data the caller may have
    result = up(context, {**data_dict, "offset": None, "limit": None})
    rows = doors.filter_resources(principal, result["results"], data_only=data_query)
    end = None if limit is None else (offset or 0) + limit
    return {"count": len(rows), "results": rows[offset or 0:end]}


def _resource_package(resource_id: str | None) -> model.Package | None:
    resource = model.Resource.get(resource_id) if resource_id else None
    return resource.package if resource is not None else None


# why a wrapper: the list must come back empty, not refused (the resource page lists the views
# to all who may see the entry); no hook sees it
@tk.chained_action
@tk.side_effect_free
def resource_view_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    pkg = _resource_package(data_dict.get("id"))
    if pkg is not None and not access.can_use_data(_principal(context), pkg):
        return []
    return result


# why a wrapper: tag_dictize lists the tag's entries from Solr itself; no hook sees them
@tk.chained_action
@tk.side_effect_free
def tag_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    principal = _principal(context)
    if not access.visible_tag_names(principal, [result.get("name")]):
        raise tk.ObjectNotFound(_("Tag not found"))
    if "packages" in result:
        result["packages"] = doors.filter_package_list(principal, result["packages"])
    return result


def _tag_name(tag: Any) -> str:
    return tag.get("name") if isinstance(tag, dict) else tag


# why a wrapper: tag lists are database queries; no hook sees them (an auth function could
# only refuse the whole list)
@tk.chained_action
@tk.side_effect_free
def tag_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    visible = access.visible_tag_names(_principal(context), [_tag_name(t) for t in result])
    return [t for t in result if _tag_name(t) in visible]


# why a wrapper: as tag_list, and the count and paging must be of visible tags only
@tk.chained_action
@tk.side_effect_free
def tag_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    offset, limit = _int_param(data_dict, "offset"), _int_param(data_dict, "limit")
    result = up(context, {**data_dict, "offset": 0, "limit": None})
    visible = access.visible_tag_names(_principal(context), [_tag_name(t) for t in result["results"]])
    rows = [t for t in result["results"] if _tag_name(t) in visible]
    end = (offset or 0) + (10 if limit is None else limit)
    return {"count": len(rows), "results": rows[offset or 0:end]}


# why a wrapper: as tag_list
@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    limit = _int_param(data_dict, "limit")
    names = up(context, {**data_dict, "offset": 0, "limit": None})
    visible = access.visible_tag_names(_principal(context), names)
    return [n for n in names if n in visible][:10 if limit is None else limit]


def _count_visible_created(principal: access.Principal, users: list[dict[str, Any]]) -> None:
    counts = access.visible_created_counts(principal, [u.get("id") for u in users if isinstance(u, dict)])
    for user in users:
        if isinstance(user, dict) and "number_created_packages" in user and user.get("id") in counts:
            user["number_created_packages"] = counts[user["id"]]


# why a wrapper: no hook sees a user dict (counts of created entries are recomputed here)
@tk.chained_action
@tk.side_effect_free
def user_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    principal = _principal(context)
    if not principal.sysadmin:
        _count_visible_created(principal, [result])
    return result


# why a wrapper: no hook sees the user list or its order by entry count
@tk.chained_action
@tk.side_effect_free
def user_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    principal = _principal(context)
    if principal.sysadmin:
        return up(context, data_dict)
    by_count = data_dict.get("order_by") == "number_created_packages"
    if not by_count:
        result = up(context, data_dict)
        if tk.asbool(data_dict.get("all_fields", True)):
            _count_visible_created(principal, result)
        return result
    # ordered by a count that must not include hidden entries: count, then order here
    users = up(context, {**data_dict, "order_by": "name", "all_fields": True})
    _count_visible_created(principal, users)
    users.sort(key=lambda u: (u.get("number_created_packages") or 0, u.get("name") or ""))
    if tk.asbool(data_dict.get("all_fields", True)):
        return users
    return [u["name"] for u in users]


def _groups_with_visible_counts(up: Action, context: Context, data_dict: DataDict, facet: str) -> Any:
    """organization_list / group_list: CKAN counts every active entry of a group (its search
    runs without the caller's permission labels); count what the caller may see."""
    result = up(context, data_dict)
    rows = [g for g in result if isinstance(g, dict) and "package_count" in g]
    if not rows or _principal(context).sysadmin:
        return result
    search = tk.get_action("package_search")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
        {"rows": 0, "facet.field": [facet], "facet.limit": -1, "include_private": True})
    counts = search["facets"].get(facet, {})
    for group in rows:
        group["package_count"] = counts.get(group["id"] if facet == "owner_org" else group["name"], 0)
    return result


# why a wrapper: IOrganizationController.before_view has no context, and is not called for lists
@tk.chained_action
@tk.side_effect_free
def organization_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    return _groups_with_visible_counts(up, context, data_dict, "owner_org")


# why a wrapper: IGroupController.before_view has no context, and is not called for lists
@tk.chained_action
@tk.side_effect_free
def group_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    return _groups_with_visible_counts(up, context, data_dict, "groups")


# why a wrapper: as organization_list
@tk.chained_action
@tk.side_effect_free
def organization_list_for_user(up: Action, context: Context, data_dict: DataDict) -> Any:
    return _groups_with_visible_counts(up, context, data_dict, "owner_org")


# why a wrapper: format_autocomplete queries the database; no hook sees its rows
@tk.chained_action
@tk.side_effect_free
def format_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    principal = _principal(context)
    if principal.sysadmin:
        return up(context, data_dict)
    tk.check_access("format_autocomplete", context, data_dict)
    query = data_dict.get("q")
    if not isinstance(query, str):
        raise tk.ValidationError({"q": [_("Missing value")]})
    limit = _int_param(data_dict, "limit")
    # only the formats of entries the caller may know of (a format used only by a hidden
    # entry would say what it holds)
    return access.visible_formats(principal, query, 5 if limit is None else min(limit, 1000))


def _members_with_visible_counts(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    principal = _principal(context)
    if not principal.sysadmin and isinstance(result.get("users"), list):
        _count_visible_created(principal, result["users"])
    return result


# why a wrapper: IOrganizationController.before_view has no context (members' entry counts)
@tk.chained_action
@tk.side_effect_free
def organization_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    return _members_with_visible_counts(up, context, data_dict)


# why a wrapper: IGroupController.before_view has no context (members' entry counts)
@tk.chained_action
@tk.side_effect_free
def group_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    return _members_with_visible_counts(up, context, data_dict)


# why a wrapper: core answers ``_table_metadata`` without asking any auth function
@tk.chained_action
@tk.side_effect_free
def datastore_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    # ``_table_metadata`` lists every DataStore table, named by resource id, hidden entries'
    # included: an inventory for operators, not for the public
    if data_dict.get("resource_id") == "_table_metadata":
        if not _principal(context).sysadmin:
            raise tk.NotAuthorized(_("The DataStore's table list is for sysadmins"))
        # core answers it without asking any auth function (and CKAN's audit then fails the
        # call); sysadmins pass the check
        tk.check_access("datastore_search", context, data_dict)
    return up(context, data_dict)


# why a wrapper: member_list reads the database; no hook sees its rows
@tk.chained_action
@tk.side_effect_free
def member_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    principal = _principal(context)
    hidden = access.packages_hidden_from(principal, [m[0] for m in result if m[1] == "package"])
    return [m for m in result if not (m[1] == "package" and m[0] in hidden)]


def _follow_target(context: Context, data_dict: DataDict) -> None:
    """A hidden entry is refused exactly as CKAN's follow schema refuses one that does not
    exist (``convert_package_name_or_id_to_id``)."""
    ident = data_dict.get("id")
    try:
        doors.require_visible(_principal(context), ident if isinstance(ident, str) else None)
    except tk.ObjectNotFound:
        raise tk.ValidationError({"id": ["%s: %s" % (_("Not found"), _("Dataset"))]})


# why a wrapper: a hidden entry must get the follow schema's 409 for a missing one, which an
# auth function (403, or 404 by raising) cannot give
@tk.chained_action
@tk.side_effect_free
def dataset_follower_count(up: Action, context: Context, data_dict: DataDict) -> Any:
    _follow_target(context, data_dict)
    return up(context, data_dict)


# why a wrapper: as dataset_follower_count
@tk.chained_action
@tk.side_effect_free
def am_following_dataset(up: Action, context: Context, data_dict: DataDict) -> Any:
    _follow_target(context, data_dict)
    return up(context, data_dict)


def _activity_list() -> Action:
    """A chained activity list (one function per name, each with its own docstring):
    activities filtered through the access rules."""
    def chained(up: Action, context: Context, data_dict: DataDict) -> Any:
        return doors.filter_activities(_principal(context), up(context, data_dict))
    return tk.chained_action(tk.side_effect_free(chained))


# why wrappers: ckanext-activity has no hook on its lists; permission labels drop the rows of
# hidden entries, but the entry snapshots the rows carry must lose their data locations here
package_activity_list = _activity_list()
group_activity_list = _activity_list()
organization_activity_list = _activity_list()
user_activity_list = _activity_list()
dashboard_activity_list = _activity_list()
recently_changed_packages_activity_list = _activity_list()


# why a wrapper: ckanext-activity has no hook on its output (the entry snapshot); the chained
# auth function (access/auth.py) refuses hidden entries first
@tk.chained_action
@tk.side_effect_free
def activity_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, hostile_input.activity_show_input(data_dict))
    kept = doors.filter_activities(_principal(context), [result])
    if not kept:
        raise tk.ObjectNotFound(_("Activity not found"))
    return kept[0]


# why a wrapper: as activity_show
@tk.chained_action
@tk.side_effect_free
def activity_data_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    activity = doors.activity_row(data_dict.get("id"))
    if activity is None:
        return result
    kept = doors.filter_activities(
        _principal(context), [{"object_id": activity.object_id, "data": result}])
    if not kept:
        raise tk.ObjectNotFound(_("Activity not found"))
    return kept[0]["data"]


# why a wrapper: as activity_show (the diff text shows data locations)
@tk.chained_action
@tk.side_effect_free
def activity_diff(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    principal = _principal(context)
    activities = [a for a in (result.get("activities") or []) if isinstance(a, dict)]
    kept = doors.filter_activities(principal, activities)
    if len(kept) != len(activities):
        raise tk.ObjectNotFound(_("Activity not found"))
    pkg_ids = {(a.get("data") or {}).get("package", {}).get("id") or a.get("object_id") for a in activities}
    for pkg in doors.packages_by_id(pkg_ids).values():
        if not access.can_use_data(principal, pkg):
            # the textual diff would show the data locations
            result["diff"] = ""
    return result


# where CKAN's own actions live
_CORE_MODULES = (core_get, core_create, core_update, core_delete, core_patch,
                 activity_actions, datastore_actions)


def _keep_core_docstrings() -> None:
    """CKAN chains an action as ``functools.partial(chained, core)`` and copies only the
    chained function's ``__dict__`` onto it, so ``help_show`` would answer with partial's
    own docstring. Each chained action here carries its core action's docstring in its
    ``__dict__`` (``tests/access/test_help_show.py`` proves it for every one)."""
    for name in __all__:
        func = globals()[name]
        if not getattr(func, "chained_action", False):
            continue
        core = next((getattr(m, name) for m in _CORE_MODULES if hasattr(m, name)), None)
        if core is not None:
            func.__dict__["__doc__"] = core.__doc__


_keep_core_docstrings()
