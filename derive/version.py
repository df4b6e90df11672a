"""The version of the package (one place: the package, its cache keys and generated files read it)."""

__version__ = "0.1.0"
