"""One exception hierarchy for the whole product, converted to one-line messages at the edges."""


class VeilleError(Exception):
    """Base of every error veille raises on purpose."""


class ConfigError(VeilleError):
    """The configuration file is missing, unreadable or invalid (CLI exit code 2)."""


class StoreError(VeilleError):
    """The database could not be opened or written."""


class DatabasePathError(StoreError):
    """The configured database path cannot be opened (a folder, not SQLite, unwritable): CLI exit code 2."""


class FetchError(VeilleError):
    """A feed could not be fetched; recorded on that feed, never stops the batch."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
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
        super().__init__(f"another crawl is running (pid {pid if pid else '?'}), skipped")
        self.pid = pid
