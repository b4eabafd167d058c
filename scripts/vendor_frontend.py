"""Fetch the console's front-end files from the npm registry, once, and commit what it writes.

    python scripts/vendor_frontend.py

Each package is fetched with `npm pack` (the registry's own tarball, its integrity checked by
npm), and only the files the console serves are copied out, beside the package's licence text.
`VENDORED.md` in each destination lists every package's version, tarball, integrity and licence.
Nothing here runs when the service runs or the tests run: Node is needed only to refresh these
files, and the service serves the committed copies.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = ROOT / "api" / "console" / "static" / "vendor"
# axe-core checks the pages in the browser tests only: it is not shipped in the wheel.
TESTS = ROOT / "tests" / "browser" / "vendor"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    files: dict[str, str]  # path inside the tarball's package/ -> file name in the destination
    destination: Path
    why: str


PACKAGES = [
    # 2.x, not 4.x: htmx 2 keeps receiving fixes (2.0.11 came after 4.0.0) and is supported
    # indefinitely; 4.0 changed attribute inheritance, error swapping and events months ago.
    Package("htmx.org", "2.0.11", {"dist/htmx.min.js": "htmx.min.js", "LICENSE": "htmx.LICENSE"},
            CONSOLE, "partial page updates and polling"),
    Package("@picocss/pico", "2.1.1",
            {"css/pico.min.css": "pico.min.css", "LICENSE.md": "pico.LICENSE"},
            CONSOLE, "the CSS base for semantic HTML"),
    Package("axe-core", "4.14.1", {"axe.min.js": "axe.min.js", "LICENSE": "axe-core.LICENSE"},
            TESTS, "the accessibility check of the browser tests"),
]


def _pack(package: Package, workdir: Path) -> dict[str, str]:
    done = subprocess.run(
        ["npm", "pack", f"{package.name}@{package.version}", "--json", "--silent"],
        cwd=workdir, capture_output=True, text=True, check=True,
    )
    info: dict[str, str] = json.loads(done.stdout)[0]
    return info


def _extract(package: Package, tarball: Path) -> None:
    package.destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as archive:
        for inside, name in package.files.items():
            member = archive.extractfile(f"package/{inside}")
            if member is None:
                raise SystemExit(f"{package.name}: no {inside} in its tarball")
            (package.destination / name).write_bytes(member.read())


def _licence(tarball: Path) -> str:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/package.json")
        assert member is not None
        manifest: dict[str, str] = json.loads(member.read())
    return manifest.get("license", "see the licence file")


def main() -> int:
    if shutil.which("npm") is None:
        print("npm is needed to refresh the vendored files", file=sys.stderr)
        return 1
    listing: dict[Path, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for package in PACKAGES:
            info = _pack(package, workdir)
            tarball = workdir / info["filename"]
            _extract(package, tarball)
            files = ", ".join(f"`{name}`" for name in package.files.values())
            listing.setdefault(package.destination, []).append(
                f"| `{package.name}` | {package.version} | {_licence(tarball)} | {files} | "
                f"{package.why} | `{info['integrity']}` |"
            )
            print(f"{package.name}@{package.version} -> {package.destination.relative_to(ROOT)}")
    for destination, rows in listing.items():
        text = (
            "# Vendored front-end files\n\n"
            "Written by `scripts/vendor_frontend.py` from the npm registry's tarballs "
            "(`npm pack NAME@VERSION`, `https://registry.npmjs.org/NAME/-/NAME-VERSION.tgz`); "
            "do not edit by hand, run the script again.\n\n"
            "| package | version | licence | files | used for | tarball integrity |\n"
            "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
        )
        (destination / "VENDORED.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
