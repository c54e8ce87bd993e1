"""Thresholds: every number the photo check judges by, with the reason for its value."""

from __future__ import annotations

MAX_FILE_BYTES = 60 * 1024 * 1024
"""Refuse files above 60 MB unread: a 2-inch photo is well under 10 MB even straight from a
50-megapixel phone camera; anything bigger is the wrong file or a hostile one."""

MAX_PIXELS = 50_000_000
"""Refuse images declaring more than 50 megapixels, from the header, before decoding: the
biggest phone cameras make 50 MP; decoding more costs gigabytes of memory (decompression bomb)."""

ASPECT_TOLERANCE = 0.04
"""Width:height may differ from width_mm:height_mm by 4 % (relative). Studios crop by eye and
round to whole pixels (390 × 567 is 3.7 % off 35:49); 小二寸 35 × 45 (+9 %) and 大二寸 35 × 53
(−7.5 %) are other formats and are refused."""

PIXEL_TOLERANCE = 0.02
"""Width and height may be 2 % short of the pixels for the configured dpi (405 × 567 instead of
413 × 579 prints at 294 dpi, which no one can tell from 300 on a 2-inch print); studio files
are often a few pixels short after cropping."""

FACE_CASCADE = "haarcascade_frontalface_default.xml"
"""The frontal-face detector (shipped in cv2.data, nothing downloaded); the demo-photo generator
measures its photos with the same one, so its boxes are the ones the thresholds speak of."""

CONFIRM_CASCADE = "haarcascade_frontalface_alt.xml"
"""A second frontal cascade that must also find each face: on their own, either one sees small
'faces' in badges, collars and hair in about one ID photo in five; both at the same place
almost never (none in 80 test photos), while both find every real face."""

PROFILE_CASCADE = "haarcascade_profileface.xml"
"""Run only when no frontal face is found, to tell the nominee the face is turned sideways."""

CONFIRM_MIN_SIZE = 0.6
"""The confirming cascade looks only for faces at least 0.6 × the smallest box found: the same
face measures within ±15 % in both, and skipping the small sizes halves the detection time."""

CONFIRM_MIN_IOU = 0.4
"""The confirming box must overlap the face box by at least 40 % (intersection over union);
the two cascades' boxes of the same face overlap by 70–95 %."""

NESTED_OVERLAP = 0.5
"""Two detections of which the smaller lies at least half inside the other are one face (the
detector sometimes also reports the head with its hat or hair); two people side by side
overlap far less."""

DETECT_MAX_SIDE = 480
"""Face detection runs on a copy whose longer side is at most 480 px: the face of a 2-inch
photo is still 100 px and more there (a too-small face 40 px), and detection of a 12-MP phone
photo takes tens of milliseconds."""

HAAR_SCALE_FACTOR = 1.1
"""Step between detector scales: OpenCV's default, also what the demo-photo generator measures
with; face widths come out within about 5 %, which the FACE_* ranges allow for."""

HAAR_MIN_NEIGHBORS = 5
"""OpenCV's recommended value: fewer gives false faces in clothing and badges."""

FACE_MIN_DETECT = 0.15
"""The detectors first look for faces at least 15 % of W wide (well below the smallest
acceptable face, and small enough to count a second person of half the nominee's size):
small window sizes cost most of the detection time…"""

FACE_MIN_DETECT_SMALL = 0.05
"""…and only when none is found, again down to 5 % of W with finer scale steps
(HAAR_SCALE_FACTOR_SMALL), so that a full-length or group photo is reported as 'face too
small' rather than 'no face'."""

HAAR_SCALE_FACTOR_SMALL = 1.05
"""Scale step of that second look: small faces are only a few detector windows wide, and the
coarse step misses some of them."""

SECOND_FACE_MIN_RATIO = 0.5
"""A second detection counts as another person when it is at least half the width of the
largest face; smaller ones are printed patterns or badges."""

FACE_WIDTH_RANGE = (0.25, 0.72)
"""Face-box width / W. Real studio ID photos measure 30–65 % with this detector (the demo
photos 35–55 %); the Haar box can read a few percent wide or narrow. Below 25 % it is a
half-length or group photo; above 72 % the head fills the frame and is cut off."""

FACE_CENTRE_X_TOLERANCE = 0.12
"""|face centre − W/2| ≤ 12 % of W. Studio photos are centred within about 10 %; more than
12 % looks visibly off-centre when printed at 35 mm and cannot be cropped back in an
exactly-proportioned photo."""

FACE_CENTRE_Y_RANGE = (0.28, 0.58)
"""Face-box centre at 28–58 % of H. ID photos put the eyes a little above the middle (the face
box centre at 35–48 %); outside this the head touches the top or floats low above lots of
chest."""

FACE_TARGET_Y = 0.42
"""Where the normalised copy puts the face-box centre (fraction of its height) when the original
is taller than the 2-inch proportions: the middle of what studios do."""

