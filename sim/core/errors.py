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
