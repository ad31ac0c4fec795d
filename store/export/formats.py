"""The export formats by name, apart so that naming them imports no renderer."""

from __future__ import annotations

FORMATS = ("md", "bib", "csl", "ris", "json")
"""md: one Markdown document; bib: BibTeX; csl: CSL-JSON; ris: RIS; json: paperdeck's records."""
SUFFIXES = {"md": ".md", "bib": ".bib", "csl": ".json", "ris": ".ris", "json": ".json"}
