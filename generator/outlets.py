"""Who published an article, who wrote it and which wire agencies it credits.

The outlet comes from an explicit field, the URL's domain, or a signature in the page's own lines ("Quelle:
ntv.de", "© SPIEGEL ONLINE 2015", "Von Euronews", "berichtete die tagesschau"), matched against the outlet table
in generator/data/outlets.toml. Photo credits name photo agencies, not the outlet, and are not read for it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from generator.knowledge import Knowledge, OutletInfo, derived
from generator.model import Outlet

_CREDIT_REASONS = frozenset({"image caption or credit", "image caption", "gallery label"})
_BYLINE = re.compile(r"^(?:von|by|autor(?:in)?:|text:|ein (?:bericht|kommentar|beitrag) von)\s+"
                     r"(?P<name>[A-ZÄÖÜ][\w.'’-]+(?:\s+(?:und|and|&|von|van|de|der)?\s*[A-ZÄÖÜ][\w.'’-]+){0,4})"
                     r"\s*(?:,|\||$|\s+\d)", re.I)
_AGENCY_TOKEN = re.compile(r"[\w-]+(?:\s[\w-]+)?", re.U)
_DATELINE_AGENCY = re.compile(r"^[A-ZÄÖÜ][\w./ -]{1,40}\s\(([\w/ ,-]{2,30})\)\s*[-–—:]")


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:  # a broken IPv6 host or port
        return None
    return host.removeprefix("www.") or None


@lru_cache(maxsize=8)
def _signature_pattern(signatures: tuple[str, ...]) -> re.Pattern[str]:
    """Signatures as written; a domain ("ntv.de") in any case, a name ("tagesschau", "WELT") only as written,
    so that the common word 'Welt' in a menu names no outlet."""
    ordered = sorted(set(signatures), key=len, reverse=True)
    alternatives = "|".join(f"(?i:{re.escape(s)})" if "." in s else re.escape(s) for s in ordered)
    return re.compile(rf"(?<![\w.-])({alternatives})(?![\w-])")


def _by_signature(know: Knowledge) -> dict[str, OutletInfo]:
    return derived(know, _known_table)


def _known_table(know: Knowledge) -> dict[str, OutletInfo]:
    return _signature_table(know.outlets)


def _known_signatures(know: Knowledge) -> re.Pattern[str]:
    return _signature_pattern(tuple(s for row in know.outlets for s in row.signatures))


@lru_cache(maxsize=8)
def _signature_table(outlets: tuple[OutletInfo, ...]) -> dict[str, OutletInfo]:
    """Lower-case name or signature -> outlet; earlier rows (the user's) win."""
    return {s.lower(): row for row in reversed(outlets) for s in (row.name, *row.signatures)}


def _table_outlet(row: OutletInfo, domain: str | None = None) -> Outlet:
    return Outlet(row.name, domain or (row.domains[0] if row.domains else None))


def outlet_by_domain(domain: str, know: Knowledge) -> OutletInfo | None:
    for row in know.outlets:
        if any(domain == d or domain.endswith("." + d) for d in row.domains):
            return row
    return None


def outlet_by_name(name: str, know: Knowledge) -> OutletInfo | None:
    lowered = name.strip().lower()
    return _by_signature(know).get(lowered) or outlet_by_domain(lowered.removeprefix("www."), know)


def explicit_outlet(name: str | None, url: str | None, know: Knowledge) -> Outlet | None:
    """The outlet that a field or the URL states; a known name or domain gets the table's spelling."""
    domain = domain_of(url)
    if name:
        row = outlet_by_name(name, know)
        return _table_outlet(row, domain) if row else Outlet(name.strip(), domain)
    if domain:
        row = outlet_by_domain(domain, know)
        return _table_outlet(row, domain) if row else Outlet(domain, domain)
    return None


def outlet_in_lines(lines: list[tuple[str, str | None]], site: str | None, know: Knowledge) -> Outlet | None:
    """An outlet signed in the page's furniture lines ((text, removal reason)), else the site name of the
    browser title where the table knows it."""
    pattern = derived(know, _known_signatures)
    table = _by_signature(know)
    for text, reason in lines:
        if reason in _CREDIT_REASONS:
            continue
        match = pattern.search(text)
        if match:
            return _table_outlet(table[match.group(1).lower()])
    if site:
        row = outlet_by_name(site, know)
        return _table_outlet(row) if row else Outlet(site.strip())
    return None


def author_in_lines(texts: list[str], know: Knowledge) -> str | None:
    """A byline ("Von Anna Muster", "By Jane Doe") that does not name an outlet."""
    for text in texts:
        match = _BYLINE.match(text)
        if match and outlet_by_name(match.group("name"), know) is None:
            return match.group("name").strip()
    return None


def agencies_in(texts: list[str], know: Knowledge) -> tuple[str, ...]:
    """Wire agencies credited in signature lines ("hul/dpa/AFP", "Quelle: ntv.de, dpa") or datelines
    ("Berlin (dpa) -"), in order of first mention."""
    found: dict[str, None] = {}
    for text in texts:
        for token in re.split(r"[/,;()|]|\s+und\s+|\s+mit\s+|\s+", text):
            name = know.agencies.get(token.strip(" .:").lower())
            if name:
                found.setdefault(name, None)
    return tuple(found)


def dateline_agencies(paragraph: str, know: Knowledge) -> tuple[str, ...]:
    match = _DATELINE_AGENCY.match(paragraph)
    return agencies_in([match.group(1)], know) if match else ()
