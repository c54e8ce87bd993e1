"""The one Jinja2 environment every HTML document is rendered with.

Autoescape is on for every template and undefined variables are errors, so hostile text
(`{{ }}`, `<script>`, `&`) always ends up as text and a typo in a template fails loudly.
"""

from __future__ import annotations

import functools

import jinja2
from markupsafe import Markup, escape

from pipeline.core.edition import PROJECT_ROOT

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
    """The `words` filter: text → HTML broken only between words (nowrap_words); with the
    column's width and type size, a word wider than the column may still break."""
    return nowrap_words(str(text), None if width_mm is None else column_chars(width_mm, size_pt))


MAX_GROUP_CHARS = 8.0
"""Without a column width: a run wider than this stays breakable."""
NOWRAP = '<span style="white-space:nowrap">{}</span>'


def nowrap_words(text: str, chars: float | None = None) -> Markup:
    """Text → HTML that a browser or WeasyPrint breaks only between words or at spaces: each run
    of pipeline.render.wordbreak.runs a `white-space: nowrap` span (table cells of the review lists and
    the 公示: "加格/达奇区", "医/疗护理员" never happen, no line holds one character alone). The
    text stays as it is: no invisible joiners end up in the PDF's text.

    `chars`: the column's width in full-width characters. A run wider than that (or than
    MAX_GROUP_CHARS without it) is split into its tokens, and a token still wider stays
    breakable anywhere: better a break inside it than text across the cell's rule.
    """
    from pipeline.render.wordbreak import char_width, runs, tokens

    limit = MAX_GROUP_CHARS if chars is None else max(2.0, chars)
    out = []
    for run in runs(text):
        if run.isspace() or len(run) == 1:
            out.append(str(escape(run)))
        elif char_width(run) <= limit:
            out.append(NOWRAP.format(escape(run)))
        else:
            out.extend(NOWRAP.format(escape(w)) if 1 < char_width(w) <= limit else str(escape(w))
                       for w in tokens(run))
    return Markup("".join(out))


def column_chars(width_mm: float, size_pt: float, pad_mm: float = 2.4) -> float:
    """How many full-width characters of `size_pt` fit a column of `width_mm` (padding `pad_mm`)."""
    return (width_mm - pad_mm) / (size_pt * 25.4 / 72)


def _whole(text: object) -> object:
    """The `whole` filter: a value that never wraps, except that an outlier may break before its
    last opening bracket (`office.outlier_pieces`; the column is made as wide as its longest piece)."""
    from pipeline.render.office import outlier_pieces
    from pipeline.render.wordbreak import char_width

    value = str(text)
    return Markup("".join(NOWRAP.format(escape(p)) for p in outlier_pieces(value, char_width(value))))


def render(template: str, **context: object) -> str:
    """Render templates/<template> with the context."""
    return environment().get_template(template).render(**context)
