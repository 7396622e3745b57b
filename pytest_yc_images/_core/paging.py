"""Opaque, signed page tokens keyed by the last item a page returned.

A token names a position in a stable order (a sort key), not an offset, so items
created or deleted between pages never make a page repeat or skip an item that
stayed; a forged or foreign token, or one issued for another scope (another folder,
filter or order), fails the signature check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from ..errors import ServiceError

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "PageTokens", "page_size"]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_MAC_BYTES = 12


def page_size(requested: int) -> int:
    """0 means the default; the schema already bounds it to 0..1000."""
    if requested < 0 or requested > MAX_PAGE_SIZE:
        raise ServiceError.invalid("pageSize", f"must be 0 to {MAX_PAGE_SIZE}, got {requested}")
    return requested or DEFAULT_PAGE_SIZE


class PageTokens:
    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, scope: str, key: str) -> bytes:
        message = f"{scope}\x00{key}".encode()
        return hmac.new(self._secret, message, hashlib.blake2s).digest()[:_MAC_BYTES]

    def issue(self, scope: str, last_key: str) -> str:
        raw = last_key.encode() + self._mac(scope, last_key)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def read(self, scope: str, token: str, bound_to: str = "") -> str:
        """The key a token carries; INVALID_ARGUMENT naming pageToken if we did not issue
        it for ``scope`` (``bound_to`` words what the scope holds, for the message)."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            key = raw[:-_MAC_BYTES].decode()
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise ServiceError.invalid(
                "pageToken", "not a page token this service issued"
            ) from None
        if len(raw) <= _MAC_BYTES or not hmac.compare_digest(
            raw[-_MAC_BYTES:], self._mac(scope, key)
        ):
            bound = f" (a token is valid only with {bound_to})" if bound_to else ""
            raise ServiceError.invalid(
                "pageToken", f"not a page token this service issued for this request{bound}"
            )
        return key
