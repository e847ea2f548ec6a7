"""What the console says: the summary of a run (the view's statements, counts and
problems, as every other output states them), what a run says about its record, and the
list of problems ``validate`` finds. Only the CLI prints."""

from __future__ import annotations

import click

_MARK = {"error": ("✖", "red"), "warning": ("!", "yellow"), "info": ("i", "cyan")}


def say_statements(view) -> None:
    """First, when they apply: the coverage statement with a line per tracker file, what
    was left out of every count and total with a line per row or tracker, the updates
    made after the period, and the configuration's notes."""
    if view.coverage_statement:
        click.secho(view.coverage_statement, fg="red", bold=True)
        for line in view.coverage_lines:
            click.secho(f"  {line}", fg="red")
    if view.left_out_statement:
        click.secho(view.left_out_statement, fg="red", bold=True)
        for line in view.left_out_lines:
            click.secho(f"  {line}", fg="red")
    if view.late_statement:
        click.secho(view.late_statement, fg="yellow", bold=True)
    for note in view.config_notes:
        click.secho(note, fg="yellow")


def say_summary(result) -> None:
    """The summary of a run: its statements, files, actions by RAG (distinct, with the
    tracker rows beside), problems, outputs and time."""
    view = result.view
    say_statements(view)
    c, q = view.counts, view.quality
    click.secho(f"reportgen: {result.period.name} (as of {result.as_of:%d/%m/%Y})", bold=True)
    actions = (f"{c.actions} distinct actions ({c.tracker_rows} tracker rows)"
               if c.rows_differ else f"{c.actions} actions")
    click.echo(f"  {q.read} tracker file(s) read"
               + (f", {len(q.refused)} refused" if q.refused else "")
               + (f", {len(q.not_read)} not a tracker" if q.not_read else "")
               + f"; {actions}, {len(view.kpis)} KPIs")
    click.echo("  " + "  ".join(f"{rag.value}: {n}" for rag, n in c.now.items()))
    colour = "red" if q.errors else ("yellow" if q.warnings else "green")
    click.secho(f"  {q.errors} error(s), {q.warnings} warning(s)"
                + (f", {q.notes} note(s)" if q.notes else "") + " in the trackers"
                + (" (see the Issues sheet and the feedback folder)" if q.errors
                   or q.warnings else ""), fg=colour)
    click.echo("Outputs:")
    for name, path in result.outputs.items():
        click.echo(f"  {name:<9} {path}")
    click.echo(f"Done in {result.timings.get('total', 0):.1f} s.")


def say_records(result, log) -> None:
    """Print (and log) where the cycle's inputs came from and what it had to mend."""
    period = result.period
    if result.kind == "kept":
        click.secho(f"{period.name}: rated from the trackers kept when it was first "
                    "produced, so it says what the board was told; pass --refresh to read "
                    "the live trackers instead.", fg="cyan")
    elif result.kind == "refresh":
        changes = result.rating_changes
        click.secho(f"{period.name}: refreshed from the live trackers "
                    f"(reason: {result.reason}); "
                    + (f"{len(changes)} action rating(s) changed:" if changes
                       else "no action's rating changed."), fg="yellow")
        for action_id, old, new in changes:
            click.echo(f"  {action_id}: {old or 'not stored'} → {new or 'no longer read'}")
        log.info("%s refreshed (%s): %d rating(s) changed", period.label, result.reason,
                 len(changes))
    for note in result.notes:
        click.secho(f"Warning: {note}", fg="yellow", err=True)
        log.warning("%s: %s", period.label, note)


def print_issues(issues, sources, missing, n_actions: int, n_kpis: int) -> None:
    """``validate``'s list: each file, its status and its problems, then the totals."""
    by_file: dict[str, list] = {}
    for issue in issues:
        by_file.setdefault(issue.file, []).append(issue)
    for name in missing:
        click.secho(f"{name}: no such file or folder", fg="red", err=True)
    for source in sources:
        items = by_file.pop(source.path, [])
        errors = sum(1 for i in items if i.is_error)
        warnings = sum(1 for i in items if i.is_warning)
        if any(i.code == "file-not-read" for i in items):
            status = click.style("not read", fg="cyan")
        elif source.refused:
            status = click.style("refused", fg="red")
        elif errors:
            status = click.style(f"{errors} error(s), {warnings} warning(s)", fg="red")
        elif warnings:
            status = click.style(f"{warnings} warning(s)", fg="yellow")
        else:
            status = click.style("OK", fg="green")
        detail = "" if source.refused else f" ({source.actions} actions, {source.kpis} KPIs)"
        click.echo(f"{click.style(source.path, bold=True)}{detail}: {status}")
        for issue in items:
            mark, colour = _MARK[issue.severity.value]
            where = f"{issue.sheet}!{issue.cell}" if issue.sheet and issue.cell else \
                (issue.sheet or "")
            lead = f"  {click.style(mark, fg=colour)} "
            if where:
                lead += click.style(where, bold=True) + (" " if issue.cell else ": ")
            click.echo(f"{lead}{issue.message} [{issue.code}]")
            click.echo(f"      {issue.hint}")
    for name, items in by_file.items():  # issues for files not in sources (none expected)
        for issue in items:
            click.echo(f"{name}: {issue.message} [{issue.code}]")
    errors = sum(1 for i in issues if i.is_error)
    warnings = sum(1 for i in issues if i.is_warning)
    infos = sum(1 for i in issues if i.is_info)
    refused = sum(1 for s in sources if s.refused and s.refused != "file-not-read")
    files = len(sources)
    line = (f"Checked {files} file{'s' if files != 1 else ''}"
            f"{f' ({refused} refused)' if refused else ''}: {n_actions} actions, {n_kpis} KPIs; "
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
            f"{f'; {infos} note(s)' if infos else ''}.")
    click.secho(line, bold=True, fg="red" if errors else None)


__all__ = ["print_issues", "say_records", "say_statements", "say_summary"]
