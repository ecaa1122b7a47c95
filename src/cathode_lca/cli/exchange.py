"""PACT footprint options for compare, compute and passport, and the ``exchange`` command group.

Light at import: click only; the writers load inside the commands.

Examples
--------
>>> from click.testing import CliRunner                                                   # doctest: +SKIP
>>> CliRunner().invoke(exchange, ["olca", "--out", "foreground.zip"])                       # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from ..errors import UsageError
from .model import scenario_model
from .options import inventory_option, parse_params, scenario_option

F = TypeVar("F", bound=Callable[..., Any])


def pact_options(f: F) -> F:
    """``--pact FILE`` and the few facts a PACT footprint needs that a result cannot know."""
    options = [
        click.option(
            "--pact",
            "pact_out",
            type=click.Path(dir_okay=False),
            default=None,
            help="Also write a PACT (WBCSD Pathfinder) 2.3 ProductFootprint JSON: kg CO2-eq (IPCC AR6 GWP100) per declared "
            "unit (compare, compute: per kg or per the product's unit; passport: per kWh of lifetime energy).",
        ),
        click.option(
            "--pact-company", default=None, help="PACT: the data owner's company name (required with --pact)."
        ),
        click.option("--pact-cpc", default=None, help="PACT: the product's UN CPC code (required with --pact)."),
        click.option(
            "--pact-period",
            default=None,
            help="PACT: reference period of the activity data, YEAR or YEAR-YEAR (inclusive; required with --pact).",
        ),
        click.option(
            "--pact-primary-share",
            type=float,
            default=0.0,
            show_default=True,
            help="PACT: share of primary (company-specific) data in percent, 0-100; 0 for the shipped secondary data.",
        ),
        click.option(
            "--pact-company-id",
            "pact_company_ids",
            multiple=True,
            help="PACT: a URN that identifies the data owner, e.g. urn:lei:<LEI> or "
            "urn:pathfinder:company:customcode:buyer-assigned:<code> (repeatable). "
            "Default: urn:cathode-lca:company:<name>.",
        ),
        click.option(
            "--pact-product-id",
            "pact_product_ids",
            multiple=True,
            help="PACT: a URN that identifies the product, e.g. "
            "urn:pathfinder:product:customcode:vendor-assigned:<code> (repeatable). "
            "Default: urn:cathode-lca:product:<name>.",
        ),
        click.option(
            "--pact-created",
            default=None,
            help="PACT: creation time (ISO 8601, UTC). Default: SOURCE_DATE_EPOCH if set, else now.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@dataclass(frozen=True)
class PactRequest:
    """The ``--pact*`` options of one command."""

    out: str | None
    company: str | None
    cpc: str | None
    period: str | None
    primary_share: float
    created: str | None
    company_ids: tuple[str, ...] = ()
    product_ids: tuple[str, ...] = ()

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> PactRequest:
        """Pop the ``pact_*`` keyword arguments of a command."""
        return cls(
            kwargs.pop("pact_out"),
            kwargs.pop("pact_company"),
            kwargs.pop("pact_cpc"),
            kwargs.pop("pact_period"),
            kwargs.pop("pact_primary_share"),
            kwargs.pop("pact_created"),
            tuple(kwargs.pop("pact_company_ids", ())),
            tuple(kwargs.pop("pact_product_ids", ())),
        )

    def check(self, overwrite: bool, *other_outputs: str | None) -> None:
        """Before any work: every required fact is given and the file may be written.

        *other_outputs* are the command's other files (``--out``, ``--plot``): the footprint may not
        be written onto one of them (the second write would replace or refuse the first).
        """
        if not self.out:
            given = [
                flag
                for flag, value in (
                    ("--pact-company", self.company),
                    ("--pact-cpc", self.cpc),
                    ("--pact-period", self.period),
                    ("--pact-created", self.created),
                    ("--pact-primary-share", self.primary_share or None),
                    ("--pact-company-id", self.company_ids or None),
                    ("--pact-product-id", self.product_ids or None),
                )
                if value is not None
            ]
            if given:
                raise UsageError(f"{', '.join(given)} has no effect without --pact FILE", hint="add --pact FILE.json")
            return
        from ..io import check_writable

        for other, flag in zip(other_outputs, ("--out", "--plot"), strict=False):
            if other and os.path.realpath(other) == os.path.realpath(self.out):
                raise UsageError(
                    f"--pact and {flag} both name '{self.out}'", hint="give the PACT footprint its own file"
                )
        share = self.primary_share
        if not (math.isfinite(share) and 0 <= share <= 100):
            raise UsageError(
                f"--pact-primary-share '{share:g}' is not a percentage from 0 to 100", hint="e.g. 0 or 35.5"
            )

        for flag, value in (("--pact-company", self.company), ("--pact-cpc", self.cpc), ("--pact-period", self.period)):
            if not value or not str(value).strip():
                raise UsageError(
                    f"--pact needs {flag}", hint="e.g. --pact-company 'ACME' --pact-cpc 34240 --pact-period 2023"
                )
        from ..exchange.pact import check_cpc, check_dqi_period, check_text, check_urn

        check_text(str(self.company), "companyName", "--pact-company")
        check_cpc(str(self.cpc), "--pact-cpc")
        for urn in self.company_ids:
            check_urn(urn, "companyIds", "--pact-company-id")
        for urn in self.product_ids:
            check_urn(urn, "productIds", "--pact-product-id")
        first, last = self.years()
        created = self.timestamp()
        now = datetime.now(tz=UTC)
        if datetime.fromisoformat(created.replace("Z", "+00:00")) > now:
            source = f"--pact-created '{self.created}'" if self.created else f"SOURCE_DATE_EPOCH ({created})"
            raise UsageError(
                f"{source} is in the future (now {now:%Y-%m-%dT%H:%M:%SZ})",
                hint="give the time the footprint is made"
                + (", or leave --pact-created out" if self.created else ", or unset SOURCE_DATE_EPOCH"),
            )
        end = datetime(last + 1, 1, 1, tzinfo=UTC)
        if end > datetime.fromisoformat(created.replace("Z", "+00:00")):
            raise UsageError(
                f"--pact-period '{self.period}' has not ended at the footprint's creation time {created} "
                f"(it ends {end:%Y-%m-%d}): PACT's reference period is when the activity data were collected",
                hint=f"declare a period that has ended, e.g. --pact-period {int(created[:4]) - 1}"
                if int(created[:4]) > 1900
                else "check the creation time (--pact-created or SOURCE_DATE_EPOCH)",
            )
        check_dqi_period(last, f"--pact-period '{self.period}'")  # before the computation, not after it
        check_writable(self.out, overwrite)
        refuse_inputs("--pact", self.out)

    def check_functional_unit(self, unit: str) -> None:
        """Refuse a footprint per kg of contained metal (``--unit kg-metal:Ni``): PACT declares per kg of product.

        The package's contained-metal unit is an accounting basis, not a product a customer buys: the
        footprint would read as per kg of the salt, several times too much.
        """
        if self.out and unit.startswith("kg-metal"):
            raise UsageError(
                f"--pact with --unit {unit}: a footprint per kg of contained metal is not per kg of a product, "
                "and PACT declares per kilogram of the product (productMassPerDeclaredUnit)",
                hint="write the footprint per kg of what is traded: --unit kg-salt:<salt> or kg-cam",
            )

    def years(self) -> tuple[int, int]:
        """The reference period as (first year, last year)."""
        m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", self.period or "")
        if not m:
            raise UsageError(f"--pact-period '{self.period}' is not YEAR or YEAR-YEAR", hint="e.g. 2023 or 2022-2023")
        first = int(m.group(1))
        last = int(m.group(2) or first)
        if last < first:
            raise UsageError(f"--pact-period '{self.period}' ends before it starts", hint="e.g. 2022-2023")
        if not 1900 <= first <= last <= 2200:
            raise UsageError(f"--pact-period '{self.period}' is outside 1900-2200", hint="e.g. 2023 or 2022-2023")
        return first, last

    def timestamp(self) -> str:
        """``--pact-created``, else SOURCE_DATE_EPOCH, else now (UTC, seconds).

        A value that is not a time, or one outside what a UTC timestamp can hold, is a user error
        naming where it came from (a malformed SOURCE_DATE_EPOCH is refused, not ignored).
        """
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        source = f"--pact-created '{self.created}'" if self.created else f"SOURCE_DATE_EPOCH '{epoch:.40}'"
        try:
            if self.created:
                when = datetime.fromisoformat(self.created.replace("Z", "+00:00"))
                when = when if when.tzinfo else when.replace(tzinfo=UTC)
            elif epoch:
                if not re.fullmatch(r"[0-9]+", epoch):
                    raise ValueError("not a number of seconds")
                when = datetime.fromtimestamp(int(epoch), tz=UTC)
            else:
                when = datetime.now(tz=UTC)
            # isoformat pads the year to 4 digits (strftime's %Y writes 999 for year 999)
            return when.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"{source} is not a time a footprint can carry (ISO 8601 in UTC; SOURCE_DATE_EPOCH: seconds since "
                "1970-01-01)",
                hint="e.g. --pact-created 2026-01-31T00:00:00Z",
            ) from None

    def write(
        self,
        gwp: float,
        *,
        product: str,
        description: str,
        attrs: Mapping[str, Any],
        overwrite: bool,
        declared_unit: str = "kilogram",
        unitary_amount: float = 1.0,
        boundary: str = "cradle to gate",
        rules: Sequence[Mapping[str, Any]] = (),
        product_mass: float | None = None,
    ) -> None:
        """Write the footprint of *gwp* kg CO2-eq per declared unit, with the result's provenance."""
        if not self.out:
            return
        from ..exchange.pact import product_footprint
        from ..io import write_text_atomic

        refuse_supplier_files("--pact", self.out, attrs.get("supplier_footprints"))
        sources = _attrs_list(attrs.get("sources"))
        region = str(attrs.get("region") or "") or None
        comment = (
            f"inventory hash {str(attrs.get('inventory_hash', ''))[:16]}; cathode-lca {attrs.get('package_version', '')}; "
            f"allocation {attrs.get('allocation', '')}; data quality (PEF-style DQR, scale 1-5, in the cathode-lca "
            f"JSON output) is not converted to the PACT 1-3 DQI scale."
        )
        footprint = product_footprint(
            gwp,
            company=str(self.company),
            cpc=str(self.cpc),
            product=product,
            description=description,
            period=self.years(),
            created=self.timestamp(),
            declared_unit=declared_unit,
            unitary_amount=unitary_amount,
            region=region,
            primary_data_share=self.primary_share,
            boundary=boundary,
            rules=rules,
            secondary_sources=[_source_entry(s) for s in sources][:20],
            allocation=str(attrs.get("allocation", "")),
            comment=comment,
            identity=json.dumps([str(attrs.get("inventory_hash", "")), product], sort_keys=True),
            company_ids=self.company_ids,
            product_ids=self.product_ids,
            product_mass=product_mass,
        )
        write_text_atomic(self.out, json.dumps(footprint, indent=2) + "\n", overwrite=overwrite)
        click.echo(f"wrote {self.out}", err=True)
        valid_until = datetime(self.years()[1] + 4, 1, 1, tzinfo=UTC)  # PACT: 3 years after referencePeriodEnd
        if valid_until <= datetime.fromisoformat(footprint["created"].replace("Z", "+00:00")):
            click.echo(
                f"warning: the footprint's validity ended {valid_until:%Y-%m-%d} (PACT: 3 years after its reference "
                f"period, {self.period}) before it was created: a customer cannot use it; declare a recent period",
                err=True,
            )


