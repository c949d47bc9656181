# -*- coding: utf-8 -*-
"""What a save of a catalogue entry means for its publication, and the authority's decision.

A save by a department (form, API, spreadsheet import) when review is on
(``ckanext.govshare.catalogue_review``, default true):

- a new entry asking to be public (CKAN's ``private`` false) becomes private and pending;
- an entry under review (pending, or returned with a reason) stays private; saving a returned
  entry resubmits it (a new pending row with a new deadline);
- a change to a published entry stays published when it only makes the entry *less* open
  (open or share attribute towards 不予, with their conditions and bases) or changes nothing in
  the catalogue (resource and data updates): withholding never waits for review; any other
  change takes the entry out of publication (private) until the authority approves it. The
  public does not keep the previous version meanwhile (a documented simplification);
- an entry the department keeps private itself is its own business: nothing to review.

Saves by the authority (sysadmins, the site user, members of the authority group) publish at
once. The state is decided in the package hooks before the save commits, so an entry is never
indexed as public in between.

Approval and rejection change the pending row with a conditional UPDATE (``WHERE status =
'pending'``): of two reviewers deciding at once the second finds nothing to update and gets a
409, whatever the first decided.
"""
from __future__ import annotations

import datetime
import logging
from collections import OrderedDict
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare import compat
from ckanext.govshare.access.grants import utcnow
from ckanext.govshare.applications import deadlines, workdays
from ckanext.govshare.authority.role import is_authority
from ckanext.govshare.review.model import Review

log = logging.getLogger(__name__)

CONFIG_KEY = "ckanext.govshare.catalogue_review"
#: chongqing-2019 §14 ¶2: 主管部门应当在收到更新申请之日起5个工作日内审核 (when the active
#: deadline profile has no ``upkeep.catalogue_update_review``)
DEFAULT_REVIEW_DAYS = 5
DUTY = "catalogue_update_review"
MAX_REASON = 2000

# how open each level is: a higher number is less open
OPEN_ORDER = {"unconditional": 0, "conditional": 1, "closed": 2}
SHARE_ORDER = {"unconditional": 0, "conditional": 1, "none": 2}
# fields that go with a level: a tightening may change them without waiting for review
LEVEL_FIELDS = ("open_type", "share_type", "open_condition", "open_basis", "share_condition", "share_basis")
CORE_FIELDS = ("name", "title", "notes", "license_id", "url", "version", "author", "author_email",
               "maintainer", "maintainer_email", "owner_org")
_BEFORE = "govshare_review_before"


class Conflict(Exception):
    """The review was decided already (by another reviewer, or the entry changed)."""


def enabled() -> bool:
    return tk.asbool(tk.config.get(CONFIG_KEY, True))


def review_days() -> tuple[int, str]:
    """Working days the authority has for a review, and the article they come from."""
    upkeep = deadlines.get_policy().upkeep.get(DUTY)
    if upkeep is not None and upkeep.days:
        return upkeep.days, upkeep.article
    return DEFAULT_REVIEW_DAYS, "chongqing-2019 §14"


def due_at(received: datetime.datetime) -> datetime.datetime:
    days, _article = review_days()
    return workdays.naive_utc(workdays.deadline(received, days))


# --- what an entry is, for the comparison of a change ---------------------------------------

def fingerprint(pkg: model.Package) -> dict[str, Any]:
    """The catalogue content of an entry (not its resources, not its timestamps)."""
    fields = {c: getattr(pkg, c, None) for c in CORE_FIELDS}
    fields.update({f"extra:{k}": v for k, v in pkg.extras.items()})
    fields["tags"] = sorted(t.name for t in pkg.get_tags())
    return {"fields": fields, "state": pkg.state, "private": bool(pkg.private)}


def capture(context: dict[str, Any]) -> None:
    """Remember what the entry being updated was, before the save (called by the schema's
    after-validator, when the database still holds the old version). Validators get a copy of
    the action's context, so the version is kept on the session, by entry."""
    pkg = context.get("package")
    if isinstance(pkg, model.Package) and pkg.id:
        model.Session.info.setdefault(_BEFORE, {})[pkg.id] = fingerprint(pkg)


