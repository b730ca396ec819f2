"""``python -m oscalc``: runs the ``oscalc`` command the wheel installed beside Python."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig


def find_oscalc_bin() -> str:
    """The ``oscalc`` binary of this environment's scripts folder, else the one on PATH."""
    name = "oscalc" + (sysconfig.get_config_var("EXE") or "")
    scripts = sysconfig.get_path("scripts")
    candidate = os.path.join(scripts, name)
    if os.path.isfile(candidate):
        return candidate
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"no {name} in {scripts} or on PATH (was the wheel built by scripts/build-wheel.sh?)")


def main() -> None:
    binary = find_oscalc_bin()
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.call([binary, *sys.argv[1:]]))
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