def command_inputs() -> dict[str, str]:
    """The files the running command reads, ``{flag or argument: path}`` (scenarios, battery, inventories).

    Taken from the click context, so every command with ``--pact`` is covered without listing its
    inputs; outputs (``--out``, ``--plot``, ``--pact``) and the ``--pact-*`` texts are not inputs.
    """
    ctx = click.get_current_context(silent=True)
    found: dict[str, str] = {}
    if ctx is None:
        return found
    for param in ctx.command.params:
        name = param.name or ""
        if name in ("out", "plot", "pact_out") or name.startswith("pact_"):
            continue
        value = ctx.params.get(name)
        flag = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str) and item and os.path.isfile(item):
                found.setdefault(f"{flag} {item}", item)
    return found


def refuse_inputs(flag: str, out: str) -> None:
    """Refuse *out* when it names one of the command's input files: ``--overwrite`` never replaces an input."""
    from ..report.output import check_not_inputs

    for label, path in command_inputs().items():  # one call each: a flag can name several files
        check_not_inputs({label.split(" ", 1)[0]: path}, {flag: out})


def refuse_supplier_files(flag: str, out: str, suppliers: Any) -> None:
    """Refuse *out* when it names a supplier footprint that a scenario stood in (known once scenarios are read)."""
    if isinstance(suppliers, str):
        suppliers = json.loads(suppliers)
    for entry in suppliers or []:
        path = str(entry.get("file", "")) if isinstance(entry, Mapping) else ""
        if path and os.path.exists(path) and os.path.realpath(path) == os.path.realpath(out):
            raise UsageError(
                f"{flag} '{out}' is the supplier PACT footprint {path} that the scenario stands in for "
                f"'{entry.get('dataset', '')}'",
                hint="write the result to a new file; --overwrite never replaces an input",
            )


