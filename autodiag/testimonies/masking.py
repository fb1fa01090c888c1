"""Personal data a user may type into a testimony (e-mail addresses, phone
numbers, social security and allocataire numbers, IBANs), masked before
publication. Pure Python: the moderator sees the proposal and may mask more
by hand; the original text is kept for the team."""

from __future__ import annotations

import re

MASK = "[masqué]"

PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\bFR\d{2}(?:[ ]?[0-9A-Z]{4}){5}[ ]?[0-9A-Z]{3}\b", re.IGNORECASE),  # IBAN
    re.compile(r"\b[12][ .]?\d{2}[ .]?\d{2}[ .]?\d{2}[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?\b"),  # NIR
    re.compile(r"(?:\+33[ .]?|\b0)[1-9](?:[ .-]?\d{2}){4}\b"),  # French phone numbers
    re.compile(r"\b\d{7,}\b"),  # long numbers: allocataire, dossier, fiscal numbers
]


def mask_personal_data(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def has_personal_data(text: str) -> bool:
    return any(pattern.search(text) for pattern in PATTERNS)
