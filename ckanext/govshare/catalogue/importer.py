# -*- coding: utf-8 -*-
"""Import of a catalogue spreadsheet (xlsx or csv, Chinese column headers; the columns are
those of :mod:`columns`): all or nothing, upsert by 信息资源代码, idempotent.

Import works in two phases.

1. **Validate everything, write nothing.** Every row is parsed (vocabulary labels → codes,
   ``信息项`` cell → list of items …) and run through the schema's real validation (the package
   plugin's ``validate`` with the create or update schema, the same call ``package_create`` /
   ``package_update`` make) plus the auth check of the action it will need. Duplicate resource
   codes and URL names inside the file are detected. Every problem is collected as
   (spreadsheet row, Chinese column header, message); if there is any, :class:`CatalogueInvalid`
   is raised and nothing has been written. An existing entry (matched by 信息资源代码) whose
   normalised dict (the existing entry and the entry with the row applied, both passed through
   the update schema) does not change is marked *unchanged* and is not written at all — no new
   revision, no activity, ``metadata_modified`` untouched — so re-importing a file changes
   nothing.

2. **Write in one transaction, then index.** Each create/update runs through the ordinary
   ``package_create`` / ``package_update`` actions with ``defer_commit`` in the context, so
   nothing is committed until a single ``commit`` at the end: a failure anywhere (a database
   that goes away, a validation race with another writer) rolls the whole import back — there
   is never a half-imported catalogue. A guard on the session refuses any commit issued by
   other code in the middle of the import (e.g. default resource views, whose action ignores
   ``defer_commit``) and so turns it into a rollback of the whole import, not a partial one.

   CKAN indexes changed datasets in Solr from a ``before_commit`` hook, i.e. *before* the
   database commit is known to succeed, and one Solr commit per dataset. The importer instead
   drops the session's pending index notifications just before its commit (CKAN's
   ``_object_cache``, consumed only by that hook) and indexes the written datasets after the
   database commit succeeded, with a single Solr commit. A failed database commit therefore
   leaves Solr untouched; a failed indexing (Solr down) leaves a correct database and is
   reported (``ImportResult.index_error``) with the repair command ``ckan search-index
   rebuild``. Should anything have been indexed before a rollback, the created datasets are
   removed from and the updated ones re-indexed into Solr (best effort).

Call it with no pending changes in the session: validation ends its read transactions
(rollback), writing commits everything at once.

Concurrency: before its first write, an import takes the advisory locks of all the resource
codes it writes, in ascending order (``lock_resource_codes``), so two imports running at once
wait for each other instead of deadlocking, and a clerk saving one of those codes meanwhile
waits for the import to commit.

Limits: an import holds up to 4,096 advisory locks until it commits (one per bucket of
resource codes; ``LOCK_BUCKETS``), which PostgreSQL's lock table (``max_locks_per_transaction``
× ``max_connections``, 6,400 by default) must have room for. Resources beyond the
first are not in the spreadsheet and are left as they are.
"""
from __future__ import annotations

import copy
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable, Sequence

from sqlalchemy import event

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.lib import search

from ckanext.govshare import compat, vocab
from ckanext.govshare.catalogue import departments, fingerprints, registry
from ckanext.govshare.catalogue.columns import (
    DATASET_TYPE, ITEM_SPLIT_RE, MULTI_SPLIT_RE, PART_SPLIT_RE, Column, clean_header, columns,
    header_keys)
from ckanext.govshare.catalogue.errors import CatalogueError, CatalogueInvalid, RowError
from ckanext.govshare.catalogue.signals import entries_imported
from ckanext.govshare.catalogue.spreadsheet import file_format, read_table
from ckanext.govshare.logic.validators import lock_resource_codes
from ckanext.govshare.vocab.tags import normalise_tags

log = logging.getLogger(__name__)

__all__ = ["ImportResult", "import_catalogue"]

Progress = Callable[[str, int, int], None]


# --------------------------------------------------------------------------------------
# Parsing rows


