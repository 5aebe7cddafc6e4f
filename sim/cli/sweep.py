"""Commands of this group are added by their issue; see sim/cli/__init__.py."""
