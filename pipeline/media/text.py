"""Text of the media kit: privacy scrubbing, sentences, headlines, the 口播稿.

Everything a nominee wrote (简要事迹, 先进事迹) passes `scrub()` (pipeline.rules.privacy.redact) before
it reaches a public file: ID numbers, phone numbers and addresses are replaced by "（略）" and the
editor is told. Every nominee's own ID number and phone are removed in any written form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from pipeline.core.model import Candidate
from pipeline.rules import privacy
from pipeline.rules.privacy import Known, Redacted


def scrub(text: str, candidate: Candidate | None = None, known: Known | None = None) -> Redacted:
    """Public text from a nominee's text → Redacted (pipeline.rules.privacy.redact: private details replaced by （略）).

    `known`: every nominee's registered numbers; the candidate's own are always looked for.
    """
    own = Known.of([candidate] if candidate is not None else [])
    return privacy.redact(text, own + known if known is not None else own)


_SENTENCE = re.compile(r"[^。！？!?…]*(?:[。！？!?]+|…+)[”’」』）)]*|[^。！？!?…]+$")


def sentences(text: str) -> list[str]:
    """A paragraph → its sentences, each with its closing punctuation (nothing lost or added)."""
    return [s for s in _SENTENCE.findall(text.strip()) if s.strip()]


EXCERPT_MIN_CHARS = 20
"""A paragraph cut short keeps at least this many characters: a short opening sentence never stands alone."""
_OPEN_QUOTES, _CLOSE_QUOTES = "“「『", "”」』"


@functools.lru_cache(maxsize=4096)
def excerpt_units(paragraph: str) -> tuple[str, ...]:
    """A paragraph → the runs of sentences an excerpt of it may stop after (joined, the paragraph):
    a quotation that is a sentence of its own stays with the sentence after it (“……。”这是他常说的一句话。),
    and the opening run is at least EXCERPT_MIN_CHARS long (a short topic sentence keeps its follow-up)."""
    units: list[str] = []
    pending = ""
    for s in sentences(paragraph):
        pending += s
        bare = s.strip()
        quote = bare[:1] in _OPEN_QUOTES and bare[-1:] in _CLOSE_QUOTES
        if quote or (not units and len(pending.strip()) < EXCERPT_MIN_CHARS):
            continue
        units.append(pending)
        pending = ""
    if pending:
        units.append(pending)
    return tuple(units)


def clip_sentences(text: str, limit: int) -> str:
    """The longest run of whole leading sentences not longer than `limit` ('' if none fits)."""
    out = ""
    for s in sentences(text):
        if len(out) + len(s) > limit:
            break
        out += s
    return out


_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|第[一二三四五六七八九十]+[部分章节])")


def is_heading(paragraph: str) -> bool:
    """True for a section heading of the deeds text ('一、立足岗位练硬功'): short, numbered, no full stop."""
    return len(paragraph) <= 40 and bool(_HEADING.match(paragraph)) and not paragraph.endswith("。")


def display_len(text: str) -> int:
    """Width of text in em: CJK and full-width characters count 1, others 0.55."""
    return round(sum(1 if ord(ch) > 0x2E7F else 0.55 for ch in text))


def unit_line(candidate: Candidate) -> str:
    """'工作单位及职务' as one line, inner whitespace collapsed."""
    return re.sub(r"\s+", " ", candidate.unit_and_post).strip()


def honour_line(year: int, honour: str, final: bool) -> str:
    """'2027年度“兴安技术能手”', or '2027年度“兴安技术能手”拟表彰人选' until the list is final."""
    return f"{year}年度“{honour}”" + ("" if final else "拟表彰人选")


_PARENTHESES = re.compile(r"\s*[（(][^（）()]*[）)]")


def short_occupation(occupation: str) -> str:
    """'桦树皮制作技艺（民间传统工艺）' → '桦树皮制作技艺': a headline names the trade without the parenthesis."""
    return _PARENTHESES.sub("", occupation).strip() or occupation


def headline(template: str, candidate: Candidate, year: int, honour: str) -> str:
    """The 专栏 headline from the edition's template ({姓名}, {职业}, {单位}, {年度}, {荣誉}).

    {职业} is the occupation without a parenthetical qualifier, as a headline would name it.
    """
    values = {"姓名": candidate.name, "职业": short_occupation(candidate.occupation), "单位": unit_line(candidate),
              "年度": f"{year}年度", "荣誉": honour}
    return template.format_map(values)


def broadcast_script(candidate: Candidate, summary: str, *, year: int, region: str, honour: str,
                     final: bool, target: int) -> str:
    """The 口播稿 (about `target` characters) of one awardee from the scrubbed 简要事迹."""
    name = candidate.name
    opening = f"{name}，{unit_line(candidate).replace(' ', '')}。"
    closing = (f"{name}被评为{region}{year}年度“{honour}”。" if final
               else f"{name}被确定为{region}{year}年度“{honour}”拟表彰人选。")
    budget = target - len(opening) - len(closing)
    parts = [p.strip() for p in sentences(" ".join(summary.split())) if p.strip()]
    pronoun = {"男": "他", "女": "她"}.get(candidate.gender or "", name)
    parts = [p.replace("该同志", pronoun, 1) if p.startswith("该同志") else p for p in parts]
    best, total = 0, 0
    for k, part in enumerate(parts, start=1):
        total += len(part)
        if total > budget + 40:
            break
        if k == 1 or abs(total - budget) <= abs(sum(len(x) for x in parts[:best]) - budget):
            best = k
    body = "".join(parts[:max(best, 1)]) if parts else ""
    if body and body[-1] not in "。！？!?”’」』）)…":
        body += "。"
    return opening + body + closing


KEEP_WHOLE = ("“兴安技术能手”", "兴安技术能手")
"""Phrases a line never breaks inside (the honour's name, with its quotation marks)."""


LONGEST_WORD = 12
"""Runs up to this long never break; longer ones are not words and may break anywhere."""
QUOTES = "“”‘’\"'"
"""Quotation marks: no line break opportunity beside them unless one is given (U+200B)."""


def word_spans(text: str) -> Markup:
    """Text → HTML that a browser breaks only between words: each run of pipeline.render.wordbreak.runs
    (KEEP_WHOLE phrases whole) in a no-wrap span."""
    from pipeline.render.wordbreak import runs

    out: list[Markup] = []
    previous = ""
    for run in runs(text, KEEP_WHOLE):
        if run.isspace():
            out.append(Markup(run))  # a space stays outside the spans: the line may break there
        else:
            if previous and not previous.isspace() and (previous[-1] in QUOTES or run[0] in QUOTES):
                out.append(Markup("\u200b"))  # line breaking never breaks beside a quotation mark by itself
            # a run longer than any word (a code, a URL) may still break, rather than overflow its box
            out.append(Markup('<span class="w">{}</span>').format(run) if len(run) <= LONGEST_WORD
                       else Markup.escape(run))
        previous = run
    return Markup("").join(out)


NAME_DOTS = "·・•‧"
"""Middle dots between the parts of a transliterated name (阿依古丽·买买提): a line may break after one."""


def name_pieces(name: str) -> list[tuple[str, str]]:
    """A name → (piece, joint) pairs a line may break between: the words of a Latin name (joint " ")
    and the parts of a transliterated name, each with its middle dot (阿依古丽· | 买买提, joint "");
    a Chinese name is one piece."""
    out: list[tuple[str, str]] = []
    for k, word in enumerate(name.split()):
        parts = re.findall(f"[^{NAME_DOTS}]+[{NAME_DOTS}]*|[{NAME_DOTS}]+", word)
        out += [(part, " " if k and not j else "") for j, part in enumerate(parts)]
    return out


def name_em(text: str) -> float:
    """Width of a name in em of a bold face, erring wide: CJK and middle dots 1, other characters 0.6."""
    return sum(1.0 if ord(ch) > 0x2E7F or ch in NAME_DOTS else 0.6 for ch in text)


@dataclass(frozen=True)
class NameFit:
    """A name set to a width: its size and lines."""

    size: float
    """Type size (the unit of the sizes given to fit_name)."""
    lines: tuple[str, ...]
    """The name's lines; joined they give the name back (spaces between words dropped at a break)."""
    broken: bool = False
    """A word of the name is wider than the width even at the smallest size and had to be broken."""


def fit_name(name: str, width: float, sizes: Sequence[float], floor: float,
             measure: Callable[[str, float], float], max_lines: int = 3) -> NameFit:
    """A name → its size and lines in `width` (a name is never cut): one line at the largest of `sizes`
    (largest first) down to `floor`; below that, the largest size at which the name wrapped between its
    words (name_pieces) takes at most max_lines lines; at the smallest size, broken where it must
    (`broken`: the caller may rather give the name more room)."""
    for size in sizes:
        if size >= floor and measure(name, size) <= width:
            return NameFit(size, (name,))
    pieces = name_pieces(name)
    for size in sizes:
        lines = _wrap_pieces(pieces, size, width, measure)
        if lines is not None and len(lines) <= max_lines:
            return NameFit(size, lines)
    size = sizes[-1]
    lines_: list[str] = []
    for piece, joint in pieces:
        line = lines_[-1] + joint + piece if lines_ else piece
        if lines_ and measure(line, size) <= width:
            lines_[-1] = line
            continue
        lines_.append("")
        for ch in piece:
            if lines_[-1] and measure(lines_[-1] + ch, size) > width:
                lines_.append("")
            lines_[-1] += ch
    return NameFit(size, tuple(lines_), broken=True)


def _wrap_pieces(pieces: list[tuple[str, str]], size: float, width: float,
                 measure: Callable[[str, float], float]) -> tuple[str, ...] | None:
    """Pieces → lines filled greedily, each no wider than width at size; None when one piece alone is wider."""
    lines: list[str] = []
    for piece, joint in pieces:
        if measure(piece, size) > width:
            return None
        if lines and measure(lines[-1] + joint + piece, size) <= width:
            lines[-1] += joint + piece
        else:
            lines.append(piece)
    return tuple(lines)


def name_spans(name: str, lines: Sequence[str]) -> Markup:
    """A fitted name → HTML: each line unbroken, a break opportunity between lines (the space of a
    Latin name, else a zero-width space), so the browser breaks there and nowhere else."""
    out: list[Markup] = []
    at = 0
    for i, line in enumerate(lines):
        if i:
            joint = " " if name[at:at + 1] == " " else "\u200b"
            at += 1 if joint == " " else 0
            out.append(Markup(joint))
        out.append(Markup('<span class="w">{}</span>').format(line))
        at += len(line)
    return Markup("").join(out)
