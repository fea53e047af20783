"""Where the page's files are: our own script and style next to this module, bpmn-js (the
diagrams), form-js (the task forms) and uPlot (charts) in the npm folder `web/node_modules` that
`make install` fills (`npm ci`). Nothing comes from a CDN: the page works on a machine
without internet access.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
NPM_DIR = Path(__file__).resolve().parents[2] / "web"
VIEWER = "bpmn-navigated-viewer.production.min.js"
FORM_VIEWER = "form-viewer.umd.js"


@dataclass(frozen=True)
class WebAssets:
    node_modules: Path

    @classmethod
    def find(cls, node_modules: Path | None = None) -> WebAssets:
        return cls(node_modules or NPM_DIR / "node_modules")

    @property
    def bpmn_js_dist(self) -> Path | None:
        dist = self.node_modules / "bpmn-js" / "dist"
        return dist if (dist / VIEWER).is_file() else None

    @property
    def form_js_dist(self) -> Path | None:
        dist = self.node_modules / "@bpmn-io" / "form-js" / "dist"
        return dist if (dist / FORM_VIEWER).is_file() else None

    @property
    def uplot_dist(self) -> Path | None:
        """uPlot draws the process pages' charts; without it the pages say so, nothing else
        is missing."""
        dist = self.node_modules / "uplot" / "dist"
        return dist if (dist / "uPlot.iife.min.js").is_file() else None

    @property
    def missing(self) -> list[str]:
        """The npm packages the page needs that are not installed."""
        found = {"bpmn-js": self.bpmn_js_dist, "@bpmn-io/form-js": self.form_js_dist}
        return [name for name, dist in found.items() if dist is None]

    @property
    def missing_message(self) -> str:
        names = " and ".join(self.missing) or "bpmn-js"
        return (
            f"The page's viewers ({names}) are not installed in {self.node_modules}:"
            " run `make install` (it runs `npm ci` in web/)."
        )
