"""Where a line of Chinese text may break: one set of rules for every document we print.

    words(text)                       jieba's words (dictionary only: the same text, the same words)
    tokens(text)                      the pieces a line may break between
    break_lines(text, width_mm, …)    text → its lines at a width, measured in the real font
                                      (the PDF and DOCX 申报审批表, the 公示 DOCX)
    runs(text, keep)                  text → runs that HTML keeps whole (white-space: nowrap spans:
                                      the review lists, the 公示, the media kit)

The rules (Chinese line breaking as GB/T 15834 and the W3C's clreq describe it):

* a line breaks between jieba's words; prose (`by_words=False`, the 简要事迹) between any two
  characters outside the pieces below;
* never inside a number, date or range with its ordinal 第 and its counter ("2009.03—2009.09",
  "第41期", "第01车间", "300余万元", "100,000.00元"), 第 + Chinese numeral + counter ("第十三期"), a
  Latin word or any run of ASCII letters, digits and signs (UNBROKEN);
* no line starts with closing punctuation or a dash (） ” ， 。 、 ： … —), none ends with opening
  punctuation, a range's dash or the name dot (（ “ 《 — ·): punctuation is glued to its word;
* a space is a piece of its own: a line may break there and never starts or ends with one;
* no line holds one character alone (punctuation does not count: "会）" is one character): the
  last word of the line before moves down with it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import marshal
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from pipeline.core import atomic
from pipeline.render.fonts import cache_dir

PT_PER_MM = 72 / 25.4

UNBROKEN = re.compile(
    r"第?[0-9０-９]+(?:[.．,:：/\-—–~～][0-9０-９]+)*[余多]?[万亿]?(?:人次|车间|[期届次批名个项年月日号级等位元人件台套天岁%％])?"
    r"|第[〇零一二两三四五六七八九十百千]+[期届次批名个项]"
    r"|[A-Za-z][A-Za-z0-9'’&\-]*")
"""What a line never breaks inside: a number, date or range with its ordinal 第 and its counter
("第41期", "第01车间", "2009.03—2009.09", "2019年", "300余万元", "100,000.00元"), 第 + Chinese
numeral + counter ("第十三期"), a Latin word."""
DASHES = "—–-~～"
_CLOSING = frozenset({"Pe", "Pf", "Po"})
"""Unicode categories of punctuation that never starts a line (） ” ， 。 、 ： · …)."""
_OPENING = frozenset({"Ps", "Pi"})
"""Unicode categories of punctuation that never ends a line (（ “ 《)."""


class TextWidth(Protocol):
    """Text widths in one font (pipeline.packets.fit.Measure and its DOCX variant)."""

    def width(self, text: str, size: float, tracking: float = 0.0) -> float:
        """Width in points of `text` at `size` points."""
        ...


@functools.cache
def _segmenter() -> object:
    """jieba's default tokenizer, loaded once per process (quietly).

    Its prefix dictionary (500,000 entries) comes from the project's cache as one marshal string:
    jieba's own cache in /tmp is read with marshal.load from the open file, about 1 CPU-s in every
    process that breaks lines; marshal.loads on the file's bytes takes a third of that. The cache is
    named by jieba's version, its dictionary file and Python's marshal format, and made again when
    it cannot be read."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    source = Path(jieba.__file__).with_name("dict.txt")
    stat = source.stat()
    cached = cache_dir() / "jieba" / (f"{jieba.__version__}-{stat.st_size}-{stat.st_mtime_ns}"
                                      f"-py{sys.version_info[0]}{sys.version_info[1]}.marshal")
    try:
        freq, total = marshal.loads(cached.read_bytes())
        if not isinstance(freq, dict) or not isinstance(total, int) or not total:
            raise ValueError(cached)
    except (OSError, EOFError, ValueError, TypeError):
        tokenizer.initialize()
        with contextlib.suppress(OSError):  # a read-only cache folder: the next process reads jieba's own again
            atomic.write_bytes(cached, marshal.dumps((tokenizer.FREQ, tokenizer.total)))
    else:
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
    return tokenizer


