"""Why a service refused: each error knows the HTTP status the contract gives it (DESIGN §10)."""


class Refused(Exception):
    """An action the caller may not take; `status` is 403, 404 or 409."""

    status = 409

    def __init__(self, message: str):
        super().__init__(str(message))
        self.message = str(message)


class NotFound(Refused):
    status = 404  # the caller may not see the case: do not tell them it exists


class Forbidden(Refused):
    status = 403  # the caller's role or organisation may not act


class WrongState(Refused):
    status = 409  # the case's state does not allow the action


class Invalid(Exception):
    """Bad input, as {field: [message]}: 422 from the API, errors next to fields in HTML; nothing saved."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        """Every message, field after field: for pages that show them at the top."""
        return [message for messages in self.errors.values() for message in messages]
