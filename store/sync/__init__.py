"""Sync between devices: a hybrid logical clock, an append-only journal of user-state changes,
and a deterministic merge of every device's journal.  Pure of the Library: it knows entries,
files of lines and JSON, never TinyDB."""
