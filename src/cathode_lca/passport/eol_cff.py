"""The CFF end-of-life line item of one recovered material, shared by co-products and dismantled parts.

Both :mod:`.eol_stage` (co-products of the recycling route: Cu, Al, steel, graphite) and
:mod:`.eol_dismantling` (metal parts removed at dismantling) credit what they recover with the
end-of-life term of the Circular Footprint Formula (CF Rules v1.1 §6.1.2 p.60)::

    (1-A)·R2·(ErecyclingEoL - E*V·QSout/QP)

as one line item ``quantity = R2 · kg recovered`` × ``factor = (1-A)·(ErecyclingEoL - E*V·QSout/QP)``
(per kg, vector ``[total, fossil, biogenic, land_use]``), with ``A`` and ``QSout/QP`` from the rule set.

Examples
--------
>>> from cathode_lca.passport.rules import get_rules
>>> item = cff_eol_item("cff:Cu:recycling_eol", "Cu recovered", "end of life", get_rules("cff-jrc-a0.2-bp-r2"),
...                     kg=2.0, r2=0.5, quantity_unit="kg Cu x R2", e_recycling_eol=[3.0, 3.0, 0.0, 0.0],
...                     e_v_star=[10.0, 10.0, 0.0, 0.0], source="a label", datasets=("cu",))
>>> item.quantity, [round(float(x), 12) for x in item.factor]
(1.0, [-5.6, -5.6, 0.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .cff import recycling_eol_term
from .rules import RuleSet
from .stages import LineItem

#: The CFF end-of-life term as the line items describe it.
CFF_EOL_TERM = "(1-A)·R2·(ErecyclingEoL - E*V·QSout/QP)"


def cff_eol_item(
    item_id: str,
    what: str,
    stage: str,
    rules: RuleSet,
    *,
    kg: float,
    r2: float,
    quantity_unit: str,
    e_recycling_eol: float | Sequence[float] | np.ndarray,
    e_v_star: Sequence[float] | np.ndarray,
    source: str,
    datasets: tuple[str, ...],
) -> LineItem:
    """The CFF end-of-life line item of *kg* recovered per battery, credited with *r2* (see module docs).

    *what* starts the description (the term is appended), *source* follows the rule set's ``A`` and
    ``QSout/QP`` in the item's source.
    """
    a, qsout = rules.a_metals.value, rules.qsout_qp.value
    factor = recycling_eol_term(
        a, 1.0, np.asarray(e_recycling_eol, dtype=float), np.asarray(e_v_star, dtype=float), qsout
    )
    return LineItem(
        id=item_id,
        description=f"{what}: {CFF_EOL_TERM}",
        stage=stage,
        process=None,
        kind="cff",
        quantity=r2 * kg,
        quantity_unit=quantity_unit,
        factor=factor,
        source=f"CFF, rule set {rules.id} (A = {a:g}, QSout/QP = {qsout:g}); {source}",
        datasets=datasets,
    )
