"""Exports: renderers (`render`) return text; `write` puts it on disk whole or not at all."""

from store.errors import ExportError
from store.export.render import FORMATS, render
from store.export.write import DirExportReport, export_dir, export_file

__all__ = ["FORMATS", "DirExportReport", "ExportError", "export_dir", "export_file", "render"]
