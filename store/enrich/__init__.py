"""Optional enrichment from arXiv and GitHub; paperdeck works fully without it.

`run.fetch` is the entry point for the CLI and the TUI.  Nothing is imported here, so that
importing one submodule (say `token`) does not pull in httpx and rapidfuzz.
"""
