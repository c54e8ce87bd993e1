"""New media: one mobile article per awardee and an index, inline styles only (for WeChat).

The WeChat editor drops <style> elements and class attributes, so every style is written into
a style attribute by the templates (styles from pipeline.render.wechat, shared with the 选拔公告's article;
tests check that no <style>, class or script is left).
Images are referenced relatively (images/…) and shipped beside the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.media.entries import MediaEntry
from pipeline.media.text import is_heading
from pipeline.render.templating import render
from pipeline.render.wechat import FONT_STACK, STYLE


@dataclass(frozen=True)
class ArticleText:
    """The words shared by every article of the series."""

    series: str
    """'兴安技术能手风采'."""
    honour: str
    """'2027年度兴安技术能手' or '…拟表彰人选'."""
    status: str
    """'拟表彰' or ''."""
    source: str
    """'来源：…'."""
    dateline: str
    """'大兴安岭日报 · 大兴安岭广播电视台 · 2027年5月8日'."""
    intro: str
    """The series introduction (index page)."""


def article_html(entry: MediaEntry, title: str, subtitle: str, text: ArticleText, prev_next: tuple[str, str]) -> str:
    """One awardee's article page (inline styles, relative images)."""
    paragraphs = list(entry.deeds) or [entry.profile]
    return render("media/article.html.j2", e=entry, title=title, subtitle=subtitle, t=text,
                  paragraphs=paragraphs, s=STYLE, prev=prev_next[0], next=prev_next[1],
                  is_heading=is_heading)


def index_html(entries: tuple[MediaEntry, ...], titles: dict[int, str], text: ArticleText) -> str:
    """The index page listing every article."""
    return render("media/index.html.j2", entries=entries, titles=titles, t=text, font=FONT_STACK)
