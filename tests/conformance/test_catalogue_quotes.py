"""Every behaviour rule of the catalogue quotes its source: the words are really there.

A rule's ``source`` names a document beside the repository (``../shared/reference``, or
``YC_IMAGES_REFERENCE``): "seed" the gRPC reference the project started from, "api.md"
the REST facts, "live/<file>.proto" one of today's protos, "live" any of them or LIVE.md.
The comparison forgives what copying changes: whitespace and line breaks, proto comment
markers, quotes and backticks, markdown emphasis, bullets, ``snake_case`` against
``camelCase``, a trailing full stop; "[...]" in a quote elides words (each piece must be
found, in order). Rules citing a page of yandex-cloud/docs ("docs:...") are not on disk:
they must name a page under en/.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

from pytest_yc_images.conformance.rules import _B, catalogue

SEED = "000_e2074b577b2fb784.txt"
# $YC_IMAGES_REFERENCE, else beside the checkout, else where this workplace keeps them (a
# clone elsewhere, as CI makes, still finds them).
_PLACES = [Path(__file__).resolve().parents[3] / "shared/reference", Path("/work/shared/reference")]
REFERENCE = Path(
    os.environ.get("YC_IMAGES_REFERENCE")
    or next((p for p in _PLACES if (p / SEED).is_file()), _PLACES[0])
)
ELISION = "[...]"

pytestmark = pytest.mark.skipif(
    not (REFERENCE / SEED).is_file(), reason=f"no reference documents at {REFERENCE}"
)


def normalise(text: str) -> str:
    """The words of ``text``, lower case, without what copying changes."""
    text = re.sub(r"^\s*//+ ?", " ", text, flags=re.MULTILINE)  # proto comment markers
    text = re.sub(r"^\s*[•*-] ", " ", text, flags=re.MULTILINE)  # bullets
    text = re.sub(r"[`\"'«»\u201c\u201d\u2018\u2019]|\*\*", "", text)  # quotes, backticks, emphasis
    text = text.replace("_", "").lower()  # folder_id and folderId read the same
    return re.sub(r"\s+", " ", text).strip()


@cache
def document(source: str) -> str:
    """The normalised text ``source`` names."""
    if source == "seed":
        paths = [REFERENCE / SEED]
    elif source == "api.md":
        paths = [REFERENCE / "API.md"]
    elif source == "live":
        paths = [REFERENCE / "LIVE.md", *sorted((REFERENCE / "live").glob("*.proto"))]
    elif source.startswith("live/"):
        paths = [REFERENCE / source]
    else:
        raise AssertionError(f"unknown source {source!r}")
    return "\n".join(normalise(p.read_text(encoding="utf-8")) for p in paths)


def missing_piece(quote: str, text: str) -> str | None:
    """The first piece of ``quote`` (split at "[...]") not found, in order, in ``text``."""
    at = 0
    for piece in quote.split(ELISION):
        words = normalise(piece).strip(" .;,:")
        if not words:
            continue
        found = text.find(words, at)
        if found < 0:
            return words
        at = found + len(words)
    return None


BEHAVIOUR = [row[0] for row in _B]


@pytest.mark.parametrize("rule_id", BEHAVIOUR)
def test_a_behaviour_rule_quotes_its_source(rule_id: str) -> None:
    rule = catalogue()[rule_id]
    if rule.source.startswith("docs:"):
        assert rule.source.startswith("docs:en/"), f"{rule_id}: {rule.source} is not under en/"
        return
    missing = missing_piece(rule.text, document(rule.source))
    assert missing is None, f"{rule_id}: not in {rule.source}: {missing!r}"


def test_the_comparison_finds_a_real_quote_and_refuses_an_altered_one() -> None:
    seed = document("seed")
    real = "Deleting an image removes its data permanently [...] is irreversible."
    assert missing_piece(real, seed) is None
    assert missing_piece("Deleting an image keeps its data.", seed) is not None
    # In order only: the second piece comes before the first in the seed.
    assert missing_piece("is irreversible. [...] Deleting an image", seed) is not None
    # folder_id in the seed reads as folderId, and a proto's comment markers are dropped.
    assert missing_piece("folderId: Required. ID of the folder", seed) is not None
    assert missing_piece("folderId string Required. ID of the folder to list", seed) is None
    assert missing_piece("`<operator>` is a logical operator", document("live")) is None


def test_every_behaviour_rule_id_is_unique_and_in_the_catalogue() -> None:
    assert len(BEHAVIOUR) == len(set(BEHAVIOUR)), "a rule id is used twice"
    assert set(BEHAVIOUR) <= set(catalogue())
