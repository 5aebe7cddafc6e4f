"""User-facing errors: one clear paragraph, exit code 2, never a traceback."""


class UserError(Exception):
    """An input problem the user can fix: names the file, the field and what is allowed."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.field = field
        where = ""
        if file:
            where += f"{file}: "
        if field:
            where += f"field '{field}': "
        super().__init__(where + message)


#: Exit code when the disk is full (BSD EX_IOERR): the input was fine, the disk was not.
DISK_FULL_EXIT = 74


class DiskFullError(UserError):
    """No space left while writing ``what``: finished runs are kept; free space and rerun."""

    exit_code = DISK_FULL_EXIT

    def __init__(self, what: str):
        self.what = what
        super().__init__(f"disk full: could not write {what}. The finished runs are kept; "
                         "free some space and run the same command again to continue.")


def is_disk_full(exc: BaseException) -> bool:
    """True for 'no space left on device' (ENOSPC, EDQUOT) and SQLite's 'disk is full'."""
    import errno
    import sqlite3

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if isinstance(exc, sqlite3.Error):
        return (getattr(exc, "sqlite_errorcode", None) == 13  # SQLITE_FULL
                or "disk is full" in str(exc))
    return False
