"""The one Jinja2 environment every HTML document is rendered with.

Autoescape is on for every template and undefined variables are errors, so hostile text
(`{{ }}`, `<script>`, `&`) always ends up as text and a typo in a template fails loudly.
"""

from __future__ import annotations

import functools

import jinja2

from pipeline.edition import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    """The shared environment, loading from templates/."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日"
    env.filters["words"] = _words   # table cells that break only between words
    env.filters["whole"] = _whole   # short fields: never broken, but an outlier before its bracket
    return env


def _words(text: object, width_mm: float | None = None, size_pt: float = 10.5) -> object:
    """The `words` filter: text → HTML broken only between words (pipeline.review.wordbreak);
    with the column's width and type size, a word wider than the column may still break."""
    from pipeline.review.wordbreak import column_chars, nowrap_words

    return nowrap_words(str(text), None if width_mm is None else column_chars(width_mm, size_pt))


def _whole(text: object) -> object:
    """The `whole` filter: a value that never wraps, except that an outlier may break before its
    last opening bracket (`office.outlier_pieces`; the column is made as wide as its longest piece)."""
    from markupsafe import Markup, escape

    from pipeline.office import outlier_pieces
    from pipeline.review.render import char_width
    from pipeline.review.wordbreak import NOWRAP

    value = str(text)
    return Markup("".join(NOWRAP.format(escape(p)) for p in outlier_pieces(value, char_width(value))))


def render(template: str, **context: object) -> str:
    """Render templates/<template> with the context."""
    return environment().get_template(template).render(**context)