@dataclass
class _Row:
    number: int
    dataset: dict[str, Any]                     # dataset fields given by the row (blank → absent)
    blank: set[str]                             # dataset fields whose cell is blank
    resource: dict[str, Any] | None             # first-resource fields, None when all blank
    resource_blank: set[str]
    errors: dict[str, list[str]] = field(default_factory=dict)   # header -> parse errors
    # 信息项 columns: the number in the cell of each parsed item, and of the unreadable ones
    item_numbers: dict[str, list[int]] = field(default_factory=dict)
    bad_items: dict[str, set[int]] = field(default_factory=dict)
    code: str = ""
    existing_id: str | None = None
    action: str = ""                            # create, update, unchanged, skipped
    data: dict[str, Any] | None = None          # what goes to package_create/_update
    org_problem: bool = False                   # 提供方 unknown or ambiguous (reported grouped)
    fingerprint: str = ""


#: how many department names a grouped message lists
_NAMES_SHOWN = 20
DEPARTMENTS_COMMAND = "ckan govshare departments import 部门.xlsx"


@dataclass
class _Lookup:
    """What parsing learns beyond each row: departments found (and how), cells normalised."""

    directory: registry.Directory | None = None
    orgs: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    rows_of: dict[str, dict[str, list[int]]] = field(default_factory=lambda: defaultdict(dict))
    normalised: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))

    def department(self, text: str, row: int) -> str | None:
        if self.directory is None:
            self.directory = registry.Directory()
        if text not in self.orgs:
            dept, how = self.directory.find(text)
            self.orgs[text] = (dept.id if dept is not None else None, how)
        org_id, how = self.orgs[text]
        if how in ("title", "unknown", "ambiguous"):
            self.rows_of[how].setdefault(text, []).append(row)
        return org_id

    def note(self, header: str, written: str, kept: str) -> None:
        self.normalised[(header, written, kept)] += 1

    def problems(self, header: str) -> list[RowError]:
        """The unknown and the ambiguous departments, one message each kind (row 0: the
        whole file), with the command that fixes them."""
        out = []
        for how, template in (
                ("unknown", tk._("{n} departments are unknown: {names}; {rows} rows. Register them "
                                 "first with the department spreadsheet: {command}")),
                ("ambiguous", tk._("{n} department names belong to several departments: {names}; "
                                   "{rows} rows. Write the department's provider code (提供方代码) "
                                   "instead of its name"))):
            found = self.rows_of.get(how) or {}
            if not found:
                continue
            names = sorted(found, key=lambda t: (-len(found[t]), t))
            shown = "、".join(names[:_NAMES_SHOWN]) + ("…" if len(names) > _NAMES_SHOWN else "")
            out.append(RowError(0, header, template.format(
                n=len(names), names=shown, rows=f"{sum(len(r) for r in found.values()):,}",
                command=DEPARTMENTS_COMMAND)))
        return out

    def notices(self) -> list[str]:
        found = self.rows_of.get("title") or {}
        if not found:
            return []
        return [tk._("The provider of {rows} rows was matched by department name (the name is "
                     "unique): {names}").format(
            rows=f"{sum(len(r) for r in found.values()):,}",
            names="、".join(sorted(found)[:_NAMES_SHOWN]) + ("…" if len(found) > _NAMES_SHOWN else ""))]


def _not_allowed(col: Column, text: str) -> str:
    return tk._("{value} is not an allowed value; use one of: {allowed}").format(
        value=text, allowed="、".join(t.zh for t in col.allowed()))


def _term(col: Column, text: str, errors: list[str], lookup: _Lookup) -> vocab.Term | None:
    term = col.lookup(text)
    if term is None:
        errors.append(_not_allowed(col, text))
        return None
    if text.strip().lower() not in (term.value.lower(), term.zh.lower(), term.en.lower()):
        lookup.note(col.header, text.strip(), term.zh)
    return term