def words(text: str) -> list[str]:
    """Text → words (jieba, dictionary only: the same text always gives the same words)."""
    tokenizer = _segmenter()
    return [w for w in tokenizer.cut(text, HMM=False) if w]  # type: ignore[attr-defined]


def _closes(piece: str) -> bool:
    """The piece begins with punctuation that must stay at the end of the word before."""
    return bool(piece) and (unicodedata.category(piece[0]) in _CLOSING or piece[0] in DASHES)


def _opens(piece: str) -> bool:
    """The piece ends with punctuation that must stay with the next word (or a range's dash, the name dot)."""
    return bool(piece) and (unicodedata.category(piece[-1]) in _OPENING or piece[-1] in DASHES + "·")


def _ascii_run(a: str, b: str) -> bool:
    """a and b touch inside one run of Latin letters, digits and ASCII signs ('A&B' '<x>')."""
    return bool(a) and bool(b) and a[-1].isascii() and b[0].isascii() and not a[-1].isspace() \
        and not b[0].isspace()


def tokens(text: str, *, by_words: bool = True) -> list[str]:
    """Text → the pieces a line may break between ("".join(tokens(text)) == text): UNBROKEN
    numbers and Latin words whole, the rest in jieba's words (prose, by_words=False: in
    characters), punctuation glued to the word it belongs to, a space a piece of its own."""
    return list(_tokens(text, by_words))


@functools.lru_cache(maxsize=4096)
def _tokens(text: str, by_words: bool) -> tuple[str, ...]:
    """tokens(), remembered: the same field is broken at several type sizes, in the PDF and the DOCX form."""
    def split(part: str) -> list[str]:
        return (words(part) if by_words else list(part)) if part else []

    raw: list[str] = []
    pos = 0
    for match in UNBROKEN.finditer(text):
        raw += split(text[pos:match.start()])
        raw.append(match.group())
        pos = match.end()
    raw += split(text[pos:])
    out: list[str] = []
    for piece in raw:
        if out and not piece.isspace() and not out[-1].isspace() \
                and (_opens(out[-1]) or _closes(piece) or _ascii_run(out[-1], piece)):
            out[-1] += piece
        else:
            out.append(piece)
    return tuple(out)


