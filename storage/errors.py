"""Errors raised by the storage package, each with a one-line message a user can act on."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every storage error."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached (server down, file locked or unreadable)."""


class SchemaOutOfDate(StorageError):
    """The database schema is not at the revision this code needs; names the command to run."""


class UnknownModelVersion(StorageError, LookupError):
    """A model version that is not recorded in the database."""


class DuplicateModelVersion(StorageError, ValueError):
    """A model version recorded twice."""


class UnsupportedDatabaseURL(StorageError, ValueError):
    """A database URL that is malformed or names a backend sentibot does not support."""


class InvalidId(StorageError, ValueError):
    """An id (or time) that cannot be stored: wrong type, too long, NUL, lone surrogate."""
