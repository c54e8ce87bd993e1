"""Inline styles of the pages meant for the WeChat editor (the media kit's articles, the 选拔公告's article).

The WeChat editor drops <style> elements, class attributes and scripts, and the article is read in
WeChat's browser on the reader's phone: every style is written into a style attribute, the fonts are
the phone's own, and nothing is loaded from elsewhere. The templates take these strings as `s`.
"""

from __future__ import annotations

FONT_STACK = ("-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', "
              "'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif")
"""Phone fonts first: the article is read in WeChat's browser on the reader's phone."""

STYLE: dict[str, str] = {
    "body": "margin:0;padding:0;background-color:#f4efe7;",
    "page": ("box-sizing:border-box;max-width:677px;margin:0 auto;padding:20px 16px 36px;background-color:#ffffff;"
             f"font-family:{FONT_STACK};color:#222222;font-size:17px;line-height:1.8;letter-spacing:0.02em;"
             "overflow-wrap:anywhere;word-break:break-word;"),
    "tag_line": "margin:0 0 10px;",
    "tag": ("display:inline-block;padding:2px 10px;background-color:#b3171e;color:#ffffff;font-size:14px;"
            "line-height:1.6;font-weight:bold;"),
    "h1": "margin:0 0 8px;font-size:24px;line-height:1.4;color:#1b1b1b;font-weight:bold;",
    "subtitle": "margin:0 0 4px;font-size:16px;line-height:1.6;color:#5b4a3a;",
    "dateline": "margin:0 0 16px;font-size:14px;line-height:1.6;color:#888888;",
    "h2": ("margin:22px 0 10px;padding-left:10px;border-left:4px solid #b3171e;font-size:18px;line-height:1.5;"
           "font-weight:bold;color:#b3171e;"),
    "h3": "margin:14px 0 8px;font-size:17px;line-height:1.6;font-weight:bold;color:#5b4a3a;",
    "p": "margin:0 0 14px;text-indent:2em;text-align:justify;",
    "box": ("margin:0 0 20px;padding:12px 14px;background-color:#f7f3ee;border-left:4px solid #d8a23a;"
            "font-size:16px;line-height:1.75;color:#3a3a3a;"),
    "sign": "margin:0;text-align:right;",
    "source": ("margin:24px 0 0;padding-top:10px;border-top:1px solid #e3c9a0;font-size:14px;line-height:1.6;"
               "color:#888888;"),
    "link": "color:#b3171e;text-decoration:none;",
}
"""The style attribute of each kind of element (page = the white column, h2 = a section heading …)."""
