"""oscalc: resolve OSCAL profiles into catalogs, and validate OSCAL catalogs and profiles.

In-process bindings to the Rust library behind the ``oscalc`` command::

    import oscalc

    text = oscalc.resolve("profiles/NIST_IR-8259B_non-technical_baseline_profile.json")
    catalog = oscalc.resolve_dict("profile.xml", reproducible=True)["catalog"]
    for d in oscalc.validate(["catalog.json", "profile.xml"]):
        print(d)  # file:line:column: error[code]: message

A failed resolution raises :class:`ResolveError`, whose ``diagnostics`` say why; warnings are
issued as :class:`OscalcWarning` through Python's ``warnings`` module.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Iterable, Union

from ._oscalc import Diagnostic, __version__, _resolve, _validate

__all__ = [
    "Diagnostic",
    "OscalcWarning",
    "ResolveError",
    "__version__",
    "resolve",
    "resolve_dict",
    "validate",
]

StrPath = Union[str, "os.PathLike[str]"]

# The keyword options of resolve() and their defaults (`oscalc resolve`'s flags: validate=False
# is --no-validate, prune=False is --no-prune).
_DEFAULTS: dict[str, Any] = {
    "validate": True,
    "prune": True,
    "reproducible": False,
    "max_controls": None,
    "max_file_size": None,
}


class OscalcWarning(UserWarning):
    """A warning oscalc gave while resolving; ``diagnostic`` is the whole of it."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


class ResolveError(ValueError):
    """The profile could not be resolved; ``diagnostics`` holds every error and warning."""

    def __init__(self, path: str, diagnostics: list[Diagnostic]) -> None:
        errors = [d for d in diagnostics if d.severity == "error"]
        first = str(errors[0]) if errors else "no output"
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        super().__init__(f"cannot resolve {path}: {first}{more}")
        self.diagnostics = diagnostics


def resolve(path: StrPath, *, format: str = "json", **options: Any) -> str:
    """Resolve the OSCAL profile at ``path`` into a catalog, as text in ``format``.

    ``format``: ``"json"``, ``"xml"`` or ``"yaml"``. Options (keywords): ``validate`` (default
    True: inputs and output are checked against the OSCAL schema), ``prune`` (default True),
    ``reproducible`` (default False: a name-based uuid), ``max_controls``, ``max_file_size``.
    Raises :class:`ResolveError` when the profile cannot be resolved.
    """
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise TypeError(f"resolve() got unknown options: {', '.join(unknown)}")
    opts = {**_DEFAULTS, **options}
    text, diagnostics = _resolve(os.fspath(path), format, opts)
    if text is None:
        raise ResolveError(os.fspath(path), diagnostics)
    for d in diagnostics:
        warnings.warn(OscalcWarning(d), stacklevel=2)
    return text


def resolve_dict(path: StrPath, **options: Any) -> dict[str, Any]:
    """:func:`resolve` as JSON, parsed: ``{"catalog": {...}}``."""
    result: dict[str, Any] = json.loads(resolve(path, format="json", **options))
    return result


def validate(paths: Union[StrPath, Iterable[StrPath]]) -> list[Diagnostic]:
    """Check catalogs and profiles (JSON, XML or YAML) as ``oscalc validate`` does.

    Returns every diagnostic, errors and warnings, in the order of ``paths``; an empty list
    means every document is valid. A file that cannot be read is an error diagnostic too.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _validate([os.fspath(p) for p in paths])
