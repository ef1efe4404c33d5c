"""One exception type with a stable code; the UI translates codes, the API returns them as JSON."""

from __future__ import annotations


class BelfortError(Exception):
    """A failure a person can act on: `code` is stable (translated by the UI), `hint` says what to do."""

    def __init__(self, code: str, message: str, *, hint: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.status = status

    def as_dict(self) -> dict[str, str | int]:
        return {"code": self.code, "message": self.message, "hint": self.hint, "status": self.status}

    def __reduce__(self) -> tuple[object, ...]:  # pickles (subclasses too): it comes back from caged OCR
        return (_restore, (type(self), self.code, self.message, self.hint, self.status))

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" + (f" (hint: {self.hint})" if self.hint else "")


class NotFound(BelfortError):
    def __init__(self, code: str, message: str, *, hint: str = "") -> None:
        super().__init__(code, message, hint=hint, status=404)


class Forbidden(BelfortError):
    def __init__(self, code: str, message: str, *, hint: str = "") -> None:
        super().__init__(code, message, hint=hint, status=403)


def _restore(cls: type[BelfortError], code: str, message: str, hint: str, status: int) -> BelfortError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.code, err.message, err.hint, err.status = code, message, hint, status
    return err