def _parse_cell(col: Column, text: str, errors: list[str], lookup: _Lookup) -> Any:
    if col.kind == "text" or col.kind == "date":
        return text
    if col.kind in ("vocab", "choice"):
        term = _term(col, text, errors, lookup)
        return text if term is None else term.value
    if col.kind == "multi":
        values = []
        for part in MULTI_SPLIT_RE.split(text):
            if not part:
                continue
            term = _term(col, part, errors, lookup)
            if term is not None and term.value not in values:
                values.append(term.value)
        return values
    if col.kind == "tags":
        tags, changes = normalise_tags(text)
        for written, kept in changes:
            lookup.note(col.header, written, kept or tk._("(removed)"))
        return ",".join(tags)
    if col.kind == "org":  # pragma: no cover - read in _parse_rows (grouped errors)
        return text
    if col.kind == "items":
        return _parse_items(col, text, errors, lookup)[0]
    return text  # pragma: no cover


def _parse_items(col: Column, text: str, errors: list[str],
                 orgs: _Lookup) -> tuple[list[dict[str, Any]], list[int], set[int]]:
    """The items of a 信息项 cell, the item number (in the cell) of each, and the numbers of
    the items that could not be read."""
    items: list[dict[str, Any]] = []
    numbers: list[int] = []
    bad: set[int] = set()
    for n, chunk in enumerate((c for c in ITEM_SPLIT_RE.split(text) if c), start=1):
        parts = PART_SPLIT_RE.split(chunk)
        if len(parts) > len(col.subfields):
            errors.append(tk._("Item {n} has more than {max} parts separated by |").format(
                n=n, max=len(col.subfields)))
            bad.add(n)
            continue
        item: dict[str, Any] = {}
        for sub, part in zip(col.subfields, parts):
            if part == "":
                continue
            sub_errors: list[str] = []
            item[sub.field] = _parse_cell(sub, part, sub_errors, orgs)
            if sub_errors:
                bad.add(n)
            errors.extend(tk._("Item {n}, {label}: {message}").format(
                n=n, label=sub.header, message=m) for m in sub_errors)
        items.append(item)
        numbers.append(n)
    return items, numbers, bad


_BLANKABLE = ("vocab", "choice", "multi", "date", "tags", "org")


def _parse_rows(table: list[list[str]], cols: Sequence[Column], org_id: str | None = None,
                lookup: _Lookup | None = None) -> tuple[list[_Row], list[RowError]]:
    if not table or not any(table[0]):
        raise CatalogueError(tk._("The file is empty: the first row must hold the column headers"))
    by_key: dict[str, Column] = {}
    for col in cols:
        for key in header_keys(col):
            by_key.setdefault(key, col)
    problems: list[RowError] = []
    present: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for i, header in enumerate(table[0]):
        if not header:
            continue
        found = by_key.get(clean_header(header))
        if found is None:
            problems.append(RowError(1, header, tk._("Unknown column")))
        elif found.header in seen:
            problems.append(RowError(1, header, tk._("Column appears twice")))
        else:
            seen[found.header] = i
            present[i] = found
    for col in cols:
        if (col.required and col.header not in seen and not col.resource
                and not (col.kind == "org" and org_id)):
            problems.append(RowError(1, col.header, tk._("Required column is missing")))

    rows = []
    lookup = lookup if lookup is not None else _Lookup()
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        row = _Row(number, {}, set(), None, set())
        resource: dict[str, Any] = {}
        for i, col in present.items():
            text = cells[i] if i < len(cells) else ""
            if text and col.kind in _BLANKABLE and text.strip().lower() in vocab.BLANK_WORDS:
                text = ""
            if text == "":
                (row.resource_blank if col.resource else row.blank).add(col.field)
                continue
            errors: list[str] = []
            if col.kind == "org":
                value = lookup.department(text, number)
                if value is None:
                    row.org_problem = True
                    continue
            elif col.kind == "items":
                value, row.item_numbers[col.field], row.bad_items[col.field] = \
                    _parse_items(col, text, errors, lookup)
            else:
                value = _parse_cell(col, text, errors, lookup)
            if errors:
                row.errors[col.header] = errors
            (resource if col.resource else row.dataset)[col.field] = value
        row.resource = resource or None
        row.code = str(row.dataset.get("resource_code") or "").strip()
        rows.append(row)
    return rows, problems


