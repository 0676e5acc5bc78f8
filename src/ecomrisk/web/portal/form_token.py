"""Form tokens of the portal, which has no sessions: a signed timestamp (itsdangerous,
``secret_key``). It proves the form came from the portal, and a form sent back
sooner than a person could fill it is treated as spam."""

import time

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ecomrisk.settings import Settings

MAX_AGE_SECONDS = 4 * 3600
SALT = "ecomrisk.portal.form"


class FormTokenError(ValueError):
    """The form's token is missing, forged, stale, or came back too fast."""


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=SALT)


def issue(settings: Settings, form: str) -> str:
    return _serializer(settings).dumps({"form": form, "at": time.time()})


def check(settings: Settings, token: str, form: str) -> None:
    try:
        payload = _serializer(settings).loads(token, max_age=MAX_AGE_SECONDS)
    except SignatureExpired:
        raise FormTokenError("form_token: the form is too old: reload the page") from None
    except BadSignature:
        raise FormTokenError("form_token: the form was not sent from this portal") from None
    if not isinstance(payload, dict) or payload.get("form") != form:
        raise FormTokenError("form_token: the token belongs to another form")
    if time.time() - float(payload.get("at", 0)) < settings.portal_min_fill_seconds:
        raise FormTokenError(
            "form_token: the form came back faster than a person fills it in: "
            "wait a few seconds and send it again"
        )
