"""The register drawn as a technology radar, and its Build-Your-Own-Radar (BYOR) CSV/JSON export and import.

Rings follow the status: adopted -> adopt, trial, assess, hold; `signal` entries are not on the radar yet and
`rejected` ones sit outside it (exported only on request, ring "rejected", so a full backup round-trips).
Quadrant: the tool's own, else the quadrant most of its evidence articles' topics belong to, else one guessed
from the topic keywords in its name and description.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from config import clock
from config.errors import Message, NotFoundError, Param, ValidationError, terms
from ui.services.context import ServiceContext, require_editor
from ui.services.records import ImportResult, RadarEntry
from ui.services.statuses import OUTSIDE, RING_TO_STATUS, RINGS, STATUS_TO_RING
from ui.services.tools import QUADRANTS, add_tool, get_card, list_tools, quadrant_of_articles, set_status, update_tool
from watcher import csvsafe
from watcher.store import tools as tools_store

BYOR_FIELDS = ("name", "ring", "quadrant", "isNew", "description")


def _since_iso(since: date | datetime | str | None, zone: str | None = None) -> str | None:
    """`since` as a stored-timestamp bound: an instant as is, a day from its start in `zone`."""
    if since is None or since == "":
        return None
    if isinstance(since, datetime):
        return clock.parse_instant(since.isoformat()).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    try:
        day = since if isinstance(since, date) else date.fromisoformat(str(since))
        return clock.day_start_iso(day, zone)
    except ValueError:
        raise ValidationError(f"since: expected a date YYYY-MM-DD, got {since!r}", key="err.since.format",
                              got=str(since)) from None


def guess_quadrant(ctx: ServiceContext, tool_id: int, text: str) -> str:
    ids = tools_store.evidence_article_ids(ctx.store, tool_id)
    quadrant = quadrant_of_articles(ctx, ids)
    if quadrant:
        return quadrant
    text = f" {text.lower()} "
    votes: dict[str, int] = {}
    for topic in getattr(ctx.settings, "topics", ()):
        if topic.quadrant in QUADRANTS:
            hits = sum(1 for k in topic.keywords if k.lower() in text)
            votes[topic.quadrant] = votes.get(topic.quadrant, 0) + hits
    best = max(votes.items(), key=lambda kv: kv[1], default=("", 0))
    return best[0] if best[1] > 0 else QUADRANTS[2]


def radar_entries(ctx: ServiceContext, since: date | str | None = None, include_rejected: bool = True
                  ) -> list[RadarEntry]:
    """Entries on (and, with include_rejected, outside) the radar; new/moved relative to `since`."""
    since_iso = _since_iso(since, ctx.settings.schedule.timezone)
    moves: dict[int, str | None] = {}
    if since_iso:
        # the status a tool had at `since`: the to_status of its last status change before that date
        moves = tools_store.statuses_at(ctx.store, since_iso)
    out = []
    for card in list_tools(ctx):
        ring = STATUS_TO_RING.get(card.status)
        if ring is None or (ring == OUTSIDE and not include_rejected):
            continue
        is_new = bool(since_iso and card.created_at >= since_iso)
        before = moves.get(card.id)
        moved = bool(since_iso) and not is_new and before is not None and before != card.status
        quadrant = card.quadrant or guess_quadrant(ctx, card.id, f"{card.name} {card.description}")
        out.append(RadarEntry(
            name=card.name, ring=ring, quadrant=quadrant, is_new=is_new, moved=moved,
            moved_from=STATUS_TO_RING.get(before, before) if moved and before is not None else None,
            description=card.description, kind=card.kind, number=card.id,
        ))
    order = {r: i for i, r in enumerate((*RINGS, OUTSIDE))}
    out.sort(key=lambda e: (QUADRANTS.index(e.quadrant) if e.quadrant in QUADRANTS else 9, order[e.ring], e.name))
    return out


def signals(ctx: ServiceContext) -> list[RadarEntry]:
    """Register entries still at `signal`: not drawn on the radar (no ring yet) but listed next to it, with the
    number they will keep once assessed. Ring "signal", quadrant as the radar would place them."""
    return sorted((RadarEntry(name=c.name, ring="signal", quadrant=c.quadrant or guess_quadrant(
        ctx, c.id, f"{c.name} {c.description}"), is_new=False, moved=False, moved_from=None,
        description=c.description, kind=c.kind, number=c.id)
        for c in list_tools(ctx) if c.status == "signal"), key=lambda e: e.name.lower())


def export_byor(ctx: ServiceContext, fmt: str = "csv", since: date | str | None = None,
                include_rejected: bool = False) -> str:
    """The radar as Build-Your-Own-Radar CSV or JSON (`name, ring, quadrant, isNew, description`)."""
    entries = radar_entries(ctx, since, include_rejected=include_rejected)
    rows = [e.byor() for e in entries]
    if fmt == "json":
        return json.dumps([{**r, "isNew": r["isNew"] == "TRUE"} for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt != "csv":
        raise ValidationError(f"format: expected csv or json, got {fmt!r}", key="err.format.radar", got=str(fmt))
    buf = io.StringIO()
    writer = csvsafe.DictWriter(buf, BYOR_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


MAX_IMPORT_BYTES = 5_000_000  # a radar file larger than this is refused whole
MAX_FIELD_CHARS = 20_000  # longest name/ring/quadrant/description accepted from a file
MAX_JSON_DEPTH = 20  # a BYOR JSON file is a list of flat objects: anything deeper is not one


def decode_import(data: bytes | str, source: str = "radar file") -> str:
    """The text of an uploaded radar file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252
    (what Excel writes for "CSV" on Windows). Over :data:`MAX_IMPORT_BYTES`, undecodable or holding NUL
    characters: one-line error."""
    text = _decode(data, source)
    if "\x00" in text:
        raise ValidationError(f"{source}: contains NUL characters (a binary file, or UTF-16 without a byte-order "
                              "mark); nothing imported", key="err.import.nul", source=source)
    return text


def _decode(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        text = data
        if len(text) > MAX_IMPORT_BYTES:
            raise ValidationError(f"{source}: larger than {MAX_IMPORT_BYTES // 1_000_000} MB, refused",
                                  key="err.import.too_large", source=source, mb=MAX_IMPORT_BYTES // 1_000_000)
        return text.lstrip("\ufeff")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(f"{source}: larger than {MAX_IMPORT_BYTES // 1_000_000} MB, refused",
                              key="err.import.too_large", source=source, mb=MAX_IMPORT_BYTES // 1_000_000)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValidationError(f"{source}: not valid UTF-16 text", key="err.import.utf16", source=source) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{source}: not text (neither UTF-8 nor Windows-1252 at byte {exc.start})",
                              key="err.import.not_text", source=source, byte=exc.start) from None


def _json_depth_ok(text: str) -> bool:
    """Whether brackets nest at most MAX_JSON_DEPTH deep (checked before json.loads, which recurses)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _check_fields(rows: list, kind: str) -> None:
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            continue
        for key, value in row.items():
            if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
                raise ValidationError(f"radar {kind}: entry {i}: {key} is {len(value)} characters long "
                                      f"(at most {MAX_FIELD_CHARS}); nothing imported", key="err.radar.field_long",
                                      format=kind, entry=i, field=str(key), length=len(value), max=MAX_FIELD_CHARS)


