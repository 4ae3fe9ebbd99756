"""One exception hierarchy for the whole product, converted to one-line messages at the edges.

An error the app can show carries, besides its English text (what the CLI prints and the logs keep), a
:class:`Message`: a key of the app's catalogue (ui/i18n.py) and the values to format into it, so a page shows it
in its reader's language::

    raise ValidationError(f"tool {name!r}: already {status}", key="err.tool.already", tool=name,
                          status=Term("status", status))

A value is text or a number (user and feed text: the app escapes it), or a :class:`Term`, a word of veille's
own vocabulary (a status, a kind) that the app words through the catalogue (`status.adopted` -> "Adopté"), or a
tuple of terms (a list of allowed values).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Term:
    """A code of veille's own vocabulary given to a message: shown through the catalogue key `prefix.code`
    when there is one (else as the code); its English text is the code."""

    prefix: str
    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, slots=True)
class Message:
    """What an error says, as a catalogue key and its values (the same values its English text was made of).
    A value may itself be a message (a file's row refused for the reason another error gives)."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)


Param = str | int | float | Term | tuple[Term, ...] | Message


# --- a message kept in the database (feeds.last_error_message, job_runs.error_message) ------------------
# {"key": "err.fetch.http", "params": {"status_code": 404, "phrase": "Not Found"}}; a value is a JSON string or
# number, or tagged: {"term": ["status", "adopted"]}, {"terms": [["status", "trial"], ...]}, {"message": {...}}.


def _param_data(value: Param) -> object:
    if isinstance(value, Message):
        return {"message": message_data(value)}
    if isinstance(value, Term):
        return {"term": [value.prefix, value.code]}
    if isinstance(value, tuple):
        return {"terms": [[term.prefix, term.code] for term in value]}
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"not a message value: {value!r}")
    return value


def message_data(message: Message) -> dict[str, object]:
    """A message as plain JSON data (see :func:`message_json`)."""
    return {"key": message.key, "params": {name: _param_data(value) for name, value in message.params.items()}}


def message_json(message: Message | None) -> str | None:
    """A message as JSON text, for a TEXT column; None for none."""
    return None if message is None else json.dumps(message_data(message), ensure_ascii=False, sort_keys=True)


def _term(data: object) -> Term:
    if not (isinstance(data, list) and len(data) == 2 and all(isinstance(part, str) for part in data)):
        raise ValueError(f"not a term: {data!r}")
    return Term(data[0], data[1])


def _param(data: object) -> Param:
    if isinstance(data, dict) and len(data) == 1:
        [(tag, inner)] = data.items()
        if tag == "message":
            return _message(inner)
        if tag == "term":
            return _term(inner)
        if tag == "terms" and isinstance(inner, list):
            return tuple(_term(part) for part in inner)
    if isinstance(data, str | int | float) and not isinstance(data, bool):
        return data
    raise ValueError(f"not a message value: {data!r}")


def _message(data: object) -> Message:
    if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not data["key"]:
        raise ValueError(f"not a message: {data!r}")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise ValueError(f"not message values: {params!r}")
    return Message(data["key"], {str(name): _param(value) for name, value in params.items()})


def message_from_json(text: str | None) -> Message | None:
    """The message :func:`message_json` wrote; None for none, or for text that is not one (the row's English
    text is then what is shown)."""
    if not text:
        return None
    try:
        return _message(json.loads(text))
    except ValueError:  # json.JSONDecodeError is one
        return None


class VeilleError(Exception):
    """Base of every error veille raises on purpose.

    `VeilleError(text)`: English only (the CLI's and the logs' line); `VeilleError(text, key=..., **params)`
    also carries :attr:`message`, what the app shows in the reader's language."""

    message: Message | None

    def __init__(self, *args: object, key: str | None = None, **params: Param):
        super().__init__(*args)
        self.message = Message(key, dict(params)) if key else None

    def __reduce__(self):  # keep the message across processes (the crawl's parse workers pickle errors)
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[VeilleError], args: tuple, state: dict) -> VeilleError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigError(VeilleError):
    """The configuration file is missing, unreadable or invalid (CLI exit code 2)."""


class StoreError(VeilleError):
    """The database could not be opened or written."""


class DatabasePathError(StoreError):
    """The configured database path cannot be opened (a folder, not SQLite, unwritable): CLI exit code 2."""


class FetchError(VeilleError):
    """A feed could not be fetched; recorded on that feed, never stops the batch."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 key: str | None = None, **params: Param):
        super().__init__(message, key=key, **params)
        self.status = status
        self.retry_after = retry_after


class BlockedAddressError(FetchError):
    """The feed host resolves to a private-network address and private networks are not allowed."""


class BodyTooLargeError(FetchError):
    """The decoded response body exceeded the configured cap."""


class ParseError(VeilleError):
    """The response is not a feed at all (no entries could be recovered)."""


class ModelError(VeilleError):
    """The embedding model could not be loaded."""


class NotFoundError(VeilleError):
    """A named thing (feed, article, profile, tool) does not exist."""


class ValidationError(VeilleError):
    """A user-supplied value is not acceptable (bad status, empty rationale, header injection...)."""


class PermissionDenied(VeilleError):
    """The current user's role may not do this."""


class EmailError(VeilleError):
    """An email could not be built or sent."""


class ServiceLockedError(VeilleError):
    """Another `veille serve` already runs on this database."""


class CrawlBusyError(VeilleError):
    """Another crawl holds the crawl lock of this database; this one was skipped (not a failure)."""

    def __init__(self, pid: int | None):
        super().__init__(f"another crawl is running (pid {pid if pid else '?'}), skipped", key="sources.crawl_busy",
                         pid=pid or "?")
        self.pid = pid


def terms(prefix: str, codes) -> tuple[Term, ...]:
    """Codes of one vocabulary as message values: `terms("status", TRANSITIONS[current])`."""
    return tuple(Term(prefix, str(code)) for code in codes)
