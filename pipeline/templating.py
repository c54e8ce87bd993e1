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
    return env


def render(template: str, **context: object) -> str:
    """Render templates/<template> with the context."""
    return environment().get_template(template).render(**context)