def _parse(text: str, fmt: str | None) -> list[dict]:
    """All entries of a BYOR file, or a one-line ValidationError for the file as a whole (nothing imported)."""
    stripped = text.lstrip("\ufeff").strip()
    if fmt is None:
        fmt = "json" if stripped.startswith(("[", "{")) else "csv"
    if fmt == "json":
        if not _json_depth_ok(stripped):
            raise ValidationError(f"radar JSON: nested more than {MAX_JSON_DEPTH} levels deep; nothing imported",
                                  key="err.radar.json_depth", max=MAX_JSON_DEPTH)
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"radar JSON: invalid at line {exc.lineno} ({exc.msg})", key="err.radar.json_invalid",
                                  line=exc.lineno, detail=exc.msg) from None
        except RecursionError:  # pragma: no cover - the depth check comes first
            raise ValidationError("radar JSON: nested too deeply; nothing imported",
                                  key="err.radar.json_deep") from None
        if not isinstance(data, list):
            raise ValidationError("radar JSON: expected a list of entries", key="err.radar.json_list")
        _check_fields(data, "JSON")
        return data
    if fmt != "csv":
        raise ValidationError(f"format: expected csv or json, got {fmt!r}", key="err.format.radar", got=str(fmt))
    header = stripped.split("\n", 1)[0]
    # Excel writes ';' (French locale) or tabs ("Unicode text") where a comma is expected
    delimiter = next((d for d in (",", ";", "\t") if d in header), ",")
    reader = csv.DictReader(io.StringIO(stripped), delimiter=delimiter)
    try:
        fieldnames = [str(f).strip() for f in (reader.fieldnames or [])]
        reader.fieldnames = fieldnames
        missing = [f for f in ("name", "ring", "quadrant") if f not in fieldnames]
        if missing:
            raise ValidationError(f"radar CSV: missing column(s) {', '.join(missing)} "
                                  f"(expected {', '.join(BYOR_FIELDS)})", key="err.radar.csv_columns",
                                  missing=", ".join(missing), expected=", ".join(BYOR_FIELDS))
        rows = [csvsafe.restore_row(row) for row in reader]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ValidationError(f"radar CSV: line {reader.line_num}: a field is longer than {MAX_FIELD_CHARS} "
                                  "characters; nothing imported", key="err.radar.csv_field_long",
                                  line=reader.line_num, max=MAX_FIELD_CHARS) from None
        raise ValidationError(f"radar CSV: unreadable at line {reader.line_num} ({exc}); nothing imported",
                              key="err.radar.csv_unreadable", line=reader.line_num, detail=str(exc)) from None
    _check_fields(rows, "CSV")
    return rows


