"""Exports: `render` modules return text; `write` puts it on disk whole or not at all.

Nothing is imported here: `formats` is needed by every command (settings, `show`),
`citekey` by whatever gives keys, the renderers and PyYAML only by exports.  Import from the
modules.
"""
