"""Schemathesis hooks for the fuzz run (loaded through SCHEMATHESIS_HOOKS).

The fuzzer calls auth's admin API with a user holding every right; a case that deactivated
that user or emptied its roles would leave the rest of the run answering 403. Just before a
call, a path parameter naming one of AKIBA_FUZZ_PROTECTED (the fuzzer and its roles) is swapped
for an id nothing has, whichever phase made the case (generated, or taken from a response).
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

PROTECTED = frozenset(filter(None, os.environ.get("AKIBA_FUZZ_PROTECTED", "").split(",")))
NOBODY = "00000000-0000-4000-8000-000000000000"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Aim a call at nobody instead of at the fuzzer's own user or roles."""
    parameters = case.path_parameters or {}
    for name, value in parameters.items():
        if str(value) in PROTECTED:
            parameters[name] = NOBODY