def _attrs_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return [value]
    return [str(v) for v in value or []]


def _source_entry(source: str) -> dict[str, str]:
    """``{name, version}`` of a cited source such as 'Argonne National Laboratory (2022) GREET 2022, ...'."""
    m = re.search(r"\((\d{4})\)", source)
    name = source.split(",")[0].strip() or source
    return {"name": name[:200], "version": m.group(1) if m else "not stated"}


@click.group()
def exchange() -> None:
    """Exchange formats: openLCA JSON-LD (PACT footprints: --pact on compare, compute and passport).

    \b
    Examples:
      cathode-lca exchange olca --out cathode-lca.zip
      cathode-lca compare NMC811 --pact pcf.json --pact-company ACME --pact-cpc 34240 --pact-period 2023 \\
        --unit kg-salt:nickel-sulfate --allocation economic
    """


@exchange.command("olca")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The openLCA JSON-LD zip to write.")
@click.option("--overwrite", is_flag=True, help="Allow --out to replace an existing file.")
@click.option("--param", "params", multiple=True, help="Parameter override NAME=VALUE (repeatable).")
@scenario_option
@inventory_option
def olca(
    out: str, overwrite: bool, params: Sequence[str], scenario_refs: Sequence[str], inventory_files: Sequence[str]
) -> None:
    """Write every dataset, flow and method as an openLCA JSON-LD zip (amounts at one parameter setting).

    Import the zip in openLCA 2 (File > Import > Linked data (JSON-LD)). Formulas travel as values;
    each exchange keeps its formula text in its description. See docs/exchange.md.

    \b
    Examples:
      cathode-lca exchange olca --out cathode-lca.zip
      cathode-lca exchange olca --out cn.zip --param plant_region=CN --scenario everbatt-2023
    """
    from ..exchange.olca import write_olca_zip
    from ..io import check_writable

    check_writable(out, overwrite)
    refuse_inputs("--out", out)
    applied = scenario_model(scenario_refs, parse_params(params), unmapped="fail", inventory_files=inventory_files)
    assert applied.model is not None  # scenario_model always builds one
    refuse_supplier_files("--out", out, applied.attrs.get("supplier_footprints"))
    from ..io import display_text

    for warning in applied.warnings:  # e.g. a supplier stand-in carries no energy or water
        click.echo(f"warning: {display_text(warning)}", err=True)  # a supplier's text is shown, never obeyed
    n = write_olca_zip(applied.model, out, parameters=applied.parameters, overwrite=overwrite)
    click.echo(f"wrote {out} ({n} processes)", err=True)
