"""The base every other package stands on: errors, project paths, safe file reading, TOML writing.

It imports nothing from the rest of ``sim``.
"""
