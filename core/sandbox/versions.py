"""The Odoo versions the sandbox can present itself as.

NOTE: a version changes only the version strings, JSON-2 and /web/version.
Every version otherwise uses the wire format recorded from 18.0, although
16.0 and 17.0 may differ in details such as the XML declaration's quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

# Build dates in server_version, as a nightly build of each series reports.
# NOTE: only 18.0's string was recorded from a real server; the others
# follow its pattern with plausible dates.
BUILDS = {"16.0": "20250210", "17.0": "20250515", "18.0": "20250702", "19.0": "20251020"}


@dataclass(frozen=True)
class VersionInfo:
    """A server series such as ``18.0`` and what ``common.version()`` returns for it."""

    serie: str
    build: str

    @property
    def major(self) -> int:
        return int(self.serie.split(".")[0])

    @property
    def server_version(self) -> str:
        return f"{self.serie}-{self.build}"

    @property
    def version_info(self) -> list:
        return [self.major, 0, 0, "final", 0, ""]

    @property
    def has_json2(self) -> bool:
        return self.major >= 19

    def as_dict(self) -> dict:
        return {
            "server_version": self.server_version,
            "server_version_info": self.version_info,
            "server_serie": self.serie,
            "protocol_version": 1,
        }


def version_info(serie: str) -> VersionInfo:
    """Return the VersionInfo for ``serie``; raises ValueError for an unsupported one."""
    if serie not in BUILDS:
        raise ValueError(f"unsupported Odoo version {serie!r} for the sandbox; use one of {', '.join(BUILDS)}")
    return VersionInfo(serie, BUILDS[serie])
