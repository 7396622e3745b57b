"""Who calls, and which folders they may read and write."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..errors import Code, ServiceError

__all__ = ["PUBLIC_FOLDER", "Access", "Caller"]

PUBLIC_FOLDER = "standard-images"


@dataclass(frozen=True, slots=True)
class Caller:
    token: str
    subject: str  # what operations show as createdBy


def _subject(token: str) -> str:
    """The account a token stands for, as operations show it in ``createdBy``."""
    return "aje" + hashlib.blake2s(token.encode(), digest_size=16).hexdigest()[:17]


@lru_cache(maxsize=1024)
def _caller(token: str) -> Caller:
    return Caller(token, _subject(token))  # immutable: one per token serves every call


class Access:
    """``tokens`` maps each accepted token to the folders it may use; None: any non-empty
    token may use any folder. Everyone may read the public folder; nobody may write it."""

    def __init__(self, tokens: dict[str, Iterable[str]] | None = None) -> None:
        self.tokens = None if tokens is None else {t: set(f) for t, f in tokens.items()}

    def authenticate(self, token: str | None) -> Caller:
        if not token or not token.strip():
            raise ServiceError(Code.UNAUTHENTICATED, "The token is missing or empty")
        if self.tokens is not None and token not in self.tokens:
            raise ServiceError(Code.UNAUTHENTICATED, "The token is not valid")
        return _caller(token)

    def can_read(self, caller: Caller, folder_id: str) -> bool:
        if folder_id == PUBLIC_FOLDER or self.tokens is None:
            return True
        return folder_id in self.tokens.get(caller.token, ())

    def check_read(self, caller: Caller, folder_id: str) -> None:
        if not self.can_read(caller, folder_id):
            raise ServiceError(Code.PERMISSION_DENIED, f"Permission denied to folder {folder_id}")

    def check_write(self, caller: Caller, folder_id: str) -> None:
        if folder_id == PUBLIC_FOLDER:
            raise ServiceError(
                Code.PERMISSION_DENIED, f"Folder {folder_id} is public and read-only"
            )
        self.check_read(caller, folder_id)
