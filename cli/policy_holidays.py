"""`escalations policy holidays`: public holidays as the `[calendar] holidays` list to paste.

The domain reads holidays only as explicit dates (a snapshot must give the same answer on every
replay), so a jurisdiction's rules are turned into dates here, once, by python-holidays (the
optional `holidays` extra: pip install 'escalations[holidays]').
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Annotated

import typer


def _years(text: str) -> range:
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text)
    if match is None or (match[2] and int(match[2]) < int(match[1])):
        raise typer.BadParameter(f"{text!r}: write a year or a span, e.g. 2026-2030")
    return range(int(match[1]), int(match[2] or match[1]) + 1)


def holidays_command(
    country: Annotated[str, typer.Option(help="ISO 3166 code, e.g. AU.")],
    subdivision: Annotated[str | None, typer.Option(help="State or territory, e.g. NSW.")] = None,
    years: Annotated[str, typer.Option(help="A year or a span, e.g. 2026-2030.")] = "",
) -> None:
    """Print the public holidays of COUNTRY (and SUBDIVISION) as a TOML `holidays = [...]`."""
    try:
        import holidays
    except ImportError:
        typer.echo("error: needs python-holidays: pip install 'escalations[holidays]'", err=True)
        raise typer.Exit(1) from None
    span = _years(years) if years else None
    if span is None:
        raise typer.BadParameter("give --years, e.g. 2026-2030", param_hint="--years")
    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=span)
    except NotImplementedError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"# python-holidays {version('holidays')}: {country}"
               f"{'/' + subdivision if subdivision else ''}, public, {span[0]}-{span[-1]}")
    typer.echo("holidays = [")
    for day, name in sorted(found.items()):
        typer.echo(f"    {day.isoformat()},  # {name}")
    typer.echo("]")