def only_withheld(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Does the change leave everything as it was, or only make the entry less open?"""
    old, new = before["fields"], after["fields"]
    keys = (set(old) | set(new)) - {f"extra:{k}" for k in LEVEL_FIELDS}
    if any(old.get(k) != new.get(k) for k in keys):
        return False
    levels = [(OPEN_ORDER, "extra:open_type", "closed"), (SHARE_ORDER, "extra:share_type", "none")]
    tighter = False
    for order, key, default in levels:
        was, now = order.get(old.get(key) or default, 2), order.get(new.get(key) or default, 2)
        if now < was:
            return False  # more open: needs review
        tighter = tighter or now > was
    if tighter:
        return True
    # levels unchanged: their conditions and bases are content like any other field
    return all(old.get(f"extra:{k}") == new.get(f"extra:{k}") for k in LEVEL_FIELDS)


# --- the state of an entry ------------------------------------------------------------------

def latest(package_id: str) -> Optional[Review]:
    return (model.Session.query(Review).filter(Review.package_id == package_id)
            .order_by(Review.submitted_at.desc()).first())


def _actor_id(user: Any) -> Optional[str]:
    if isinstance(user, model.User):
        return user.id
    obj = model.User.get(user) if user else None
    return obj.id if obj is not None else None


def _submit(pkg: model.Package, kind: str, user: Any) -> Review:
    now = utcnow()
    row = Review(package_id=pkg.id, organization_id=pkg.owner_org, kind=kind, status="pending",
                 submitted_by=_actor_id(user), submitted_at=now, review_days=review_days()[0],
                 due_at=due_at(now))
    model.Session.add(row)
    pkg.private = True
    return row


# entries whose save the package hooks decided, by version (metadata_modified): the importer's
# signal after such a save has nothing left to do
_DECIDED: "OrderedDict[str, Any]" = OrderedDict()


def _remember(pkg: model.Package) -> None:
    _DECIDED[pkg.id] = pkg.metadata_modified
    if len(_DECIDED) > 10_000:
        _DECIDED.popitem(last=False)


def saved(context: dict[str, Any], data: dict[str, Any], created: bool) -> None:
    """The package hooks: decide the publication of the entry just saved (before commit)."""
    pkg = model.Package.get(data.get("id") or "")
    before = model.Session.info.get(_BEFORE, {}).pop(pkg.id, None) if pkg is not None else None
    if not enabled():
        return
    if pkg is None or pkg.state != "active":
        return  # drafts and deleted entries are nobody's to review
    _remember(pkg)
    user = context.get("user")
    if is_authority(user):
        return
    requested_public = not tk.asbool(data.get("private", pkg.private))
    current = latest(pkg.id)
    if current is not None and current.status == "pending":
        pkg.private = True  # still waiting: the save joins the submission
        return
    if current is not None and current.status == "rejected":
        _submit(pkg, current.kind, user)  # fixed and sent back
        return
    if not requested_public:
        return  # the department keeps it to itself: less open, at once
    was_published = before is not None and before["state"] == "active" and not before["private"]
    if was_published:
        if only_withheld(before, fingerprint(pkg)):
            return
        _submit(pkg, "change", user)
    else:
        _submit(pkg, "new", user)


def imported(user_name: str, created: list[str], changed: list[str]) -> list[str]:
    """An import committed (possibly in bulk, without the package hooks): put what a
    department imported under review. Returns the ids put under review; commits."""
    if not enabled() or is_authority(user_name):
        return []
    submitted: list[str] = []
    touched: list[str] = []
    for kind, ids in (("new", created), ("change", changed)):
        for package_id in ids:
            pkg = model.Package.get(package_id) if isinstance(package_id, str) else None
            if pkg is None or pkg.state != "active":
                continue
            if package_id in _DECIDED and _DECIDED[package_id] == pkg.metadata_modified:
                continue  # the hooks decided this very save
            current = latest(pkg.id)
            if current is not None and current.status == "pending":
                if not pkg.private:
                    pkg.private = True
                    touched.append(pkg.id)
                continue
            if current is None and pkg.private and kind == "change":
                continue  # kept private by its department
            _submit(pkg, current.kind if current is not None and current.status == "rejected" else kind,
                    user_name)
            submitted.append(pkg.id)
    model.repo.commit()
    compat.reindex_after_commit(submitted + touched)
    return submitted


# --- the authority's decision -----------------------------------------------------------------

def decide(review_id: str, approve: bool, user: Any, reason: Optional[str] = None) -> Review:
    """Approve (publish) or reject (return with ``reason``) a pending review, and commit.

    Raises :class:`Conflict` when the review is no longer pending: another reviewer won."""
    row = model.Session.get(Review, review_id)
    if row is None:
        raise tk.ObjectNotFound(tk._("Review not found"))
    now = utcnow()
    updated = (model.Session.query(Review)
               .filter(Review.id == review_id, Review.status == "pending")
               .update({"status": "approved" if approve else "rejected", "decided_by": _actor_id(user),
                        "decided_at": now, "reason": reason or None}, synchronize_session=False))
    if updated != 1:
        model.Session.rollback()
        raise Conflict(review_id)
    pkg = model.Package.get(row.package_id)
    if approve and pkg is not None and pkg.state == "active":
        pkg.private = False
        _remember(pkg)
    model.repo.commit()
    if approve and pkg is not None:
        compat.reindex_after_commit([pkg.id])
    model.Session.refresh(row)
    return row


def is_overdue(row: Review, now: Optional[datetime.datetime] = None) -> bool:
    return row.status == "pending" and row.due_at < (now or utcnow())
