"""Exports: `render` modules return text; `write` puts it on disk whole or not at all.

Nothing is imported here: `store.export.citekey` and `formats` are needed by every command
(settings, `show`), the renderers and PyYAML only by exports.  Import from the modules.
"""
