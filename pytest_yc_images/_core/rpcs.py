"""Which :class:`~.service.ImageService` method implements which RPC of the contract.

A method marked ``@implements("ImageService.Get")`` is what the request path calls for
that RPC (named as the route table names it: ``Service.Method``). An RPC the contract
lists but no method implements answers UNIMPLEMENTED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["implemented", "implements"]

_F = TypeVar("_F", bound=Callable[..., Any])
_MARK = "__yc_rpc__"


def implements(rpc: str) -> Callable[[_F], _F]:
    """Mark a method as the core of ``rpc`` (``"ImageService.Get"``)."""

    def mark(method: _F) -> _F:
        vars(method)[_MARK] = rpc
        return method

    return mark


def implemented(cls: type) -> dict[str, str]:
    """RPC -> the name of the method of ``cls`` (or of its bases) that implements it."""
    out: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            rpc = getattr(value, _MARK, None)
            if isinstance(rpc, str):
                if rpc in out and out[rpc] != name:
                    raise ValueError(f"{rpc} is implemented twice: {out[rpc]} and {name}")
                out[rpc] = name
    return out
