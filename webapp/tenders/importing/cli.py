"""`matchmaker import ocds FILE...`, `matchmaker import eforms PATH...` and
`matchmaker reference load-cpv|load-nuts FILE`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.db import get_engine, session_scope
from webapp.tenders.importing import eforms
from webapp.tenders.services import eforms_imports, importing, reference


@click.group("import", cls=AppGroup)
def import_cli() -> None:
    """Import published tenders."""


@import_cli.command("ocds")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def import_ocds(files: tuple[str, ...]) -> None:
    """Import OCDS release or record packages; prints what was skipped and why.

    Exits non-zero only when a file itself is malformed; bad records are reported and skipped.
    """
    n_malformed = 0
    for path in files:
        try:
            records = importing.read_ocds(Path(path).read_bytes())
        except importing.MalformedFile as error:
            click.echo(f"{path}: {error}", err=True)
            n_malformed += 1
            continue
        with session_scope(get_engine()) as db, click.progressbar(
            length=len(records), label=f"{Path(path).name} ({len(records)} records)"
        ) as bar:
            summary = importing.import_records(db, records, on_record=lambda: bar.update(1))
        _echo_summary(path, summary)
    if n_malformed:
        raise click.ClickException(f"{n_malformed} of {len(files)} files could not be read.")


@import_cli.command("eforms")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def import_eforms(paths: tuple[str, ...]) -> None:
    """Import TED eForms notices: XML files, folders of them, or .zip packages.

    Notices that cannot be imported are listed with their reason; the rest is imported.
    Exits non-zero only when the paths hold no notice at all.
    """
    total = eforms.count_sources(paths)
    if not total:
        raise click.ClickException("No eForms notices (.xml) or packages (.zip) found.")
    with session_scope(get_engine()) as db, click.progressbar(
        length=total, label=f"eForms ({total} notices)"
    ) as bar:
        summary = eforms_imports.import_notices(
            db, eforms.iter_sources(paths), on_record=lambda: bar.update(1))
    _echo_summary(", ".join(paths), summary)


def _echo_summary(path: str, summary: importing.ImportSummary) -> None:
    click.echo(
        f"{path}: {summary.n_created} created, {summary.n_updated} updated "
        f"({summary.n_closed} already closed), {len(summary.skipped)} skipped, "
        f"{len(summary.warnings)} warnings."
    )
    for problem in summary.skipped:
        click.echo(f"  skipped {problem.record}: {problem.reason}")
    for problem in summary.warnings:
        click.echo(f"  warning {problem.record}: {problem.reason}")


@click.group("reference", cls=AppGroup)
def reference_cli() -> None:
    """Official reference lists (CPV 2008, NUTS 2021)."""


@reference_cli.command("load-cpv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def load_cpv(file: str) -> None:
    """Load or update the CPV list (cpv_2008_en.csv: CODE,EN)."""
    _load(reference.load_cpv, file, "CPV codes")


@reference_cli.command("load-nuts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def load_nuts(file: str) -> None:
    """Load or update the NUTS list (nuts_2021.csv: NUTS_ID;NAME_LATN)."""
    _load(reference.load_nuts, file, "NUTS regions")


def _load(loader, file: str, what: str) -> None:
    with session_scope(get_engine()) as db:
        try:
            summary = loader(db, file)
        except reference.InvalidReferenceFile as error:
            raise click.ClickException(f"{file}: {error}") from None
    click.echo(f"Loaded {summary.n_total} {what}: {summary.n_created} new, "
               f"{summary.n_updated} updated.")
    if summary.skipped:
        click.echo(f"Skipped {len(summary.skipped)} rows:")
        for line, why in summary.skipped:
            click.echo(f"  line {line}: {why}")
