"""OPML 2.0 import/export of the feed list (url, title, site, language, topics as `category`, the kind of source
as `veille:kind` in veille's own namespace, which other readers ignore)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import format_datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from config.errors import ValidationError
from watcher.cleaner import utc_now
from watcher.records import Feed


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str = ""
    site: str = ""
    language: str = ""
    topics: tuple[str, ...] = ()
    kind: str = "unknown"  # config.settings.SOURCE_KINDS; an unknown word is reported when the feed is added


# veille's OPML namespace: outline attributes OPML 2.0 leaves to applications ("veille:kind")
NAMESPACE = "https://veille.invalid/opml"
_KIND = f"{{{NAMESPACE}}}kind"


def _categories(value: str) -> tuple[str, ...]:
    """OPML `category`: comma-separated, slash-delimited paths ("/ai,/vr"); keep the last path segment."""
    out = []
    for part in value.split(","):
        segment = part.strip().strip("/").rsplit("/", 1)[-1].strip()
        if segment and segment not in out:
            out.append(segment)
    return tuple(out)


MAX_OPML_BYTES = 5_000_000  # an OPML file larger than this is refused whole (README)


def read_opml(data: bytes, source: str = "OPML") -> list[OpmlFeed]:
    """Feeds of an OPML document (outlines with an xmlUrl, at any depth).

    The whole file is read before anything is added: too large, not XML, an unknown or unsupported encoding
    declaration, or not OPML raise one ValidationError line and no feed is imported.
    """
    if len(data) > MAX_OPML_BYTES:
        raise ValidationError(f"{source}: larger than {MAX_OPML_BYTES // 1_000_000} MB, refused; nothing imported",
                              key="err.import.too_large", source=source, mb=MAX_OPML_BYTES // 1_000_000)
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise ValidationError(f"{source}: refused ({type(exc).__name__}: DTD/entities are not allowed)",
                              key="err.opml.dtd", source=source, detail=type(exc).__name__) from None
    except ET.ParseError as exc:
        raise ValidationError(f"{source}: not valid XML ({exc}); nothing imported", key="err.opml.xml", source=source,
                              detail=str(exc)) from None
    except (LookupError, ValueError, UnicodeError) as exc:  # encoding="bogus", "utf-7", "rot13", "idna"...
        raise ValidationError(f"{source}: unsupported encoding declaration ({exc}); nothing imported",
                              key="err.opml.encoding", source=source, detail=str(exc)) from None
    except RecursionError:
        raise ValidationError(f"{source}: nested too deeply; nothing imported", key="err.opml.deep",
                              source=source) from None
    if root.tag.lower() != "opml":
        raise ValidationError(f"{source}: not an OPML document (root element <{root.tag}>)", key="err.opml.root",
                              source=source, root=str(root.tag))
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (outline.get("title") or outline.get("text") or "").strip()
        feeds.append(OpmlFeed(
            url=url,
            title="" if title == url else title,  # `text` is required: exports without a title repeat the URL
            site=(outline.get("htmlUrl") or "").strip(),
            language=(outline.get("language") or "").strip(),
            topics=_categories(outline.get("category") or ""),
            kind=(outline.get(_KIND) or outline.get("kind") or "unknown").strip().lower() or "unknown",
        ))
    return feeds


def to_opml(feeds: Iterable[Feed], title: str = "veille feeds") -> str:
    """An OPML 2.0 document listing `feeds`."""
    ET.register_namespace("veille", NAMESPACE)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(utc_now())
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.title:
            attrs["title"] = feed.title
        if feed.site:
            attrs["htmlUrl"] = feed.site
        if feed.language:
            attrs["language"] = feed.language
        if feed.topics:
            attrs["category"] = ",".join(f"/{t}" for t in feed.topics)
        if feed.kind and feed.kind != "unknown":
            attrs[_KIND] = feed.kind
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
