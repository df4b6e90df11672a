"""The version of the package (one place: the package, its cache keys and generated files read it)."""

__version__ = "0.1.0"
# the name to install it by ("derive" on the package index is another project); the import package
# and the command are derive
DISTRIBUTION = "derive-losses"
