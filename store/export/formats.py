"""The export formats by name, apart so that naming them imports no renderer."""

from __future__ import annotations

FORMATS = ("md", "bib", "csl", "ris", "json")
"""md: one Markdown document; bib: BibTeX; csl: CSL-JSON; ris: RIS; json: paperdeck's records."""
SUFFIXES = {"md": ".md", "bib": ".bib", "csl": ".json", "ris": ".ris", "json": ".json"}
DEFAULT_PATTERN = "auth.lower + year + shorttitle(3, 3)"
"""The citation key formula new keys follow unless the settings say otherwise (the formula
language is `store.export.citekey`'s; named here so that reading keys never loads it)."""
