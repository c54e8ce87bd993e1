"""Render: making files, with no knowledge of the notice's rules.

    fonts       the edition's font roles → FontSet (files, CSS, missing glyphs)
    weasy       WeasyPrint wrappers (its log captured as RenderError, data URIs)
    templating  the Jinja environment of templates/ and its filters
    office      XLSX writing helpers (openpyxl): rows, headings, print setup
    qr          QR codes (segno) and reading them back from a rendered page
    raster      PDF pages → Pillow images (pypdfium2)
    wordbreak   CJK line breaks and text width (`char_width`)
    wechat      inline styles of the pages meant for the WeChat editor
    fontpack    CJK fonts cut down to the glyphs used (HarfBuzz; ≈ 0.5 MB less per packet)

May import pipeline.core only.
"""
