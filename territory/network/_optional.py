"""The optional libraries of routing (extra ``network``), imported when routing runs.

Reading stored travel times needs none of them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from territory._errors import InputError

__all__ = ["optional"]


def optional(name: str) -> ModuleType:
    """Return the module ``name``, or an error telling how to install the extra.

    Examples
    --------
    >>> optional("scipy").__name__
    'scipy'
    """
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise InputError(
            f"routing needs {name} ({error}); install the network extra: "
            "pip install 'territory[network]'") from None