# --------------------------------------------------------------------------------------
# Validation


def _context(user: str, **extra: Any) -> dict[str, Any]:
    return dict({"model": model, "session": model.Session, "user": user}, **extra)


def _slug(code: str) -> str:
    """A stable URL name from the resource code: 203001/000001 → 203001-000001."""
    return re.sub(r"[^a-z0-9_-]+", "-", code.lower()).strip("-")


@dataclass
class _Existing:
    id: str
    owner_org: str | None
    metadata_modified: Any


def _existing_by_code(codes: Iterable[str]) -> dict[str, _Existing]:
    """The live catalogue entries with these resource codes (through the compat layer: CKAN
    2.11 keeps extras in package_extra, 2.12 in package.extras)."""
    codes = sorted({c for c in codes if c})
    found: dict[str, _Existing] = {}
    for start in range(0, len(codes), 2000):
        pairs = sorted(compat.packages_by_extra("resource_code", codes[start:start + 2000],
                                                states=compat.LIVE_STATES))
        ids = sorted({pid for _code, pid in pairs})
        packages = {
            pid: _Existing(pid, owner, modified)
            for pid, owner, modified in (
                model.Session.query(model.Package.id, model.Package.owner_org,
                                    model.Package.metadata_modified)
                .filter(model.Package.id.in_(ids))
                .filter(model.Package.type == DATASET_TYPE))}
        for code, pkg_id in pairs:
            if pkg_id in packages:
                found.setdefault(code, packages[pkg_id])
    return found


def _merge(existing: dict[str, Any], row: _Row) -> dict[str, Any]:
    """The existing entry with the row applied: given cells replace, blank cells clear,
    absent columns keep; the name is kept when blank; resources beyond the first are kept."""
    data = copy.deepcopy(existing)
    # CKAN 2.12 keeps a metadata_modified a sysadmin passes: the update must set a new one
    data.pop("metadata_modified", None)
    data.pop("metadata_created", None)
    for key in row.blank:
        if key == "name":
            continue
        if key == "tag_string":
            data["tag_string"] = ""  # no tags (an absent tag_string would keep them)
            continue
        data.pop(key, None)
    data.update(copy.deepcopy(row.dataset))
    if "tag_string" in data:
        data.pop("tags", None)
    if row.resource is not None:
        resources = data.get("resources") or []
        first = dict(resources[0]) if resources else {}
        for key in row.resource_blank:
            first.pop(key, None)
        first.update(row.resource)
        data["resources"] = [first] + list(resources[1:])
    return data


def _new(row: _Row) -> dict[str, Any]:
    data = copy.deepcopy(row.dataset)
    data["type"] = DATASET_TYPE
    if not data.get("name") and row.code:
        data["name"] = _slug(row.code)
    if row.resource is not None:
        data["resources"] = [copy.deepcopy(row.resource)]
    return data


def _validate(user: str, data: dict[str, Any], package: model.Package | None) -> tuple[dict, dict]:
    plugin = lib_plugins.lookup_package_plugin(DATASET_TYPE)
    # checking only: no advisory locks (the write takes them, in order; taken here in row
    # order they would let two imports deadlock)
    if package is None:
        context = _context(user, govshare_validate_only=True)
        schema_ = plugin.create_package_schema()
        action = "package_create"
    else:
        context = _context(user, package=package, govshare_validate_only=True)
        schema_ = plugin.update_package_schema()
        action = "package_update"
    return lib_plugins.plugin_validate(plugin, context, copy.deepcopy(data), schema_, action)


def _normalise(validated: dict[str, Any]) -> dict[str, Any]:
    """A validated dict in a form where equal entries compare equal (an empty value and
    an absent one are the same, in the entry and in its resources)."""
    out = {k: v for k, v in validated.items() if v not in ("", None)}
    # CKAN 2.12 validates a sysadmin's metadata_modified/created (_merge drops them)
    out.pop("metadata_modified", None)
    out.pop("metadata_created", None)
    out["resources"] = [{k: v for k, v in r.items() if v not in ("", None)} if isinstance(r, dict) else r
                        for r in validated.get("resources") or []]
    out.pop("tag_string", None)
    out["tags"] = sorted({t.get("name", "") for t in out.get("tags") or []})
    extras = out.pop("extras", None) or []
    out["extras"] = {e.get("key"): e.get("value") for e in extras}
    return out


