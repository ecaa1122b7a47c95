"""PACT (WBCSD Pathfinder) product footprints: write one for a result, read a supplier's.

The data model is that of the PACT Technical Specifications for PCF Data Exchange, version 2.3
(WBCSD; the Catena-X PCF data model follows the same 2.x structure). :data:`SPEC_VERSION` is the
version written; a JSON schema of the properties used ships as
``exchange/schemas/pact-productfootprint-2.3.schema.json``.

What the package can and cannot say in a footprint:

- ``pCfExcludingBiogenic`` and ``fossilGhgEmissions`` are the IPCC AR6 GWP100 result per declared
  unit (the inventories hold fossil and unspecified greenhouse gases only; biogenic emissions and
  land-use change are not modelled, so the optional biogenic properties are left out and the
  ``comment`` says so). PACT requires a non-negative footprint: a negative result (system-expansion
  credits) is refused.
- ``fossilCarbonContent`` and ``biogenicCarbonContent`` are 0: the modelled cathode oxides and salts
  contain no carbon (an LFP carbon coating is not modelled; the comment says so).
- ``primaryDataShare`` is what the caller states (0 % for the shipped secondary data).
- ``dqi`` (PACT scale 1–3) is not derived from the package's pedigree-based DQR (scale 1–5): no
  published conversion exists, so the DQR goes into ``comment`` instead. PACT 2.3 makes ``dqi``
  mandatory for reference periods including 1 January 2025 or later, so such a footprint is refused
  (:func:`check_dqi_period`).

Reading a supplier's footprint (:func:`read_footprint`, in :mod:`.pact_read`) gives the GHG per kg
(or per the declared unit, converted by pint) that :func:`stand_in` puts in place of a dataset's own
exchanges; one for a reference period from 2025 on without a complete ``dqi`` is refused
(:mod:`.pact_checks`). The version, declared units and DateTime both sides share are in
:mod:`.pact_model`.

Examples
--------
>>> pf = product_footprint(
...     1.25, company="ACME Recycling", cpc="34240", product="recycled nickel sulfate",
...     period=(2023, 2023), created="2026-01-01T00:00:00Z")
>>> pf["pcf"]["pCfExcludingBiogenic"], pf["specVersion"]
('1.25', '2.3.1')
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .pact_checks import DQI_REQUIRED_FROM
from .pact_model import DECLARED_UNITS, MASS_NOT_RELEVANT, SPEC_VERSION, parse_utc
from .pact_read import SupplierFootprint
from .pact_read import parse_footprint as parse_footprint
from .pact_read import read_footprint as read_footprint
from .pact_read import read_footprint_for as read_footprint_for

if TYPE_CHECKING:
    from ..inventory.schema import Inventory
    from ..lca import LCAModel

SCHEMA_FILE = Path(__file__).with_name("schemas") / "pact-productfootprint-2.3.schema.json"
GWP_METHOD = "ipcc2021-gwp100"  # the method of every value written: characterizationFactors "AR6"
STANDIN_FLOW = "ghg-unspecified-co2eq-air"  # characterised 1:1 by both GWP100 methods
_NAMESPACE = uuid.UUID("5b0c3a52-4d7e-5c59-9f35-0c8a7d3e6a11")  # salts the hash of footprint ids
_REGIONS = {"EU": "Europe", "GLO": None, "World": None, "RoW": None}  # None: global (no geography property)


def decimal_text(value: float) -> str:
    """*value* as a PACT decimal string (no exponent), exact to the float's shortest repr.

    >>> decimal_text(1.5e-07), decimal_text(25.0), float(decimal_text(0.1 + 0.2)) == 0.1 + 0.2
    ('0.00000015', '25', True)
    """
    if not math.isfinite(value):
        raise UsageError(f"a PACT footprint cannot hold the non-finite value {value}", hint="check the inputs")
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def geography(region: str) -> dict[str, str]:
    """The PACT geography properties of a plant region code (``DE``, ``US-CA``, ``EU``, ``GLO``).

    ``GLO``, ``World`` and ``RoW`` give none (PACT: a global footprint); text that is not a region
    code is refused rather than silently declared global.

    >>> geography("US-CA"), geography("EU"), geography("GLO")
    ({'geographyCountrySubdivision': 'US-CA'}, {'geographyRegionOrSubregion': 'Europe'}, {})
    """
    if region in _REGIONS:  # first: EU has the form of a country code, and is not one
        sub = _REGIONS[region]
        return {"geographyRegionOrSubregion": sub} if sub else {}
    if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", region):
        return {"geographyCountrySubdivision": region}
    if re.fullmatch(r"[A-Z]{2}", region):
        return {"geographyCountry": region}
    raise UsageError(
        f"the region {region!r:.40} is not a region code PACT can declare",
        hint="give the country as its ISO 3166-1 alpha-2 code (DE), a subdivision as ISO 3166-2 (US-CA), or EU / GLO",
    )


#: Characters no PACT text field may hold: they reshape how a host shows the text around them (bidi
#: embeddings, overrides and isolates, line and paragraph separators), or are not Unicode text at all.
_REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def check_text(value: str, field_name: str, given_as: str = "") -> str:
    """*value* unchanged, or a :class:`UsageError` naming the PACT field and the first bad character.

    Control characters (a newline, a terminal escape), bidi overrides and lone surrogates (what
    undecodable bytes on a command line become) are refused: JSON can escape them, but a host shows
    them to the customer as a second line, a reversed name, or rejects the file as invalid UTF-8.

    >>> check_text('Société "Nickel"', "companyName")
    'Société "Nickel"'
    """
    import unicodedata

    for ch in value:
        if ch in _REORDERING or unicodedata.category(ch) in ("Cc", "Cs"):
            where = f" ({given_as})" if given_as else ""
            raise UsageError(
                f"PACT field '{field_name}'{where} holds the character U+{ord(ch):04X}, which a footprint cannot carry",
                hint="remove control characters, line breaks and bidirectional overrides from the text",
            )
    return value


def check_cpc(code: str, given_as: str = "") -> str:
    """*code* if it is a UN CPC Ver. 2.1 code (1 to 5 ASCII digits: section to subclass), else a UsageError.

    Only the form is checked. A nickel or cobalt sulfate is subclass 34240 "Phosphates of triammonium; salts
    and peroxysalts of inorganic acids and metals n.e.c." (not 34290, rare-earth compounds); see
    docs/exchange.md for what is verified.

    >>> check_cpc("34240")
    '34240'
    """
    if not re.fullmatch(r"[0-9]{1,5}", code):
        where = f" ({given_as})" if given_as else ""
        raise UsageError(
            f"PACT field 'productCategoryCpc'{where}: {code!r:.40} is not a UN CPC code",
            hint="a CPC Ver. 2.1 code is 1 to 5 digits (section to subclass), e.g. 34240",
        )
    return code


def dataset_region(model: LCAModel, dataset_id: str, parameters: Mapping[str, Any] | None = None) -> str:
    """The location of *dataset_id* at *parameters*: ``{plant_region}`` templates resolved, remarks dropped.

    ``'{cam_plant_region}'`` becomes the chosen region (``CN`` with ``plant_region=CN``) and
    ``'US (EverBatt default distances)'`` becomes ``US``, so :func:`geography` sees a region code.
    """
    import numpy as np

    ds = model.inventory.datasets[dataset_id]
    resolve = model.inventory.resolver(ds)
    choices = model.parameters.choices
    env = model.parameters.evaluate(dict(parameters or {}))

    def value(match: re.Match[str]) -> str:
        key = resolve(match.group(1))
        if key not in choices:
            raise UsageError(
                f"dataset '{dataset_id}': its location '{ds.location}' names '{match.group(1)}', not a region choice",
                hint="a location template {name} must name a choice parameter of the dataset's scope",
            )
        return choices[key][int(np.ravel(env[key])[0])]

    text = re.sub(r"\{(\w+)\}", value, ds.location)
    return re.sub(r"\s*\([^)]*\)", "", text).strip()


_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
#: RFC 8141 URN: "urn:" NID ":" NSS, then optional ?+r-component, ?=q-component and #f-component.
URN = re.compile(
    rf"[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{{0,30}}[A-Za-z0-9]:{_PCHAR}(?:{_PCHAR}|/)*"
    rf"(?:\?\+{_PCHAR}(?:{_PCHAR}|[/?])*)?(?:\?={_PCHAR}(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?",
    re.ASCII,
)


def check_urn(value: str, field_name: str, given_as: str = "") -> str:
    """*value* if it is an RFC 8141 URN (PACT's ``companyIds``/``productIds`` hold URNs), else a UsageError.

    >>> check_urn("urn:pathfinder:product:customcode:vendor-assigned:8765", "productIds")
    'urn:pathfinder:product:customcode:vendor-assigned:8765'
    """
    if not URN.fullmatch(value):
        where = f" ({given_as})" if given_as else ""
        raise UsageError(
            f"PACT field '{field_name}'{where}: {value!r:.80} is not a URN (RFC 8141)",
            hint="e.g. urn:pathfinder:company:customcode:buyer-assigned:4321 or urn:lei:<LEI>; no spaces, "
            "other characters percent-encoded",
        )
    return value


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


def check_dqi_period(last: int, given_as: str = "") -> None:
    """Refuse a reference period ending in *last* (inclusive year) that PACT 2.3 requires ``dqi`` for.

    The package writes no ``dqi`` (see the module notes), so a period that includes 1 January
    :data:`DQI_REQUIRED_FROM` or later would give a file that lacks a mandatory property.

    >>> check_dqi_period(2024)  # referencePeriodEnd 2025-01-01 is exclusive: the period ends before 2025
    >>> try:
    ...     check_dqi_period(2025)
    ... except UsageError as refused:
    ...     print("pcf.dqi" in str(refused))
    True
    """
    if last < DQI_REQUIRED_FROM:
        return
    where = f" ({given_as})" if given_as else ""
    raise UsageError(
        f"a PACT 2.3 footprint whose reference period{where} includes 1 January {DQI_REQUIRED_FROM} or later must "
        "carry pcf.dqi (PACT Technical Specifications 2.3, CarbonFootprint.dqi: MUST be defined); cathode-lca rates "
        "data quality on the PEF-style 1-5 DQR and derives no PACT data quality indicators (1-3), so the file "
        "would be invalid and is not written",
        hint=f"declare a reference period that ends by 31 December {DQI_REQUIRED_FROM - 1} "
        f"(e.g. --pact-period {DQI_REQUIRED_FROM - 1}), or rate the footprint on PACT's DQI scale with a PACT tool",
    )


def product_footprint(
    gwp_per_unit: float,
    *,
    company: str,
    cpc: str,
    product: str,
    period: tuple[int, int],
    created: str,
    description: str = "",
    company_ids: Sequence[str] = (),
    product_ids: Sequence[str] = (),
    declared_unit: str = "kilogram",
    unitary_amount: float = 1.0,
    region: str | None = None,
    primary_data_share: float = 0.0,
    boundary: str = "cradle to gate",
    rules: Sequence[Mapping[str, Any]] = (),
    secondary_sources: Sequence[Mapping[str, str]] = (),
    allocation: str = "",
    comment: str = "",
    identity: str = "",
    product_mass: float | None = None,
) -> dict[str, Any]:
    """A PACT 2.3 ``ProductFootprint`` for *gwp_per_unit* kg CO2-eq (AR6) per *declared_unit*.

    *product_mass* is the kg of product per declared unit (PACT ``productMassPerDeclaredUnit``);
    by default 1 for kilogram, 0 for an energy or logistics unit (mass not relevant), else left out.
    *period* is the reference period (first year, last year; inclusive). *identity* is hashed with
    the declared content into the footprint ``id`` (:func:`footprint_id`), so the same inputs give the same id.
    """
    if not math.isfinite(gwp_per_unit):
        raise UsageError("the footprint is not a finite number", hint="check the result")
    if gwp_per_unit < 0:
        raise UsageError(
            f"PACT requires a non-negative footprint; this result is {gwp_per_unit:.4g} kg CO2-eq",
            hint="a negative result comes from system-expansion credits: use --allocation economic or mass",
        )
    if not company.strip():
        raise UsageError("a PACT footprint needs the company name", hint="give --pact-company NAME")
    check_text(company, "companyName")
    check_text(product, "productNameCompany")
    check_text(description, "productDescription")
    if not cpc.strip():
        raise UsageError("a PACT 2.3 footprint needs the product's UN CPC code", hint="give --pact-cpc CODE")
    check_cpc(cpc)
    if declared_unit not in DECLARED_UNITS:
        raise UsageError(f"unknown PACT declared unit '{declared_unit}'", hint=", ".join(DECLARED_UNITS))
    first, last = period
    if not 1900 <= first <= last <= 2200:
        raise UsageError(f"bad reference period {first}-{last}", hint="e.g. --pact-period 2023 or 2022-2023")
    end = f"{last + 1:04d}-01-01T00:00:00Z"
    if parse_utc(end) > parse_utc(created):
        raise UsageError(
            f"the reference period {first}-{last} (referencePeriodEnd {end}) has not ended at the footprint's "
            f"creation time {created}: PACT's reference period is when the activity data were collected",
            hint="declare a period that has ended, e.g. the last full year",
        )
    check_dqi_period(last)
    if not (math.isfinite(unitary_amount) and unitary_amount > 0):
        raise UsageError(f"the unitary product amount must be > 0, got {unitary_amount}", hint="check the inputs")
    if not 0 <= primary_data_share <= 100:
        raise UsageError("the primary-data share is a percentage between 0 and 100", hint="e.g. 0 or 35.5")
    value = decimal_text(gwp_per_unit)
    ids = [check_urn(i, "companyIds") for i in dict.fromkeys(company_ids)] or [
        f"urn:cathode-lca:company:{_slug(company)}"
    ]
    pids = [check_urn(i, "productIds") for i in dict.fromkeys(product_ids)] or [
        f"urn:cathode-lca:product:{_slug(product)}"
    ]
    pcf: dict[str, Any] = {
        "declaredUnit": declared_unit,
        "unitaryProductAmount": decimal_text(unitary_amount),
        "pCfExcludingBiogenic": value,
        "fossilGhgEmissions": value,
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "characterizationFactors": "AR6",
        "ipccCharacterizationFactorsSources": ["AR6"],
        "crossSectoralStandardsUsed": ["ISO Standard 14067", "ISO Standard 14044"],  # deprecated in 2.3, kept
        "crossSectoralStandards": ["ISO14067", "ISO14040-44"],  # its 2.3 successor, the same standards
        "boundaryProcessesDescription": boundary,
        "referencePeriodStart": f"{first:04d}-01-01T00:00:00Z",
        "referencePeriodEnd": end,
        "exemptedEmissionsPercent": 0,
        "exemptedEmissionsDescription": "",
        "packagingEmissionsIncluded": False,
        "primaryDataShare": float(primary_data_share) + 0.0,  # + 0.0: -0.0 would be written as "-0.0"
    }
    if rules:
        pcf["productOrSectorSpecificRules"] = [dict(r) for r in rules]
    if secondary_sources:
        pcf["secondaryEmissionFactorSources"] = [dict(s) for s in secondary_sources]
    if allocation:
        pcf["allocationRulesDescription"] = allocation
    if region:
        pcf.update(geography(region))
    if product_mass is not None:
        if not (math.isfinite(product_mass) and product_mass >= 0):
            raise UsageError(f"the product mass per declared unit must be >= 0, got {product_mass}", hint="check it")
        pcf["productMassPerDeclaredUnit"] = decimal_text(product_mass)
    elif declared_unit == "kilogram":
        pcf["productMassPerDeclaredUnit"] = "1"  # by definition (PACT 2.3)
    elif DECLARED_UNITS[declared_unit] in MASS_NOT_RELEVANT:
        pcf["productMassPerDeclaredUnit"] = "0"  # PACT 2.3: 0 for an energy or logistics product
    note = (
        "Computed with cathode-lca. Biogenic emissions, land-use change and aircraft emissions are not modelled "
        "(the inventories hold fossil and unspecified greenhouse gases only); carbon contents are 0 because the "
        "modelled cathode oxides and salts contain no carbon (an LFP carbon coating is not modelled)."
    )
    footprint: dict[str, Any] = {
        "id": "",
        "specVersion": SPEC_VERSION,
        "version": 1,
        "created": created,
        "status": "Active",
        "comment": " ".join(t for t in (comment, note) if t),
        "companyName": company,
        "companyIds": ids,
        "productDescription": description or product,
        "productIds": pids,
        "productCategoryCpc": cpc,
        "productNameCompany": product,
        "pcf": pcf,
    }
    footprint["id"] = footprint_id(footprint, identity)
    return footprint


def footprint_id(footprint: Mapping[str, Any], identity: str = "") -> str:
    """A PACT ``PfId`` (a UUID v4, RFC 4122) derived from everything the footprint declares but its time.

    The same content exported again keeps its id; any other declared value (the footprint, a share,
    the unitary amount, a comment) gives another, so one id never names two different footprints.
    The 122 free bits come from SHA-256 of the content instead of a random source.

    >>> fp = {"id": "", "created": "2026-01-01T00:00:00Z", "pcf": {"pCfExcludingBiogenic": "1"}}
    >>> uuid.UUID(footprint_id(fp)).version, footprint_id(fp) == footprint_id({**fp, "created": "2027-01-01T00:00:00Z"})
    (4, True)
    """
    content = {k: v for k, v in footprint.items() if k not in ("id", "created", "updated")}
    text = json.dumps([str(_NAMESPACE), identity, content], sort_keys=True, ensure_ascii=True)
    return str(uuid.UUID(bytes=hashlib.sha256(text.encode()).digest()[:16], version=4))


def stand_in(inventory: Inventory, dataset_id: str, footprint: SupplierFootprint, *, where: str = "") -> Inventory:
    """A copy of *inventory* where *dataset_id*'s exchanges are replaced by the supplier's GHG footprint.

    The dataset keeps its products; its only exchange becomes ``footprint.gwp`` kg CO2-eq of
    ``ghg-unspecified-co2eq-air`` per unit of its reference product (converted by pint). Energy and
    water of that dataset are then not covered: the caller must say so (see :func:`standin_warning`).
    """
    from ..inventory.schema import Exchange
    from ..units import conversion_factor

    ds = inventory.datasets.get(dataset_id)
    if ds is None:
        import difflib

        close = difflib.get_close_matches(dataset_id, list(inventory.datasets), n=1)
        raise UsageError(
            f"{where or footprint.path}: unknown dataset '{dataset_id}' for the PACT stand-in",
            hint=(f"did you mean '{close[0]}'? " if close else "") + "list them with 'cathode-lca datasets'",
        )
    if len(ds.products) > 1:
        co = [p.id for p in ds.products if not p.reference]
        others = ", ".join(co[:4]) + (", ..." if len(co) > 4 else "")
        raise UsageError(
            f"{where or footprint.path}: dataset '{dataset_id}' has co-products ({others}); a PACT footprint is per "
            "unit of one product, and allocation would share it among them",
            hint="stand the footprint in for a single-product dataset (list them with 'cathode-lca datasets')",
        )
    ref = ds.reference_product
    if not isinstance(ref.amount, int | float):
        raise UsageError(
            f"{where or footprint.path}: dataset '{dataset_id}' has a formula as its reference amount",
            hint="a PACT footprint can stand in only for a dataset with a numeric reference amount",
        )
    try:  # kg CO2-eq per unit of the reference product: gwp per declared unit x declared units per ref unit
        per_ref = footprint.gwp * conversion_factor(ref.unit, footprint.unit)
    except Exception:
        raise UsageError(
            f"{where or footprint.path}: dataset '{dataset_id}': the footprint is per {footprint.unit}, "
            f"the dataset's product per {ref.unit}, and they do not convert",
            hint=f"use a footprint declared per {ref.unit}, or one that states productMassPerDeclaredUnit",
        ) from None
    exchange = Exchange(
        kind="flow",
        target=STANDIN_FLOW,
        amount=float(per_ref) * float(ref.amount),
        unit="kg",
        where=ds.where,
        source=f"supplier PACT footprint {footprint.id} ({footprint.company}), file sha256 {footprint.sha256[:12]}",
    )
    note = f"Replaced by the supplier PACT footprint {footprint.path} (GHG only). " + (ds.note or "")
    new = replace(ds, exchanges=(exchange,), note=note, element_balance="skip: supplier PACT footprint stand-in")
    digest = hashlib.sha256(f"{inventory.content_hash}|{dataset_id}|{footprint.sha256}".encode()).hexdigest()
    return replace(inventory, datasets={**inventory.datasets, dataset_id: new}, content_hash=digest)


def standin_warning(dataset_id: str, footprint: SupplierFootprint) -> str:
    """The result warning of a stand-in: PACT carries greenhouse gases only."""
    return (
        f"{dataset_id}: replaced by the supplier PACT footprint {footprint.path} ({footprint.company}) "
        f"of '{footprint.product}' ({footprint.gwp:.4g} kg CO2-eq per {footprint.unit}): check it is this material; "
        "PACT carries greenhouse gases only, so energy and water of this dataset are not covered (counted as 0)"
        + (
            ""
            if "AR6" in footprint.characterization
            else f"; the footprint is characterised with IPCC {'/'.join(footprint.characterization)}, "
            "not AR6: its value enters both GWP100 indicators unchanged"
        )
        + (
            f"; its validity ended {footprint.valid_until} (PACT: the stated validity period, else 3 years "
            "after the reference period): ask the supplier for a current footprint"
            if footprint.valid_until and footprint.valid_until < datetime.now(tz=UTC).date().isoformat()
            else ""
        )
    )
