"""Table cells that break only between words: 工作单位及职务 and 职业 in the review lists and the 公示.

`nowrap_words` turns a text into HTML in which every word (jieba, `pipeline.packets.fit.words`)
is a `white-space: nowrap` span: WeasyPrint may break a line between two spans or at a space,
never inside a word ("加格/达奇区", "医/疗护理员" are gone). A word of one character is glued to its
neighbour (to the next one after an opening bracket, else to the one before; a run of single
characters becomes one word), so no line ever holds one character alone. The text stays as it
is: no invisible joiners end up in the PDF's text.
"""

from __future__ import annotations

from markupsafe import Markup, escape

OPENING = "（(“‘《〈【「『"
"""Opening punctuation: glued to the word after it."""
MAX_GROUP_CHARS = 8.0
"""Without a column width: a glued group wider than this stays breakable."""
NOWRAP = '<span style="white-space:nowrap">{}</span>'


def word_groups(text: str) -> list[str]:
    """Text → its words with single characters glued to a neighbour; a space is a group of its own.

    "".join(word_groups(text)) == text.
    """
    from pipeline.packets.fit import words

    tokens: list[str] = []
    for word in words(text):   # a run of single characters becomes one word ("北", "药" → "北药")
        if len(word) == 1 and word.isalnum() and tokens and len(tokens[-1]) == 1 and tokens[-1].isalnum():
            tokens[-1] += word
        else:
            tokens.append(word)
    groups: list[str] = []
    carry = ""   # opening brackets (or a leading single character) waiting for the next word
    for token in tokens:
        if token.isspace():
            if carry:
                groups.append(carry)
                carry = ""
            groups.append(token)
        elif token in OPENING or (len(token) == 1 and not groups):
            carry += token
        elif len(token) == 1 and not carry and not groups[-1].isspace():
            groups[-1] += token
        elif len(token) == 1 and not carry and len(groups) >= 2:
            groups[-2:] = [groups[-2] + groups[-1] + token]   # "单位 长": never "长" alone after a space
        else:
            groups.append(carry + token)
            carry = ""
    if carry:
        if groups and not groups[-1].isspace():
            groups[-1] += carry
        else:
            groups.append(carry)
    return groups


def nowrap_words(text: str, chars: float | None = None) -> Markup:
    """Text → HTML that a browser or WeasyPrint breaks only between words or at spaces.

    `chars`: the column's width in full-width characters. A group wider than that (or than
    MAX_GROUP_CHARS without it) is split into its jieba words, and a word still wider stays
    breakable anywhere: better a break inside it than text across the cell's rule.
    """
    from pipeline.packets.fit import words
    from pipeline.review.render import char_width

    limit = MAX_GROUP_CHARS if chars is None else max(2.0, chars)
    out = []
    for group in word_groups(text):
        if group.isspace() or len(group) == 1:
            out.append(str(escape(group)))
        elif char_width(group) <= limit:
            out.append(NOWRAP.format(escape(group)))
        else:
            out.extend(NOWRAP.format(escape(w)) if 1 < char_width(w) <= limit else str(escape(w))
                       for w in words(group))
    return Markup("".join(out))


def column_chars(width_mm: float, size_pt: float, pad_mm: float = 2.4) -> float:
    """How many full-width characters of `size_pt` fit a column of `width_mm` (padding `pad_mm`)."""
    return (width_mm - pad_mm) / (size_pt * 25.4 / 72)
