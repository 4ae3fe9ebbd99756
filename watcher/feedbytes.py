"""Response bytes -> clean UTF-8 XML bytes, before any parser sees them.

Both parsers (feedparser-rs and feedparser) get the same normalised document, so they cannot disagree on
charsets, and the byte-level DOCTYPE filter sees the real markup whatever the transport encoding was:

- a body that is itself gzip/zlib data (a ``.xml.gz`` served as is, or compressed twice) is inflated,
  with a cap on the inflated size;
- the charset is decided once (BOM, UTF-16/32 sniffing, valid UTF-8, declared charset, detector,
  windows-1252) and the document is transcoded to UTF-8 with its declarations saying so;
- characters XML 1.0 forbids (NUL and other C0 controls) are removed, so one stray byte does not
  push a whole feed into the tolerant parser;
- the DOCTYPE (with its internal subset) and ENTITY declarations are removed, so entity bombs have
  nothing to expand and external entities are never resolved.
"""

from __future__ import annotations

import codecs
import re
import zlib
from html.entities import name2codepoint

from config.errors import ParseError

MAX_INFLATED_BYTES = 32 * 1024 * 1024  # a feed compressed inside the body may not inflate beyond this
MAX_LAYERS = 3
_ZLIB_SECOND_BYTES = (b"\x01", b"\x5e", b"\x9c", b"\xda")

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# '<' followed by the zero bytes of a wide encoding, with no BOM
_WIDE_PREFIXES = ((b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
                  (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"), (b"\x4c\x6f\xa7\x94", "cp037"))
_XML_DECL = re.compile(rb"^<\?xml[^>]*\?>")
_DECL_ENCODING = re.compile(rb"(encoding\s*=\s*)([\"'])([^\"']*)\2", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# C0 controls other than tab/newline/return, and U+FFFE/U+FFFF: not allowed anywhere in XML 1.0.
_BAD_XML_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_C0_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# Charsets a declaration means as "windows-1252" (what browsers do: it is a superset of both).
_WESTERN = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})
# A detector guess is only trusted for scripts where the alternative (windows-1252) is surely wrong.
_DETECTABLE = frozenset({
    "euc_jp", "euc_jis_2004", "euc_jisx0213", "shift_jis", "shift_jis_2004", "shift_jisx0213", "cp932",
    "iso2022_jp", "cp950", "johab", "cp866", "mac_cyrillic", "euc_kr", "cp949", "gb2312", "gbk", "gb18030", "big5",
    "big5hkscs", "koi8_r", "koi8_u", "cp1251", "iso8859_5", "tis_620", "cp874", "iso8859_7", "cp1253",
    "iso8859_8", "cp1255", "cp1256", "iso8859_6",
})


def _cp1252_for_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Decode error handler: a byte that is not UTF-8 is read as windows-1252 (undefined ones dropped)."""
    if not isinstance(exc, UnicodeDecodeError):  # registered for decoding only
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="ignore"), exc.end


codecs.register_error("veille-cp1252", _cp1252_for_bad_bytes)


def inflate(body: bytes) -> bytes:
    """Inflate a body that is itself gzip or zlib data (up to MAX_LAYERS layers, MAX_INFLATED_BYTES)."""
    for _ in range(MAX_LAYERS):
        if body[:2] == b"\x1f\x8b":
            wbits = 16 + zlib.MAX_WBITS
        elif body[:1] == b"\x78" and body[1:2] in _ZLIB_SECOND_BYTES:
            wbits = zlib.MAX_WBITS
        else:
            return body
        try:
            out = zlib.decompressobj(wbits).decompress(body, MAX_INFLATED_BYTES + 1)
        except zlib.error as exc:
            raise ParseError(f"not a feed: corrupt compressed body ({exc})", key="err.parse.corrupt",
                             detail=str(exc)) from None
        if len(out) > MAX_INFLATED_BYTES:
            raise ParseError(f"not a feed: compressed body inflates beyond {MAX_INFLATED_BYTES} bytes",
                             key="err.parse.inflates", max=MAX_INFLATED_BYTES)
        body = out
    return body


def _codec(name: str | None) -> str | None:
    """Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def _declared(body: bytes, headers: dict[str, str]) -> list[str]:
    """Charsets declared by the Content-Type header and the XML declaration, in that order."""
    found = []
    match = _CHARSET.search(headers.get("content-type", ""))
    if match:
        found.append(match.group(1))
    decl = _XML_DECL.match(body.lstrip()[:400])
    if decl:
        enc = _DECL_ENCODING.search(decl.group(0))
        if enc:
            found.append(enc.group(3).decode("ascii", "replace"))
    return [c for c in (_codec(n) for n in found) if c]


def _mostly_utf8(body: bytes) -> bool:
    """True when nearly all non-ASCII bytes form valid UTF-8 (a UTF-8 feed with a few stray bytes).

    Legacy double-byte charsets (EUC-JP, GBK...) form valid UTF-8 pairs by chance too, so the bar is high:
    at most one invalid byte for ten valid ones (a handful of strays is allowed in a short document).
    """
    sample = body[:262144]
    invalid = 0

    def count(exc: UnicodeError) -> tuple[str, int]:
        if not isinstance(exc, UnicodeDecodeError):  # registered for decoding only
            raise exc
        nonlocal invalid
        invalid += exc.end - exc.start
        return "", exc.end

    codecs.register_error("veille-count", count)
    sample.decode("utf-8", errors="veille-count")
    valid = len(_HIGH_BYTE.findall(sample)) - invalid
    return valid > 0 and (invalid * 10 <= valid or (invalid <= 4 and valid >= 2 * invalid))


def _detected(body: bytes) -> str | None:
    """A non-Latin charset guessed by charset-normalizer, for undeclared bodies full of high bytes."""
    sample = body[:65536]
    if len(_HIGH_BYTE.findall(sample)) < 0.15 * len(sample):
        return None
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional
        return None
    best = from_bytes(sample).best()
    encoding = best.encoding if best is not None else None
    return encoding if encoding in _DETECTABLE else None


def decode(body: bytes, headers: dict[str, str]) -> str:
    """The document as text: BOM, wide-encoding sniffing, valid UTF-8, declaration, detector, cp1252."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            handler = "veille-cp1252" if encoding == "utf-8" else "replace"
            return body[len(bom):].decode(encoding, errors=handler)
    for prefix, encoding in _WIDE_PREFIXES:
        if body.startswith(prefix):
            return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(body):
        return body.decode("utf-8", errors="veille-cp1252")
    for codec in _declared(body, headers):
        if codec in _WESTERN:
            return body.decode("cp1252", errors="veille-cp1252")
        if codec.startswith(("utf-16", "utf-32")) or codec == "utf-8":
            continue  # a wide or UTF-8 declaration that the bytes contradict
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    detected = _detected(body)
    if detected:
        try:
            return body.decode(detected)
        except (UnicodeDecodeError, LookupError):
            pass
    return body.decode("cp1252", errors="veille-cp1252")


def _utf8_headers(headers: dict[str, str]) -> dict[str, str]:
    """Headers for the transcoded body: charset=utf-8, and no Content-Location (see parser)."""
    out = {k: v for k, v in headers.items() if k != "content-location"}
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if not (ctype.endswith(("/xml", "+xml")) or ctype in ("application/xml", "text/xml")):
        ctype = "application/xml"  # text/plain, octet-stream, none...: the bytes decide, not the label
    out["content-type"] = f"{ctype}; charset=utf-8"
    return out


def to_utf8(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """Transcode to clean UTF-8 (forbidden characters removed, declaration rewritten) + matching headers."""
    is_utf8 = False
    if not body.startswith((codecs.BOM_UTF8, b"\xff\xfe", b"\xfe\xff", b"\x00", b"<\x00")):
        try:
            body.decode("utf-8")
            is_utf8 = True
        except UnicodeDecodeError:
            pass
    if is_utf8:  # the common case: touch the bytes only when something is wrong with them
        if len(body.translate(None, _C0_CONTROLS)) != len(body) or b"\xef\xbf\xbe" in body or b"\xef\xbf\xbf" in body:
            body = _BAD_XML_BYTES.sub(b"", body)
        head = body[:64]
        if head[:1].isspace() and body.lstrip().startswith(b"<?xml"):
            body = body.lstrip()
    else:
        text = _BAD_XML_CHARS.sub("", decode(body, headers)).lstrip("\ufeff \t\r\n")
        body = text.encode("utf-8", errors="replace")
    decl = _XML_DECL.match(body[:400])
    if decl and _DECL_ENCODING.search(decl.group(0)):
        new_decl = _DECL_ENCODING.sub(rb'\1"utf-8"', decl.group(0), count=1)
        if new_decl != decl.group(0):
            body = new_decl + body[decl.end():]
    return body, _utf8_headers(headers)


# --- DOCTYPE / ENTITY -----------------------------------------------------------------------------

_CDATA_OR_COMMENT = re.compile(rb"<!\[CDATA\[.*?(?:\]\]>|$)|<!--.*?(?:-->|$)", re.DOTALL)
_ENTITY_DECL = re.compile(rb"<!ENTITY\b.*?>", re.IGNORECASE | re.DOTALL)
_ENTITY_START = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _declaration_end(body: bytes, start: int) -> int:
    """End offset of a <!DOCTYPE ...> starting at `start`, honouring quotes, the [ ] subset and comments."""
    i, n, depth, quote = start + 2, len(body), 0, 0
    while i < n:
        c = body[i]
        if quote:
            if c == quote:
                quote = 0
        elif body.startswith(b"<!--", i):
            end = body.find(b"-->", i + 4)
            i = n if end == -1 else end + 3
            continue
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth = max(0, depth - 1)
        elif c == 0x3E and depth == 0:  # >
            return i + 1
        i += 1
    return n


def neutralise_doctype(body: bytes) -> tuple[bytes, bool]:
    """Remove the DOCTYPE and any ENTITY declaration; report whether entity declarations were removed.

    The prolog is walked (XML declaration, processing instructions, comments, DOCTYPE) rather than
    pattern-matched, so a comment that mentions "<!DOCTYPE" is left alone. A plain DOCTYPE (RSS 0.91's)
    is dropped silently; an internal subset or an ENTITY declaration sets the flag.
    """
    out: list[bytes] = []
    i, n, removed = 0, len(body), False
    while i < n:
        j = i
        while j < n and body[j] in b" \t\r\n":
            j += 1
        if body.startswith(b"<?", j):
            end = body.find(b"?>", j)
            end = n if end == -1 else end + 2
        elif body.startswith(b"<!--", j):
            end = body.find(b"-->", j)
            end = n if end == -1 else end + 3
        elif body[j:j + 9].upper() == b"<!DOCTYPE":
            end = _declaration_end(body, j)
            declaration = body[j:end]
            removed = removed or b"[" in declaration or b"<!ENTITY" in declaration.upper()
            out.append(body[i:j])
            i = end
            continue
        else:
            break
        out.append(body[i:end])
        i = end
    rest = body[i:]
    if _ENTITY_START.search(rest):  # declarations in the wrong place are just as unwelcome (not in CDATA)
        pieces, last = [], 0
        for m in _CDATA_OR_COMMENT.finditer(rest):
            pieces.append(_ENTITY_DECL.sub(b"", rest[last:m.start()]))
            pieces.append(m.group(0))
            last = m.end()
        pieces.append(_ENTITY_DECL.sub(b"", rest[last:]))
        cleaned = b"".join(pieces)
        removed = removed or cleaned != rest
        rest = cleaned
    return b"".join(out) + rest, removed


# a named reference other than the five XML ones (excluded here so common `&lt;` costs no callback)
_NAMED_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")


def _numeric_reference(match: re.Match) -> bytes:
    name = match.group(1)
    codepoint = name2codepoint.get(name.decode("ascii"))
    return b"&#%d;" % codepoint if codepoint else match.group(0)


def html_entities_to_numeric(body: bytes) -> bytes:
    """`&eacute;` -> `&#233;`: what the (removed) RSS 0.91 / XHTML DTDs would have defined, so such feeds
    stay well-formed without their DOCTYPE. Unknown names are left for the tolerant parser."""
    return _NAMED_REFERENCE.sub(_numeric_reference, body)
