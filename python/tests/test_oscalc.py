"""The installed wheel: the `oscalc` command it carries and the bindings, on the shipped
profiles. Run from the repository root in a venv where only the wheel is installed
(scripts/python-wheel-test.sh)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import unittest
import warnings

import oscalc

B = "profiles/NIST_IR-8259B_non-technical_baseline_profile.json"
B_XML = "profiles/NIST_IR-8259B_non-technical_baseline_profile.xml"
DUP = "tests/cases/broken/json-duplicate-control-id/cat.json"
WARN = "tests/cases/broken/profile-unknown-with-id/profile.json"


def controls(node: object) -> list[str]:
    """Every control id under `node`, in document order."""
    out: list[str] = []
    if isinstance(node, dict):
        for c in node.get("controls", []):
            out.append(c["id"])
            out.extend(controls(c))
        for g in node.get("groups", []):
            out.extend(controls(g))
    return out


def write_profile(folder: str, href: str) -> str:
    """Writes `folder/p.json`, a profile that includes all of `href`, two-space indented (the
    places of its diagnostics are lines and columns of that text); its path."""
    profile = os.path.join(folder, "p.json")
    with open(profile, "w", encoding="utf-8") as f:
        json.dump(
            {
                "profile": {
                    "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
                    "metadata": {
                        "title": "B",
                        "last-modified": "2024-01-01T00:00:00Z",
                        "version": "1",
                        "oscal-version": "1.2.3",
                    },
                    "imports": [{"href": href, "include-all": {}}],
                }
            },
            f,
            indent=2,
        )
    return profile


class Command(unittest.TestCase):
    """The `oscalc` command the wheel installed into the venv's scripts folder, which runs the
    binary the wheel carries."""

    def binary(self) -> str:
        path = os.path.join(sysconfig.get_path("scripts"), "oscalc")
        self.assertTrue(os.access(path, os.X_OK), f"{path} is not an executable")
        return path

    def test_the_wheel_carries_the_native_binary(self) -> None:
        from oscalc.__main__ import find_oscalc_bin

        carried = find_oscalc_bin()
        self.assertTrue(os.access(carried, os.X_OK), carried)
        with open(carried, "rb") as f:
            self.assertEqual(f.read(4), b"\x7fELF")
        self.assertTrue(carried.startswith(os.path.dirname(oscalc.__file__)), carried)

    def test_resolve_prints_the_8259b_baseline(self) -> None:
        run = subprocess.run([self.binary(), "resolve", B], capture_output=True, check=False)
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        catalog = json.loads(run.stdout)["catalog"]
        self.assertEqual([g["id"] for g in catalog["groups"]], ["doc", "iqr", "dis", "edu"])
        ids = controls(catalog)
        self.assertEqual(len(ids), 93)
        self.assertEqual(ids[:2], ["doc-1", "doc-1.a"])
        self.assertNotIn("doc-1.h", ids)
        self.assertIn("93 controls, 4 groups", run.stderr.decode())

    def test_validate_reports_the_duplicate_with_its_place(self) -> None:
        run = subprocess.run(
            [self.binary(), "validate", "--error-format", "short", DUP],
            capture_output=True,
            check=False,
        )
        self.assertEqual(run.returncode, 1)
        self.assertTrue(
            run.stderr.decode().startswith(f"{DUP}:9:12: error[ref-duplicate-id]"),
            run.stderr.decode(),
        )

    def test_python_m_oscalc_runs_the_same_binary(self) -> None:
        run = subprocess.run(
            [sys.executable, "-m", "oscalc", "--version"], capture_output=True, check=False
        )
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        self.assertEqual(run.stdout.decode(), f"oscalc {oscalc.__version__}\n")


class Bindings(unittest.TestCase):
    """`import oscalc`, in process."""

    def test_resolve_gives_the_catalog_as_json_text(self) -> None:
        text = oscalc.resolve(B)
        self.assertIsInstance(text, str)
        ids = controls(json.loads(text)["catalog"])
        self.assertEqual(len(ids), 93)
        self.assertEqual(ids[:2], ["doc-1", "doc-1.a"])

    def test_resolve_dict_and_the_xml_profile_agree(self) -> None:
        from_json = oscalc.resolve_dict(B)["catalog"]
        from_xml = oscalc.resolve_dict(B_XML)["catalog"]
        self.assertEqual(controls(from_json), controls(from_xml))
        self.assertEqual([g["id"] for g in from_xml["groups"]], ["doc", "iqr", "dis", "edu"])

    def test_resolve_writes_xml_and_yaml(self) -> None:
        xml = oscalc.resolve(B, format="xml")
        self.assertTrue(xml.startswith("<?xml"), xml[:80])
        self.assertIn('<control id="doc-1">', xml)
        self.assertNotIn('id="doc-1.h"', xml)
        yaml = oscalc.resolve(B, format="YAML")
        self.assertTrue(yaml.startswith("catalog:\n"), yaml[:80])

    def test_reproducible_gives_the_same_text(self) -> None:
        a = oscalc.resolve(B, reproducible=True)
        b = oscalc.resolve(os.path.abspath(B), reproducible=True)
        self.assertEqual(a, b)
        self.assertNotEqual(oscalc.resolve(B), oscalc.resolve(B))

    def test_options_are_checked(self) -> None:
        with self.assertRaisesRegex(TypeError, "unknown options: colour"):
            oscalc.resolve(B, colour=True)
        with self.assertRaisesRegex(ValueError, "unknown format `toml`"):
            oscalc.resolve(B, format="toml")
        with self.assertRaises(oscalc.ResolveError) as caught:
            oscalc.resolve(B, max_controls=10)
        self.assertEqual([d.code for d in caught.exception.diagnostics], ["resolve-limit"])

    def test_a_missing_import_raises_with_its_place(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            profile = write_profile(tmp, "missing.json")
            with self.assertRaises(oscalc.ResolveError) as caught:
                oscalc.resolve(profile)
        [d] = caught.exception.diagnostics
        self.assertEqual((d.code, d.severity), ("req-uri-error", "error"))
        self.assertEqual((d.file, d.line, d.column), (profile, 12, 17))
        self.assertIn("cannot import `missing.json`", str(caught.exception))

    def test_warnings_are_python_warnings(self) -> None:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            text = oscalc.resolve(WARN)
        self.assertEqual(controls(json.loads(text)["catalog"]), ["c1"])
        [w] = seen
        message = w.message
        assert isinstance(message, oscalc.OscalcWarning), message
        d = message.diagnostic
        self.assertEqual((d.code, d.line, d.column), ("select-unknown-id", 5, 67))
        self.assertEqual(
            str(d),
            f"{WARN}:5:67: warning[select-unknown-id]: "
            "with-id `c9` names no control of the imported document",
        )

    def test_resolve_checks_oscal_constraints_as_the_command_does(self) -> None:
        # The catalog's parameter uses the deprecated `depends-on` (an ERROR-level constraint):
        # carried into the output, it is a warning located in the catalog, as `oscalc resolve`
        # reports it.
        catalog = os.path.abspath("tests/cases/constraints/expect-param-depends-on/catalog.json")
        with tempfile.TemporaryDirectory() as tmp:
            profile = write_profile(tmp, catalog)
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                text = oscalc.resolve(profile)
            oscalc_bin = os.path.join(sysconfig.get_path("scripts"), "oscalc")
            command = subprocess.run(
                [oscalc_bin, "resolve", "--error-format", "short", profile],
                capture_output=True,
                check=False,
            )
        self.assertEqual(controls(json.loads(text)["catalog"]), ["c1"])
        found = [
            w.message.diagnostic for w in seen if isinstance(w.message, oscalc.OscalcWarning)
        ]
        self.assertEqual(
            [(d.code, d.severity, d.file, d.line, d.column) for d in found],
            [
                (
                    "oscal:oscal-parameter-depends-on-deprecated",
                    "warning",
                    os.path.relpath(catalog),
                    19,
                    11,
                )
            ],
        )
        self.assertEqual(command.returncode, 0, command.stderr.decode())
        self.assertIn(
            "warning[oscal:oscal-parameter-depends-on-deprecated]: depends-on is deprecated",
            command.stderr.decode(),
        )

    def test_validate_gives_diagnostics_with_places(self) -> None:
        self.assertEqual(oscalc.validate([B, B_XML]), [])
        found = oscalc.validate(DUP)
        # The reference check finds the duplicate, and so do OSCAL's two catalog id indexes;
        # OSCAL's constraints also want a statement in each of the two controls.
        self.assertEqual(
            sorted(x.code for x in found),
            [
                "oscal:oscal-catalog-control-require-statement-when-not-withdrawn",
                "oscal:oscal-catalog-control-require-statement-when-not-withdrawn",
                "oscal:oscal-catalog-controls",
                "oscal:oscal-catalog-groups-controls-parts",
                "ref-duplicate-id",
            ],
        )
        [d] = [x for x in found if x.code == "ref-duplicate-id"]
        self.assertIsInstance(d, oscalc.Diagnostic)
        self.assertEqual(
            (d.code, d.severity, d.file, d.line, d.column),
            ("ref-duplicate-id", "error", DUP, 9, 12),
        )
        self.assertEqual(d.message, "id `c2` is defined twice")
        [missing] = oscalc.validate(["no/such/file.json"])
        self.assertEqual(missing.severity, "error")
        self.assertTrue(missing.code.startswith("fetch-"), missing)
        self.assertEqual(missing.line, None)


if __name__ == "__main__":
    unittest.main()
