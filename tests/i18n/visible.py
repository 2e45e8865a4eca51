"""What a reader sees on a page: its text and the attributes read aloud, by language."""

from __future__ import annotations

from html.parser import HTMLParser

READ_ALOUD = ("aria-label", "title", "placeholder", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class VisibleText(HTMLParser):
    """Collects each text node and read-aloud attribute with the language it is in."""

    def __init__(self, page_language: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = [("html", page_language)]
        self.found: list[tuple[str, str]] = []

    def language(self) -> str:
        return next(lang for _tag, lang in reversed(self.stack) if lang)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        language = attributes.get("lang")
        for name in READ_ALOUD:
            if attributes.get(name):
                self.found.append((" ".join(attributes[name].split()), language or self.language()))
        if tag not in VOID:
            self.stack.append((tag, language))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self.stack[-1][0] in ("script", "style"):
            return
        text = " ".join(data.split())
        if text:
            self.found.append((text, self.language()))


def visible_text(html: str, page_language: str) -> list[str]:
    """The texts of a page that are meant to be in `page_language`."""
    parser = VisibleText(page_language)
    parser.feed(html)
    return [text for text, language in parser.found if language == page_language]
