"""One exception hierarchy for every user-facing error.

The CLI turns any :class:`CathodeLCAError` into a one-paragraph message and exit code 2.
Each error carries an optional *location* (file, line, dataset, field) so the message
can say exactly where the defect is and how to fix it.

Examples
--------
>>> err = InventoryError("unknown reference 'foo'", file="a.yaml", line=3, dataset="x", field="input",
...                      hint="check the id")
>>> print(err)
a.yaml:3: dataset 'x', field 'input': unknown reference 'foo'. Fix: check the id
"""

from __future__ import annotations


class CathodeLCAError(Exception):
    """Base class of all errors that are the user's to fix."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        dataset: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.dataset = dataset
        self.field = field
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        parts = []
        if self.dataset:
            parts.append(f"dataset '{self.dataset}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        context = (", ".join(parts) + ": ") if parts else ""
        text = f"{where}{context}{self.message}"
        if self.hint:
            text += f". Fix: {self.hint}"
        return text

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.render()


class InventoryError(CathodeLCAError):
    """A defect in an inventory or method file (syntax, reference, duplicate, source)."""


class FormulaError(CathodeLCAError):
    """A formula that cannot be parsed, uses a forbidden construct or an unknown name."""


class UnitError(CathodeLCAError):
    """Incompatible or unknown units."""


class ParameterError(CathodeLCAError):
    """A bad parameter value or override (unknown name, NaN/inf, wrong choice)."""


class BoundsError(ParameterError):
    """A parameter value outside its declared bounds (``min``, ``max``, ``kind: fraction``)."""


class SingularSystemError(CathodeLCAError):
    """The technosphere matrix is singular or ill-conditioned.

    Like every error here it takes ``file=``, ``line=`` and ``dataset=``: the solver passes
    the location of the dataset whose column is singular (e.g. zero production), so the
    message points at the YAML line to fix.

    >>> print(SingularSystemError("zero production", file="a.yaml", line=4, dataset="x"))
    a.yaml:4: dataset 'x': zero production
    """

    @classmethod
    def at(
        cls, where: object, message: str, *, dataset: str | None = None, hint: str | None = None
    ) -> SingularSystemError:
        """The error located at *where*: anything with ``file`` and ``line`` (a dataset's ``where``).

        >>> from types import SimpleNamespace
        >>> print(SingularSystemError.at(SimpleNamespace(file="b.yaml", line=7), "produces nothing", dataset="y"))
        b.yaml:7: dataset 'y': produces nothing
        """
        file, line = getattr(where, "file", None), getattr(where, "line", None)
        return cls(message, file=file, line=line, dataset=dataset, hint=hint)


class SolverError(CathodeLCAError):
    """A solve whose residual is too large or whose inputs are inconsistent."""


class ValidationError(CathodeLCAError):
    """A model check failed (element balance, missing data for an allocation option)."""


class UsageError(CathodeLCAError):
    """A request that cannot be served (unknown dataset, unknown method, bad option)."""


class OutputError(CathodeLCAError):
    """An output that cannot or must not be written (read-only folder, full disk, link, device)."""


class LimitError(CathodeLCAError):
    """An input or request beyond a safety limit (file size, YAML aliases or depth, memory)."""
