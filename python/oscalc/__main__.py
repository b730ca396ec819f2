"""The ``oscalc`` command of the wheel (and ``python -m oscalc``): runs the ``oscalc`` binary the
wheel carries in this package, with the same arguments, in place of this process."""

from __future__ import annotations

import os
import sys


def find_oscalc_bin() -> str:
    """The binary scripts/build-wheel.sh put in the package (``oscalc/_bin/oscalc``)."""
    name = "oscalc.exe" if sys.platform == "win32" else "oscalc"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", name)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    return path


def main() -> None:
    try:
        binary = find_oscalc_bin()
    except FileNotFoundError as missing:
        sys.stderr.write(
            f"error: this oscalc package carries no oscalc binary ({missing} is missing): it was "
            "built from source without scripts/build-wheel.sh; the bindings work, and the "
            "command comes with `cargo install oscalc` or a wheel built by that script\n"
        )
        sys.exit(2)
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.call([binary, *sys.argv[1:]]))
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
