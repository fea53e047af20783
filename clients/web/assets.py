"""Where the page's files are: our own script and style next to this module, bpmn-js in the
npm folder `web/node_modules` that `make install` fills (`npm ci`). Nothing comes from a CDN:
the page works on a machine without internet access.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
NPM_DIR = Path(__file__).resolve().parents[2] / "web"
VIEWER = "bpmn-navigated-viewer.production.min.js"


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
    def missing_message(self) -> str:
        return (
            f"The diagram viewer (bpmn-js) is not installed in {self.node_modules}:"
            " run `make install` (it runs `npm ci` in web/)."
        )