def _messages(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def _row_errors(row: _Row, errors: dict[str, Any], cols: Sequence[Column]) -> list[RowError]:
    dataset_cols = {c.field: c for c in cols if not c.resource}
    resource_cols = {c.field: c for c in cols if c.resource}
    if "tag_string" in dataset_cols:
        dataset_cols.setdefault("tags", dataset_cols["tag_string"])
    found: dict[str, list[str]] = {}

    def add(header: str, message: str) -> None:
        if message not in found.setdefault(header, []):
            found[header].append(message)

    for key, value in errors.items():
        col = dataset_cols.get(key)
        if key == "resources" and isinstance(value, list):
            for n, res_errors in enumerate(value):
                for rkey, rvalue in (res_errors or {}).items():
                    rcol = resource_cols.get(rkey) if n == 0 else None
                    header = rcol.header if rcol else tk._("resource {n}").format(n=n + 1) + f" {rkey}"
                    for m in _messages(rvalue):
                        add(header, m)
        elif col is not None and col.kind == "items" and isinstance(value, list):
            subs = {s.field: s for s in col.subfields}
            numbers = row.item_numbers.get(key) or []
            bad = row.bad_items.get(key) or set()
            for i, item_errors in enumerate(value):
                n = numbers[i] if i < len(numbers) else i + 1
                if n in bad:  # already explained by the parse error
                    continue
                if isinstance(item_errors, dict):
                    for skey, svalue in item_errors.items():
                        label = subs[skey].header if skey in subs else skey
                        for m in _messages(svalue):
                            add(col.header, tk._("Item {n}, {label}: {message}").format(
                                n=n, label=label, message=m))
                else:
                    for m in _messages(item_errors):
                        add(col.header, m)
        else:
            header = col.header if col is not None else key
            for m in _messages(value):
                add(header, m)
    # a cell that could not be read explains itself better than the validator's echo of
    # it; 信息项 keeps the messages about its other items
    items_headers = {c.header for c in cols if c.kind == "items"}
    for header, messages in row.errors.items():
        rest = found.get(header, []) if header in items_headers else []
        found[header] = list(messages) + [m for m in rest if m not in messages]
    return [RowError(row.number, h, m) for h, ms in found.items() for m in ms]


def _auth_error(user: str, action: str, data: dict[str, Any]) -> str | None:
    try:
        tk.check_access(action, _context(user), data)
    except tk.NotAuthorized:
        if action == "package_create":
            return tk._("You are not allowed to add entries to this department")
        return tk._("You are not allowed to change the existing entry with this resource code")
    return None


def _tick(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _schema_signature(cols: Sequence[Column]) -> str:
    return fingerprints.fingerprint([(c.header, c.field, c.kind, c.resource) for c in cols])


def _row_fingerprint(row: _Row, signature: str) -> str:
    return fingerprints.fingerprint(signature, row.dataset, sorted(row.blank), row.resource,
                                    sorted(row.resource_blank))


def _plan(rows: list[_Row], cols: Sequence[Column], user: str, org_id: str | None,
          progress: Progress | None) -> list[RowError]:
    """Validate every row and decide create / update / unchanged; returns every problem.

    An existing entry whose row has the fingerprint the last import stored for it, and
    that nobody changed since (same ``metadata_modified``), is unchanged without being read
    or validated (:mod:`fingerprints`)."""
    problems: list[RowError] = []
    org_col = next((c for c in cols if c.kind == "org"), None)
    code_col = next((c for c in cols if c.field == "resource_code" and not c.resource), None)
    name_col = next((c for c in cols if c.field == "name" and not c.resource), None)
    signature = _schema_signature(cols)

    first_row_of_code: dict[str, int] = {}
    first_row_of_name: dict[str, int] = {}
    existing = _existing_by_code(r.code for r in rows)
    known = fingerprints.stored(e.id for e in existing.values())
    show = tk.get_action("package_show")
    for n, row in enumerate(rows, start=1):
        if org_id is not None:
            if "owner_org" not in row.dataset and "owner_org" not in row.errors and not row.org_problem:
                row.dataset["owner_org"] = org_id
            elif row.dataset.get("owner_org") != org_id and org_col is not None \
                    and org_col.header not in row.errors and not row.org_problem:
                row.errors[org_col.header] = [tk._("Only entries of this department can be imported here")]

        duplicate_code = False
        if row.code and code_col is not None:
            if row.code in first_row_of_code:
                duplicate_code = True
                row.errors.setdefault(code_col.header, []).append(
                    tk._("Resource code {code} also appears in row {row}").format(
                        code=row.code, row=first_row_of_code[row.code]))
            else:
                first_row_of_code[row.code] = row.number

        found = existing.get(row.code)
        row.existing_id = found.id if found is not None else None
        row.fingerprint = _row_fingerprint(row, signature)
        if row.org_problem:
            # the department is reported once for all its rows (_Lookup.problems); without
            # it the row cannot be validated
            row.action = "invalid"
            problems.extend(_row_errors(row, {}, cols))
            _tick(progress, "validate", n, len(rows))
            continue
        if (found is not None and not row.errors and not duplicate_code
                and known.get(found.id) == (row.fingerprint, found.metadata_modified)
                and (org_id is None or found.owner_org == org_id)):
            row.action = "unchanged"
            row.data = None
            _tick(progress, "validate", n, len(rows))
            continue

        auth_problem = None
        validated: dict[str, Any]
        org_readable = org_col is None or org_col.header not in row.errors
        if row.existing_id is None:
            row.action = "create"
            row.data = _new(row)
            if org_readable and row.data.get("owner_org"):
                auth_problem = _auth_error(user, "package_create", {
                    "owner_org": row.data["owner_org"], "type": DATASET_TYPE})
            validated, errors = _validate(user, row.data, None)
        else:
            current = show(_context(user, ignore_auth=True), {"id": row.existing_id})
            if org_id is not None and current.get("owner_org") != org_id and org_col is not None:
                row.errors.setdefault(org_col.header, []).append(
                    tk._("The existing entry with this resource code belongs to another department"))
            row.data = _merge(current, row)
            auth_problem = _auth_error(user, "package_update", {"id": row.existing_id})
            package = model.Package.get(row.existing_id)
            validated, errors = _validate(user, row.data, package)
            if not errors and not row.errors and auth_problem is None:
                before, before_errors = _validate(user, current, package)
                same = not before_errors and _normalise(before) == _normalise(validated)
                row.action = "unchanged" if same else "update"
            else:
                row.action = "update"

        name = validated.get("name") if isinstance(validated, dict) else None
        if name and name_col is not None and not duplicate_code:  # same code, same generated name
            if name in first_row_of_name:
                row.errors.setdefault(name_col.header, []).append(
                    tk._("URL name {name} also appears in row {row}").format(
                        name=name, row=first_row_of_name[name]))
            else:
                first_row_of_name[name] = row.number
        if auth_problem and org_col is not None:
            row.errors.setdefault(org_col.header, []).append(auth_problem)
        problems.extend(_row_errors(row, errors, cols))
        if n % 200 == 0:
            # validation writes nothing; end the read transaction now and then over a long file
            model.Session.rollback()
        _tick(progress, "validate", n, len(rows))
    model.Session.rollback()
    return problems


# --------------------------------------------------------------------------------------
# Writing


class _NestedCommit(Exception):
    pass


class _CommitGuard:
    """Refuse every commit of this thread's session except the importer's own, and note every
    entry the import flushes (what to take out of the search index again after a rollback,
    should anything have indexed it meanwhile)."""

    def __init__(self, session: Any):
        self.session = session
        self.allowed = False
        self.seen_ids: set[str] = set()

    def _after_flush(self, session: Any, flush_context: Any) -> None:
        self.seen_ids.update(o.id for o in (*session.new, *session.dirty) if isinstance(o, model.Package))

    def _before_commit(self, session: Any) -> None:
        # SQLAlchemy also announces the release of a savepoint as a commit: it commits
        # nothing of the import's own
        if self.allowed or session.in_nested_transaction():
            return
        cache = getattr(session, "_object_cache", None) or {}
        for kind in ("new", "changed"):
            self.seen_ids.update(o.id for o in cache.get(kind, ()) if isinstance(o, model.Package))
        raise _NestedCommit(
            "a commit was attempted in the middle of the catalogue import; rolled back")

    def __enter__(self) -> "_CommitGuard":
        event.listen(self.session, "after_flush", self._after_flush)
        event.listen(self.session, "before_commit", self._before_commit)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.session, "before_commit", self._before_commit)
        event.remove(self.session, "after_flush", self._after_flush)


def _write_one(row: _Row, user: str) -> str:
    context = _context(user, defer_commit=True, return_id_only=True)
    if row.action == "create":
        return tk.get_action("package_create")(context, copy.deepcopy(row.data))
    tk.get_action("package_update")(context, copy.deepcopy(row.data))
    return row.existing_id  # type: ignore[return-value]


def _drop_index_notifications(session: Any) -> None:
    """Let the coming commit skip CKAN's before-commit indexing: the importer indexes after
    the commit succeeded. ``_object_cache`` is filled by CKAN's before_flush hook and read
    only by its before_commit hook (ckan/model/meta.py, ckan/model/modification.py)."""
    session.flush()
    if hasattr(session, "_object_cache"):
        del session._object_cache


def _restore_index(created: Iterable[str], updated: Iterable[str]) -> None:
    """After a rollback: Solr must not keep what the database no longer has."""
    index = search.index_for(model.Package)
    for pkg_id in set(created):
        try:
            index.remove_dict({"id": pkg_id})
        except Exception:  # noqa: BLE001 - best effort, logged
            log.exception("could not remove %s from the search index", pkg_id)
    for pkg_id in set(updated):
        try:
            search.rebuild(pkg_id)
        except Exception:  # noqa: BLE001
            log.exception("could not re-index %s", pkg_id)


def _index(ids: Sequence[str], progress: Progress | None) -> str | None:
    index = search.index_for(model.Package)
    try:
        for n, pkg_id in enumerate(ids, start=1):
            # the dict the index takes on CKAN 2.11 and 2.12 (compat.package_index_dict)
            index.update_dict(compat.package_index_dict(pkg_id), True)
            _tick(progress, "index", n, len(ids))
        if ids and tk.config.get("ckan.search.solr_commit"):
            index.commit()
    except Exception as e:  # noqa: BLE001 - the database is right; tell how to repair Solr
        log.exception("indexing the imported catalogue failed")
        return str(e)
    return None


def _fingerprints(rows: Iterable[_Row], created: dict[int, str]) -> dict[str, str]:
    """What to remember of this import: every entry it created, changed or found unchanged
    (the entries' ``metadata_modified`` is read when stored, after the writes)."""
    out = {}
    for row in rows:
        pkg_id = created.get(row.number) if row.action == "create" else row.existing_id
        if pkg_id and row.action in ("create", "update", "unchanged") and row.fingerprint:
            out[pkg_id] = row.fingerprint
    return out


def _write(rows: list[_Row], cols: Sequence[Column], user: str,
           progress: Progress | None) -> list[str]:
    session = model.Session()
    todo = [r for r in rows if r.action in ("create", "update")]
    created: list[str] = []
    created_by_row: dict[int, str] = {}
    guard = _CommitGuard(session)
    try:
        with guard:
            lock_resource_codes(r.code for r in todo)
            for n, row in enumerate(todo, start=1):
                try:
                    pkg_id = _write_one(row, user)
                except tk.ValidationError as e:
                    # a concurrent writer got in between validation and writing
                    raise CatalogueInvalid(_row_errors(row, e.error_dict, cols))
                if row.action == "create":
                    created.append(pkg_id)
                    created_by_row[row.number] = pkg_id
                _tick(progress, "write", n, len(todo))
            fingerprints.store(_fingerprints(rows, created_by_row))
            _drop_index_notifications(session)
            guard.allowed = True
            session.commit()
    except BaseException:
        try:
            model.Session.rollback()
        except Exception:  # noqa: BLE001 - the database may be gone; nothing was committed
            log.exception("rollback after a failed catalogue import")
        updated = [r.existing_id for r in todo if r.action == "update" and r.existing_id]
        _restore_index(created + sorted(guard.seen_ids - set(updated)), updated)
        raise
    return created


# --------------------------------------------------------------------------------------
# Import


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rows: int = 0
    dry_run: bool = False
    index_error: str | None = None
    created_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    #: rows with problems, skipped (``skip_invalid``): the problems
    problems: list[RowError] = field(default_factory=list)
    #: cells written otherwise than the stored value: ``{(column, as written, as kept): rows}``
    normalised: dict[tuple[str, str, str], int] = field(default_factory=dict)
    #: what the operator should know (providers matched by name)
    notices: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}

    def normalised_list(self) -> list[dict[str, Any]]:
        return [{"column": c, "from": a, "to": b, "rows": n}
                for (c, a, b), n in sorted(self.normalised.items(), key=lambda i: (i[0][0], -i[1], i[0][1]))]


