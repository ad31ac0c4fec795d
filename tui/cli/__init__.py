"""The `paperdeck` command line: parse, dispatch, print; textual only to start the app."""
