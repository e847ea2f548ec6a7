"""The plan register (DESIGN 4a): every action known to the plan is accounted for every
month.

The plan is every action read this period plus every action of the last stored period
that was not complete (Blue) or cancelled there. An action of the plan not read this
month is carried forward: its :class:`~reportgen.model.Action` rebuilt from the history
and its last :class:`~reportgen.model.ActionRating` marked with ``carried_from`` (the
period its figures come from) and ``not_updated`` (why, in words a board member reads).
It keeps its place in every count, finance total and export; it never gets a fresh RAG.

An action is known by its :func:`~reportgen.model.action_key` (O2-3 is O2-03), and an
action renumbered since the last stored period (its old ID gone, a new ID with the same
action text and lead officer) is the same action: it is not carried forward under its old
ID, it keeps its history (:attr:`Action.former_ids`, :func:`history_names`) and one
warning names both IDs (``action-renumbered``).

What this month's reading left out of every count and total (``RatedRun.left_out``) is
kept apart from what is carried forward: a rejected row whose action is carried is in the
totals with its last figures, and a refused tracker whose actions are carried is named by
the coverage statement, so neither is "left out" any more. How all this is worded is the
view's (:mod:`reportgen.view.prose`).

Pure functions: the history hands in what it stored (:class:`Stored`), the pipeline hands
in this month's reading; nothing here reads files or the clock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Iterable, Mapping

from reportgen.issues import make_issue
from reportgen.model import (
    Action, ActionRating, Coverage, FinanceRating, NotUpdated, Rag, RatedRun,
    SourceRef, Status, action_key,
)
from reportgen.ingest.values import word_key
from reportgen.validate import sort_issues

PREFIX = "Not updated this month: "
NOT_FOUND = PREFIX + "the tracker was not found"
NO_LONGER = PREFIX + "the action is no longer in its tracker"
_DONE = (Rag.BLUE, Rag.CANCELLED)


@dataclass(frozen=True)
class Stored:
    """One action as the history stored it for a period: its record and its rating
    (``rating.carried_from`` set when it was itself carried into that period)."""

    action: Action
    rating: ActionRating


# --------------------------------------------------------------------------- records


_FIELDS = tuple(f.name for f in fields(Action))
_DATES = ("start", "end", "last_updated")


def action_to_json(a: Action) -> str:
    """The Action's fields as JSON (dates ISO, enums by value): what the history keeps so
    that an action can be carried forward when its tracker is not read."""
    out: dict[str, Any] = {name: getattr(a, name) for name in _FIELDS}
    for name in _DATES:
        out[name] = out[name].isoformat()
    out["status"] = a.status.value
    out["officer_rag"] = a.officer_rag.value if a.officer_rag else None
    out["funding"] = list(a.funding)
    src = a.source
    out["source"] = {"file": src.file, "sheet": src.sheet, "row": src.row,
                     "cells": dict(src.cells)}
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"), default=str)


def action_from_json(text: str | None) -> Action | None:
    """The Action stored by :func:`action_to_json`; None when ``text`` is missing or is
    not a record this reportgen can rebuild (an older or damaged row)."""
    if not text:
        return None
    try:
        d = json.loads(text)
        src = d["source"]
        values = dict(d)
        values.update(
            source=SourceRef(str(src["file"]), str(src["sheet"]), int(src["row"]),
                             dict(src.get("cells") or {})),
            funding=tuple(d.get("funding") or ()),
            funding_shares=tuple(float(x) for x in d.get("funding_shares") or ()),
            former_ids=tuple(str(x) for x in d.get("former_ids") or ()),
            start=date.fromisoformat(d["start"]), end=date.fromisoformat(d["end"]),
            last_updated=date.fromisoformat(d["last_updated"]),
            status=Status(d["status"]),
            officer_rag=Rag(d["officer_rag"]) if d.get("officer_rag") else None)
        known = {f.name for f in fields(Action)}
        return Action(**{k: v for k, v in values.items() if k in known})
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def finance_to_json(f: FinanceRating | None) -> str | None:
    if f is None:
        return None
    return json.dumps({"budget": f.budget, "spend_to_date": f.spend_to_date,
                       "forecast": f.forecast, "variance": f.variance,
                       "rag": f.rag.value if f.rag else None, "underspend": f.underspend,
                       "reasons": list(f.reasons)}, ensure_ascii=False, default=str)


def finance_from_json(text: str | None) -> FinanceRating | None:
    if not text:
        return None
    try:
        d = json.loads(text)
        return FinanceRating(d["budget"], d["spend_to_date"], d["forecast"], d["variance"],
                             Rag(d["rag"]) if d.get("rag") else None,
                             bool(d.get("underspend")), tuple(d.get("reasons") or ()))
    except (ValueError, KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- the register


def _said(message: str) -> str:
    return message.strip().rstrip(".")


def _refusal(file: str, code: str, issues: Iterable) -> str:
    for issue in issues:
        if issue.file == file and issue.code == code:
            return _said(issue.message)
    return code


def _row(cell: str | None) -> int | None:
    digits = "".join(ch for ch in cell or "" if ch.isdigit())
    return int(digits) if digits else None


def _title(code: str) -> str:
    from reportgen.issues import CATALOGUE

    entry = CATALOGUE.get(code)
    title = entry.title if entry else code
    return title[:1].lower() + title[1:]


def _names(text: str, action_id: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(action_id)}(?![\w-])", text) is not None


def _rejected_row(action: Action, issues: list) -> str | None:
    """An error this month on the action's own row of its tracker (the ID named, or the
    same sheet and row): why the row was not turned into an action. A stand-in used only
    when validation does not say (``IngestResult.rejected``)."""
    src = action.source
    for i in issues:
        if i.is_error and i.field == "action_id" and _names(i.message, action.action_id):
            return f"the row could not be rated: {_title(i.code)}"
    for i in issues:
        if (i.is_error and i.file == src.file and i.sheet == src.sheet and i.cell
                and _row(i.cell) == src.row):
            return f"the row could not be rated: {_said(i.message)} ({i.sheet}!{i.cell})"
    return None


def _why(action: Action, sources: Mapping[str, Any], issues: list,
         rejected: Mapping[str, str]) -> tuple[str, bool]:
    """Why ``action``, of the plan, was not read this month, in plain words; and whether
    that was a failure to read it (a refused tracker or sheet, a rejected row) rather
    than the action having left the plan (its file gone or its row removed)."""
    file = action.source.file
    source = sources.get(file)
    if source is None:
        return NOT_FOUND, False
    if source.refused:
        why = _refusal(file, source.refused, issues)
        return PREFIX + f"the tracker could not be read ({why})", True
    reason = rejected.get(action_key(action.action_id)) or _rejected_row(action, issues)
    if reason:
        return PREFIX + reason, True
    if not source.actions:
        errors = [i for i in issues if i.file == file and i.is_error]
        if errors:
            return (PREFIX + "the tracker's actions could not be read "
                    f"({_said(errors[0].message)})"), True
    return NO_LONGER, False


def _signature(a: Action) -> tuple[str, str]:
    return word_key(a.action), word_key(a.lead_officer)


def renumbered(actions: Iterable[Action], stored: Iterable[Stored],
               rejected: Iterable[str] = ()) -> dict[str, Stored]:
    """This month's actions that are an action of the last stored period under a new ID:
    the old ID is not read this month (nor rejected: ``rejected`` holds the keys of rows
    that were found but not rated), the new one was not stored, and they have the same
    action text and lead officer (compared without case, spaces or punctuation). Each
    such new ID → the stored action it continues. Only one-to-one matches count (by
    objective when the text alone matches several), so an action the plan repeats under
    several objectives is never mistaken for a renumbering."""
    actions, stored = list(actions), list(stored)
    read = {action_key(a.action_id) for a in actions}
    kept = {action_key(item.action.action_id) for item in stored}
    skip = set(rejected)
    gone: dict[tuple[str, str], list[Stored]] = {}
    for item in stored:
        key = action_key(item.action.action_id)
        if key not in read and key not in skip and _signature(item.action)[0]:
            gone.setdefault(_signature(item.action), []).append(item)
    new: dict[tuple[str, str], list[Action]] = {}
    for a in actions:
        if action_key(a.action_id) not in kept and _signature(a)[0]:
            new.setdefault(_signature(a), []).append(a)
    out: dict[str, Stored] = {}
    for sig, fresh in new.items():
        old = gone.get(sig, [])
        if len(fresh) == 1 and len(old) == 1:
            out[fresh[0].action_id] = old[0]
            continue
        for a in fresh:  # several: only a match in the same objective, one to one
            same = [o for o in old if o.action.objective == a.objective]
            if len(same) == 1 and sum(1 for f in fresh if f.objective == a.objective) == 1:
                out[a.action_id] = same[0]
    return out


def _follow(run: RatedRun, stored: list[Stored], rejected: Mapping[str, str]
            ) -> tuple[RatedRun, set[str]]:
    """``run`` with each action's earlier IDs (renumbered this month, or before: from the
    stored record) and a warning for each renumbering this month; and the keys of the
    stored actions it continues, which are not carried forward."""
    moved = renumbered(run.actions, stored, rejected)
    former = {action_key(item.action.action_id): item.action.former_ids for item in stored
              if item.action.former_ids}
    issues = []
    actions = []
    for a in run.actions:
        earlier = moved.get(a.action_id)
        if earlier is not None:
            old = earlier.action
            a = replace(a, former_ids=(old.action_id, *old.former_ids))
            src = a.source
            issues.append(make_issue(
                "action-renumbered", file=src.file, sheet=src.sheet,
                cell=src.cell("action_id"), field="action_id", value=a.action_id,
                detail=old.action_id, action_id=a.action_id, officer=a.lead_officer))
        elif not a.former_ids and action_key(a.action_id) in former:
            a = replace(a, former_ids=former[action_key(a.action_id)])
        actions.append(a)
    continued = {action_key(item.action.action_id) for item in moved.values()}
    if not issues and actions == list(run.actions):
        return run, continued
    return replace(run, actions=tuple(actions),
                   issues=tuple(sort_issues([*run.issues, *issues]))), continued


def history_names(run: RatedRun) -> dict[str, str]:
    """Every ID the history may hold for an action of ``run``, by
    :func:`~reportgen.model.action_key` (its own, another spelling of it, an ID it had
    before a renumbering) → the ID ``run`` shows it under: what the history matches its
    stored rows by (:meth:`reportgen.history.History.changes`)."""
    names: dict[str, str] = {}
    for a in run.actions:
        for old in a.former_ids:
            names.setdefault(action_key(old), a.action_id)
    for a in run.actions:
        names[action_key(a.action_id)] = a.action_id
    return names


def carry_forward(run: RatedRun, ingest: Any, previous: str | None,
                  stored: Iterable[Stored], streams: Iterable[str], thresholds) -> RatedRun:
    """``run`` with the plan register applied: every action of ``stored`` (the last
    stored period before this one, labelled ``previous``) not read this month is carried
    forward, and the finance totals are worked out again over all of them. An action
    complete or cancelled there is carried only when this month's reading failed (its
    tracker or sheet refused, its row rejected), so that the plan's size never shrinks
    with a failed file; with its file gone or its row removed it has left the plan.
    Actions are matched by :func:`~reportgen.model.action_key`; one renumbered since
    (:func:`renumbered`) continues its stored action rather than being carried beside
    it. ``run.left_out`` loses the rows whose action is carried (they are in the totals
    now) and the refused trackers whose actions are carried (the coverage statement names
    them). ``run.coverage`` says what was not updated; it stays None when there is no
    earlier period (``previous`` None)."""
    from reportgen.rate import allocate, finance_by_objective, finance_by_stream, finance_total

    if previous is None:
        return run
    stored = list(stored)
    sources = {s.path: s for s in ingest.sources}
    issues = list(ingest.issues)
    rejected = {action_key(k): v for k, v in (getattr(ingest, "rejected", None) or {}).items()}
    run, continued = _follow(run, stored, rejected)
    read = {action_key(k) for k in run.ratings} | continued
    carried_actions: list[Action] = []
    ratings = dict(run.ratings)
    groups: dict[tuple[str, str], list[Action]] = {}
    for item in stored:
        a, r = item.action, item.rating
        key = action_key(a.action_id)
        if key in read:
            continue
        reason, failed = _why(a, sources, issues, rejected)
        if r.reported in _DONE and not failed:
            continue
        read.add(key)
        ratings[a.action_id] = replace(r, carried_from=r.carried_from or previous,
                                       not_updated=reason)
        carried_actions.append(a)
        groups.setdefault((a.source.file, reason.removeprefix(PREFIX)), []).append(a)
    actions = (*run.actions, *carried_actions)
    not_updated = tuple(
        NotUpdated(file, reason, tuple(a.action_id for a in group),
                   round(sum(a.budget or 0.0 for a in group), 2))
        for (file, reason), group in sorted(groups.items()))
    coverage = Coverage(plan_actions=len(actions), not_updated=not_updated,
                        previous_period=previous,
                        from_periods=tuple(sorted({ratings[a.action_id].carried_from
                                                   for a in carried_actions})))
    carried_keys = {action_key(a.action_id) for a in carried_actions}
    carried_files = {file for file, _ in groups}
    left_out = tuple(x for x in run.left_out
                     if not (x.action_id and action_key(x.action_id) in carried_keys)
                     and not (x.is_file and x.file in carried_files))
    if not carried_actions:
        return replace(run, coverage=coverage, left_out=left_out)
    allocations = allocate(actions)
    by_stream = finance_by_stream(allocations, thresholds, streams)
    return replace(run, actions=actions, ratings=ratings, allocations=allocations,
                   finance_by_stream=by_stream,
                   finance_by_objective=finance_by_objective(actions, thresholds),
                   finance_total=finance_total(by_stream, thresholds), coverage=coverage,
                   left_out=left_out)