def import_catalogue(source: str | IO[bytes], fmt: str | None = None, *, user: str,
                     org: str | None = None, dry_run: bool = False, skip_invalid: bool = False,
                     progress: Progress | None = None) -> ImportResult:
    """Import a catalogue spreadsheet: validate every row, then create or update the entries
    in one transaction (upsert by 信息资源代码); unchanged entries are not touched. After
    the commit, ``ckanext.govshare.catalogue_entries_imported`` is sent (sender: ``user``;
    ``created`` and ``changed``: entry ids).

    :param source: path, or binary file object (then ``fmt`` is needed)
    :param fmt: ``xlsx`` or ``csv``; from the file name when omitted
    :param user: the account that imports (its permissions apply to every row)
    :param org: only entries of this department (name, id or title); rows with an empty
        提供方 belong to it
    :param dry_run: validate and count, write nothing
    :param skip_invalid: import the valid rows and skip the rows with problems (reported in
        ``problems``); by default one problem anywhere imports nothing
    :raises CatalogueInvalid: with every row/column problem; nothing was written
    :raises CatalogueError: the file cannot be read as a catalogue
    """
    if isinstance(source, str):
        fmt = fmt or file_format(source)
    table = read_table(source, fmt)
    cols = columns()
    org_id = departments.department_id(org)
    lookup = _Lookup()
    rows, problems = _parse_rows(table, cols, org_id, lookup)
    del table
    if problems:  # the header row itself is wrong: rows cannot be read reliably
        raise CatalogueInvalid(problems)
    org_col = next((c for c in cols if c.kind == "org"), None)
    problems = _plan(rows, cols, user, org_id, progress)
    problems += lookup.problems(org_col.header if org_col is not None else "")

    result = ImportResult(rows=len(rows), dry_run=dry_run, normalised=dict(lookup.normalised),
                          notices=lookup.notices())
    if problems:
        if not skip_invalid:
            raise CatalogueInvalid(problems)
        bad = {p.row for p in problems}
        for row in rows:
            if row.number in bad or row.org_problem:
                row.action = "skipped"
        result.problems = CatalogueInvalid(problems).errors
    result.created = sum(r.action == "create" for r in rows)
    result.updated = sum(r.action == "update" for r in rows)
    result.unchanged = sum(r.action == "unchanged" for r in rows)
    result.skipped = sum(r.action == "skipped" for r in rows)
    if dry_run:
        return result
    result.created_ids = _write(rows, cols, user, progress)
    result.updated_ids = [r.existing_id for r in rows if r.action == "update"]  # type: ignore[misc]
    result.index_error = _index(result.created_ids + result.updated_ids, progress)
    if result.created_ids or result.updated_ids:
        entries_imported.send(user, created=list(result.created_ids),
                              changed=list(result.updated_ids))
    return result
