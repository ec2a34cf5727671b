"""Every file format the product imports. Each module here defines one or more `Format`
subclasses with a `kind`; they are found automatically."""

import importlib
import pkgutil

from ..base import Format
from ..reading import FileRefused

FORMATS: dict = {}


def _discover():
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    for cls in _subclasses(Format):
        if cls.kind:
            FORMATS[cls.kind] = cls()


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def format_for(table, kind=""):
    """The format named `kind`, or the one that recognises the table's header."""
    if kind:
        try:
            fmt = FORMATS[kind]
        except KeyError:
            raise FileRefused(f"Unknown kind {kind!r}: choose one of {', '.join(sorted(FORMATS))}.") from None
        if not fmt.recognises(table):
            raise FileRefused(f"The file does not have the columns of a {fmt.label} file.")
        return fmt
    matches = [fmt for fmt in FORMATS.values() if fmt.recognises(table)]
    if not matches:
        raise FileRefused(
            "The file's columns match none of the formats this product imports ("
            + "; ".join(sorted(f.label for f in FORMATS.values()))
            + "). Check it is the right file and that its header row is intact."
        )
    # The most specific format (the one needing most columns) wins.
    return max(matches, key=lambda f: len(f.signature or f.required))


_discover()
