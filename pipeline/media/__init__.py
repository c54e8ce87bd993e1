"""The media kit (SPEC §7): proposed awardees → ready-to-publish material for each outlet.

    output/<edition>/media/
      newspaper/   特刊 (colour and black-only PDF/X, proof PNGs), 专栏 features (PDF/X), photos, README.txt
      tv/          lower-third captions (1920 × 1080 PNG with alpha), 口播稿, README.txt
      newmedia/    index.html, one article per awardee, images/ (photos, share covers), README.txt
      <报社>-特刊与专栏.zip, <电视台>-字幕与口播稿.zip, 新媒体-图文稿.zip

Only the awardees of `make results` appear, and every product says 拟表彰 until edition.toml
marks the list final. Text from nominees passes pipeline.rules.privacy (no ID numbers, phones or
addresses) before it is laid out, and every file of the kit, the ZIPs' members included, is read
back before it is published (pipeline.rules.privacy.guard). The kit is built in a staging folder and
swapped in whole, so a stale file of an earlier list never survives; an unchanged input skips the work.

Print files go through pipeline.media.prepress: CMYK photos within the ink limit, every text
in 100 % black on the K plate, an output intent (the printer's profile or the shipped default),
and a press check that fails the build rather than ship a file a plant would reject.

May import the other feature packages, pipeline.ocr, pipeline.rules, pipeline.render and pipeline.core; never pipeline.stages.
"""
