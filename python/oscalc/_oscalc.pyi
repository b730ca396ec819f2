# Type stubs of the extension module built from src/python.rs.
from typing import Any, Optional

__version__: str

class Diagnostic:
    """One diagnostic: a registered code, its severity, a message and where it is."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str:
        """``"error"`` or ``"warning"``."""
    @property
    def message(self) -> str: ...
    @property
    def file(self) -> Optional[str]: ...
    @property
    def line(self) -> Optional[int]:
        """From 1."""
    @property
    def column(self) -> Optional[int]:
        """From 1, in characters."""
    def __eq__(self, other: object) -> bool: ...

def _resolve(
    path: str, format: str, options: dict[str, Any]
) -> tuple[Optional[str], list[Diagnostic]]: ...
def _validate(paths: list[str]) -> list[Diagnostic]: ...
