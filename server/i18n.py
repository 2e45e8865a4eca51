"""Languages: English, Turkish and Malay, chosen per request; catalogs live beside each part."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS
from flask import Flask, request, session
from flask_babel import Babel, force_locale, get_domain, get_locale, gettext

from server.domain import errors
from server.domain.validation import LANGUAGES

babel = Babel()

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("server", "kiosk", "display")
# Each part (and blueprint) keeps its own catalog, so work on one does not touch another's.
CATALOG_DIRECTORIES = sorted(
    str(path) for part in PARTS for path in (ROOT / part).glob("**/translations") if path.is_dir()
)


# What marks a text for the catalogs (for `pybabel extract -k …` and the catalog tests):
# gettext's names, N_, a domain error's first argument (its English message template) and the
# message of `Checks.fail(field, message)`.
ERROR_NAMES = sorted(
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.DomainError)
)
EXTRACT_KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    **dict.fromkeys(ERROR_NAMES, (1,)),
    "fail": (2,),
}


def translated(error: errors.DomainError) -> str:
    """A domain error's message in the request's language, its domain words translated too."""
    params = {
        name: gettext(value) if isinstance(value, errors.Term) else value
        for name, value in error.params.items()
    }
    return gettext(error.template, **params)


def select_language() -> str:
    """?lang= wins (and is remembered), then the session, then the browser's preference.

    The API answers in the page's language first: the pages' scripts send it as
    Accept-Language (the kiosk's is the language the customer picked, not the session's)."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    sent = request.accept_languages.best_match(LANGUAGES)
    if request.path.startswith("/api/") and sent:
        return sent
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or "en"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(CATALOG_DIRECTORIES))
    babel.init_app(app, locale_selector=select_language)

    @app.context_processor
    def language_context() -> dict:
        return {"current_language": str(get_locale() or "en"), "languages": LANGUAGES}


def load_catalogs(app: Flask) -> None:
    """Read every language's catalogs before serving. Flask-Babel reads a language's files at
    its first use and keeps them: on a server, that first use is a board's first call in that
    language, and the reading (10–20 ms) would hold up every client of the event loop."""
    with app.test_request_context():
        for language in LANGUAGES:
            with force_locale(language):
                get_domain().get_translations()