def weight(line: str) -> int:
    """Characters of a line that count as text (punctuation and spaces do not)."""
    return sum(1 for ch in line if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def break_lines(text: str, width_mm: float, size: float, measure: TextWidth, *, indent_mm: float = 0.0,
                by_words: bool = True, at_spaces: bool = True) -> list[str]:
    """One paragraph (its first line indented by indent_mm) → its lines, each no wider than
    width_mm at `size`, broken only between tokens(), none of a single character.

    With at_spaces, text whose space-separated phrases each fit a line ('单位 职务') breaks at
    its spaces only. A piece wider than a whole line is cut where it must be (anything else
    would cross the cell's rule)."""
    def limit(index: int) -> float:
        return (width_mm - (indent_mm if index == 0 else 0.0)) * PT_PER_MM

    def fits(line: Sequence[str], index: int) -> bool:
        return measure.width("".join(line), size) <= limit(index)

    if fits([text], 0):
        return [text]
    phrases = text.split()
    if at_spaces and len(phrases) > 1 and all(fits([p], 0) for p in phrases):
        lines: list[list[str]] = [[]]
        for phrase in phrases:
            if lines[-1] and not fits([*lines[-1], " ", phrase], len(lines) - 1):
                lines.append([])
            lines[-1] += [" ", phrase] if lines[-1] else [phrase]
        return ["".join(line) for line in lines]
    lines = [[]]
    for piece in tokens(text, by_words=by_words):
        line = lines[-1]
        if piece.isspace():
            if line:
                line.append(piece)
        elif line and not fits([*line, piece], len(lines) - 1):
            while line and line[-1].isspace():
                line.pop()
            lines.append([piece])
        else:
            line.append(piece)
    out: list[list[str]] = []
    cut_up: set[int] = set()  # lines that hold a piece cut to the width
    for line in lines:
        while line and line[-1].isspace():
            line.pop()
        while len(line) == 1 and len(line[0]) > 1 and not fits(line, len(out)):
            cut = len(line[0])
            while cut > 1 and not fits([line[0][:cut]], len(out)):
                cut -= 1
            cut_up.update((len(out), len(out) + 1))
            out.append([line[0][:cut]])
            line = [line[0][cut:]]
        if line:
            out.append(line)
    for i in range(len(out) - 1, -1, -1):  # no line of one character
        if weight("".join(out[i])) < 2 and not (i and _take_last(out, i, fits, cut_up, by_words)):
            _take_first(out, i, fits)
    return ["".join(line) for line in out if line]


Fits = Callable[[Sequence[str], int], bool]


def _take_last(out: list[list[str]], i: int, fits: Fits, cut_up: set[int], by_words: bool) -> bool:
    """Line i (one character) takes the last piece of line i − 1 if it fits: a piece cut to the
    width ("新疆维吾尔自治" / "区") gives its last word or character; a whole number never."""
    prev = out[i - 1]
    if len(prev) > 1:
        keep = prev[:-1]
        while keep and keep[-1].isspace():
            keep.pop()
        if keep and fits([prev[-1], *out[i]], i):
            out[i] = [prev[-1], *out[i]]
            out[i - 1] = keep
            return True
    elif len(prev[0]) > 2 and (i - 1 in cut_up or not UNBROKEN.fullmatch(prev[0])):
        sub = tokens(prev[0]) if by_words else []
        moved = sub[-1] if len(sub) > 1 else prev[0][-1]
        if fits([moved, *out[i]], i):
            out[i] = [moved, *out[i]]
            prev[0] = prev[0][:-len(moved)]
            return True
    return False


def _take_first(out: list[list[str]], i: int, fits: Fits) -> None:
    """Line i (one character) takes the first piece of line i + 1 if it fits and leaves more
    than one character there."""
    if i + 1 >= len(out) or len(out[i + 1]) < 2:
        return
    first, rest = out[i + 1][0], out[i + 1][1:]
    while rest and rest[0].isspace():
        rest = rest[1:]
    if weight("".join(rest)) >= 2 and fits([*out[i], first], i):
        out[i].append(first)
        out[i + 1] = rest


def well_broken(lines: Sequence[str], text: str) -> bool:
    """The lines end only between tokens() of the text and none is a single character."""
    ends, at = set(), 0
    for token in tokens(text):
        at += len(token.replace(" ", ""))
        ends.add(at)
    at = 0
    for line in lines:
        at += len(line.replace(" ", ""))
        if at not in ends or weight(line) < 2:
            return False
    return True


def runs(text: str, keep: Sequence[str] = ()) -> list[str]:
    """Text → the runs an HTML line may break between ("".join(runs(text)) == text): tokens()
    with every phrase of `keep` whole ("“兴安技术能手”") and no run of a single character: a run
    of single characters becomes one ("北", "药" → "北药"); a lone one joins the word after it
    when it starts the text or follows a space or a kept phrase, else the word before it (across
    a space at the end: "某单位 长"). A space is a run of its own."""
    pieces: list[str] = []
    for piece in tokens(text):
        single = len(piece) == 1 and piece.isalnum()
        if single and pieces and len(pieces[-1]) == 1 and pieces[-1].isalnum():
            pieces[-1] += piece
        else:
            pieces.append(piece)
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    cuts = set(starts[1:-1])
    whole: set[int] = set()  # where a kept phrase ends
    for phrase in keep:
        for found in re.finditer(re.escape(phrase), text):
            cuts -= set(range(found.start() + 1, found.end()))
            whole.add(found.end())
    for i, piece in enumerate(pieces):
        if piece.isspace() or weight(piece) >= 2:
            continue
        start, end = starts[i], starts[i + 1]
        last = i == len(pieces) - 1
        after_space = i > 0 and pieces[i - 1].isspace()
        if not last and (start == 0 or after_space or start in whole):
            cuts.discard(end)
        else:
            cuts.discard(start)
            if after_space:
                cuts.discard(starts[i - 1])
    bounds = [0, *sorted(cuts), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b]]


def char_width(text: str) -> float:
    """Width of text in full-width characters (CJK = 1, ASCII = 0.5), for layout decisions."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)