EDGE_MARGIN = 0.03
"""Sample regions keep 3 % off the edges: scans and studio exports often have a thin border or
edge artefacts that are not the backdrop."""

CORNER_BOX = (0.18, 0.12)
"""Top-corner sample regions reach 18 % of W in and 12 % of H down: in an ID photo the head is
round and centred, so these corners are backdrop even for big hair."""

STRIP_GAP = 0.30
"""Side strips end 0.30 face widths outside the face box (ears and hair are there)."""

STRIP_ROWS = (0.10, 0.95)
"""Side strips span these fractions of the face box height: beside the face, above the
shoulders (which start about one face height below the face-box top plus the neck)."""

STRIP_MIN_WIDTH = 0.03
"""A side strip narrower than 3 % of W is dropped (a big face leaves no room beside it)."""

RED_HUE_RANGE = (12.0, 52.0)
"""CIE L*C*h° hue angle of an acceptable red, in degrees. Pure (255,0,0) is 40°, the studio red
(215,69,50) 37.5°, crimson (220,20,60) 25°, (255,69,0) 45.5°; orange (255,128,0) is 60° and
magenta (200,0,100) 2°."""

RED_MIN_CHROMA = 50.0
"""Minimum chroma C*: the studio red has 71, pure red 105; at 50 a red has faded into coral or
brownish pink (240,128,128 has 47), and blue-background (67,142,219) photos have 46 anyway."""

RED_LIGHTNESS_RANGE = (30.0, 72.0)
"""Lightness L* of the red: (150,0,0) is 30 (below: maroon, an underexposed backdrop), pure red
53, tomato (255,99,71) 62; above 72 the red is washed out (overexposed, pink)."""

REGION_MAX_DELTA_E = 10.0
"""Largest CIE94 colour difference between the median colours of two sample regions: studio
lighting makes corners and sides differ by 2–7; a shadow or a second backdrop colour (two
shades of red included) makes 15 and more."""

PIXEL_OUTLIER_DELTA_E = 25.0
"""A sampled pixel further than this (CIE94) from the background colour is 'something else'
(hair, an object, a shadow edge, another colour); JPEG noise on a red backdrop stays under 10."""

REGION_MAX_OUTLIERS = 0.25
"""A sample region may hold up to 25 % 'something else' pixels (a lock of hair, a shoulder)
before it counts as not plain backdrop."""

SHADOW_SCAN_WIDTH = 120
"""The shadow scan works on a copy 120 px wide: JPEG noise averages out and a shadow worth
reporting (5 % of the width and more) is still several pixels wide."""

SHADOW_HUE_TOLERANCE = 12.0
"""A pixel within 12° of the backdrop's hue (and with at least SHADOW_MIN_CHROMA_RATIO of its
chroma) is backdrop seen in a different light. Brown hair (h° ≈ 60) and skin (≈ 50) stay outside
against a red of 37°; black, grey, white and blue have no or another hue. (Wine-red dyed hair
has the hue of a shadowed red: SHADOW_ZONE_* and SHADOW_FACE_MARGIN keep most hair out.)"""

SHADOW_MIN_CHROMA_RATIO = 0.3
"""…and keeps at least 30 % of the backdrop's chroma (a shadow darkens a red, it does not
turn it grey)."""

SHADOW_DELTA_L = 12.0
"""Backdrop-hued pixels at least 12 L* darker than the backdrop are shadow: studio vignetting
darkens corners by 3–8; a cast shadow by 15–30."""

SHADOW_MIN_THICKNESS = 5
"""Shadow blobs must survive a 5 × 5 erosion on the scan copy (≈ 4 % of the width): the thin
dark-red fringe where the backdrop blends into dark hair is not a shadow."""

SHADOW_ZONE_BOTTOM = 1.1
"""The scan covers the rows down to the face-box top + 1.1 face heights (about the chin): below,
the shoulders and clothing begin, and a maroon jacket is not a shadow."""

SHADOW_FACE_MARGIN = 0.10
"""The face box widened by 10 % of its width on each side, over the whole scan height (face,
neck), is left out of the scan: skin in shade is not backdrop."""

TRANSPARENT_ALPHA = 0.9
"""Mean alpha (0–1) below which the sampled background counts as transparent."""

GREYSCALE_MAX_CHROMA = 6.0
"""A photo whose most colourful 1 % of pixels have less chroma C* than this is black-and-white,
even when stored as RGB: JPEG noise gives ≤ 1 there, while skin and lips in any colour portrait
give 30 and more (a colour photo on a white backdrop in a dark suit still gives 50)."""

NORMALISED_JPEG_QUALITY = 92
"""Fixed JPEG quality of the normalised copy: visually lossless at 2 inches, ~100 KB."""

MIN_ANALYSABLE_SIDE = 64
"""A picture less than 64 px on a side (an icon, a thumbnail) is only reported as too small:
there is no face or backdrop to judge in it."""

THUMB_LINE = 2
"""Line width of boxes drawn on the contact-sheet thumbnail, in thumbnail pixels."""