def import_byor(ctx: ServiceContext, text: str | bytes, fmt: str | None = None, source: str = "upload",
                rationale: str = "") -> ImportResult:
    """Re-create register entries from a BYOR file (editor): new names are added with their ring's status,
    existing ones move to it (recorded in history with the file as rationale). Bad rows are reported, one line
    each, and never stop the rest; a file that cannot be read as a whole (size, encoding, columns, a field over
    MAX_FIELD_CHARS, nesting) raises one ValidationError before anything is imported. `text` may be the raw
    bytes of the file (see :func:`decode_import`)."""
    require_editor(ctx.user)
    rows = _parse(decode_import(text, source), fmt)
    created = updated = unchanged = 0
    errors: list[str] = []
    problems: list[Message] = []

    def refuse(line: str, key: str, **values: Param) -> None:  # one row refused: English line and its message
        errors.append(line)
        problems.append(Message(key, {"source": source, "entry": i, **values}))

    note = (rationale or "").strip() or f"Imported from radar file {source}"
    for i, row in enumerate(rows, start=1):
        where = f"{source}: entry {i}"
        if not isinstance(row, dict):
            refuse(f"{where}: expected an object", "err.radar.row_object")
            continue
        name = " ".join(str(row.get("name") or "").split())
        ring = str(row.get("ring") or "").strip().lower()
        quadrant = str(row.get("quadrant") or "").strip()
        description = str(row.get("description") or "").strip()
        if not name:
            refuse(f"{where}: empty name", "err.radar.row_name")
            continue
        if ring not in RING_TO_STATUS:
            refuse(f"{where} ({name}): unknown ring {ring!r} (expected {', '.join((*RINGS, OUTSIDE))})",
                   "err.radar.row_ring", name=name, ring=ring, allowed=terms("ring", (*RINGS, OUTSIDE)))
            continue
        if quadrant and quadrant not in QUADRANTS:
            refuse(f"{where} ({name}): unknown quadrant {quadrant!r}", "err.radar.row_quadrant", name=name,
                   quadrant=quadrant)
            continue
        status = RING_TO_STATUS[ring]
        try:
            try:
                card = get_card(ctx, name)
            except NotFoundError:
                add_tool(ctx, name, note=note, quadrant=quadrant, description=description, status=status)
                created += 1
                continue
            changed = False
            if (quadrant and quadrant != card.quadrant) or description != card.description:
                update_tool(ctx, name, note=note, quadrant=quadrant or None, description=description)
                changed = True
            if card.status != status:
                set_status(ctx, name, status, note, change="import")
                changed = True
            if changed:
                updated += 1
            else:
                unchanged += 1
        except ValidationError as exc:
            refuse(f"{where} ({name}): {exc}", "err.radar.row_refused", name=name,
                   reason=exc.message or Message("err.untranslated", {"text": str(exc)}))
    return ImportResult(created=created, updated=updated, unchanged=unchanged, errors=tuple(errors),
                        problems=tuple(problems))


# short names used by the pages
entries = radar_entries


def export_csv(ctx: ServiceContext, since: date | str | None = None, include_rejected: bool = False) -> str:
    return export_byor(ctx, "csv", since, include_rejected)


def export_json(ctx: ServiceContext, since: date | str | None = None, include_rejected: bool = False) -> str:
    return export_byor(ctx, "json", since, include_rejected)
