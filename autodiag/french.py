"""French wording of counts, in one place for pages, messages and exports.

French puts 0 and 1 in the singular (« 0 structure », « 1 structure
relancée », « 2 structures »), unlike Django's `pluralize`; large numbers
take a narrow no-break space between groups of three digits
(« 10 000 caractères »). Pure Python: no Django.
"""

from __future__ import annotations

import unicodedata

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def is_plural(count) -> bool:
    """French grammar: plural from two on (« 1,5 point », « 0 question »)."""
    try:
        return abs(count) >= 2
    except TypeError:  # a sized collection
        return len(count) >= 2


def suffix(count, forms: str = "s") -> str:
    """The ending for `count`, like Django's `pluralize` but French:
    `forms` is the plural ending (`"s"`, `"x"`) or `"singular,plural"`
    (`"a,ont"`)."""
    singular, _, plural = forms.rpartition(",") if "," in forms else ("", "", forms)
    return plural if is_plural(count) else singular


def group_digits(number) -> str:
    """`10 000`, `1 234 567` (narrow no-break spaces), `2026`; a decimal
    point becomes a comma (`12 345,5`)."""
    text = str(number)
    whole, comma, rest = text.replace(".", ",").partition(",")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if not digits.isdigit() or len(digits) <= 4:
        # Four digits stay whole (« 2026 », « 1500 »), as French typography
        # allows, so that a year is never split.
        return text.replace(".", ",")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{NARROW_NBSP.join(groups)}{comma}{rest}"


def count(number, singular: str, plural: str | None = None) -> str:
    """`0 structure`, `1 structure`, `10 000 structures`: the number, a
    no-break space, and the word agreeing with it. `plural` defaults to the
    singular with an `s` (give it for « réseau / réseaux »)."""
    word = (plural or f"{singular}s") if is_plural(number) else singular
    return f"{group_digits(number)}{NBSP}{word}"


def count_words(number, forms: str) -> str:
    """`count` with both forms in one string, for templates:
    `"structure relancée|structures relancées"`."""
    singular, _, plural = forms.partition("|")
    return count(number, singular, plural or None)


# -- alphabetical order -------------------------------------------------------

# Expanded as ICU's French collation expands them.
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}


def _rank(character: str) -> int:
    """Spaces, then punctuation, symbols, digits, letters: ICU's order of
    character classes."""
    category = unicodedata.category(character)
    if character.isspace():
        return 0
    return {"P": 1, "S": 2, "N": 3, "L": 4}.get(category[0], 5)


def sort_key(text: str | None) -> tuple:
    """The key that orders names as a French reader (and PostgreSQL's ICU
    `fr` collation) does: letters first without case or accents
    (« CAF de la Gironde » before « CAF de Loire-Atlantique »), then
    unaccented before accented (« Ecole », « école »), then lower case
    before upper case."""
    primary, secondary, tertiary = [], [], []
    for character in text or "":
        base, *marks = unicodedata.normalize("NFD", character)
        folded = base.casefold()
        for letter in _LIGATURES.get(folded, folded):
            primary.append((_rank(letter), letter))
        secondary.append("".join(marks))
        tertiary.append(1 if base != folded else 0)
    return (tuple(primary), tuple(secondary), tuple(tertiary))


def compare(left: str | None, right: str | None) -> int:
    """-1, 0 or 1, as a database collation function answers."""
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)
