"""The 2-inch photo: a nominee's 照片.jpg/.png → findings, a normalised copy, a thumbnail.

Notice §四(三)2(5) asks for 申报人正面免冠2寸彩色照片电子版（背景为红色）. `check_photo` does
what a careful clerk does with such a file, in this order:

1. read it (PHOTO_MISSING, PHOTO_UNREADABLE): the file exists, is not empty, its content is
   the image type its extension says, it is not a decompression bomb (refused from the header,
   before decoding), and it decodes completely;
2. turn it upright by its EXIF orientation (a phone photo stored on its side is correct);
3. bring its colours to sRGB: embedded ICC profiles are honoured, CMYK and greyscale are
   converted, transparency is flattened onto white paper (and reported if the background is
   transparent, because that is how it prints);
4. PHOTO_SIZE: the 2-inch proportions of edition.toml [photo] and enough pixels for its dpi;
5. PHOTO_FACE: exactly one frontal face (OpenCV's Haar cascade, shipped in ``cv2.data``),
   centred, of ID-photo size and height;
6. PHOTO_BACKGROUND: the background, sampled where the person is not (top corners and the side
   strips beside the face), is red in CIE L*C*h° and uniform (no shadow, no second colour).

When the photo can be used, it also yields the normalised copy: upright, cropped around the face
to the configured proportions, resized to the configured print size, sRGB JPEG with the dpi
set, byte-identical for the same input. The original file is only ever read.

`contact_thumbnail` draws what the check saw (face box, sample regions) on a small PNG for the
contact sheet in report.html (templates/check/contact_sheet.html.j2).

One module per concern: `thresholds` (every number judged by, with its reason), `loading`,
`colour`, `face`, `framing` (size, face position, crop window), `background`, `normalise`,
`verdict` (`check_photo`) and `thumbnail`; `result` holds PhotoResult. The public names are
importable from this package.
"""

from pipeline.rules.photo.colour import colour_name
from pipeline.rules.photo.loading import strict_decoding
from pipeline.rules.photo.result import RETAKE, Box, PhotoResult
from pipeline.rules.photo.thresholds import (
    ASPECT_TOLERANCE,
    CONFIRM_CASCADE,
    CONFIRM_MIN_IOU,
    CONFIRM_MIN_SIZE,
    CORNER_BOX,
    DETECT_MAX_SIDE,
    EDGE_MARGIN,
    FACE_CASCADE,
    FACE_CENTRE_X_TOLERANCE,
    FACE_CENTRE_Y_RANGE,
    FACE_MIN_DETECT,
    FACE_MIN_DETECT_SMALL,
    FACE_TARGET_Y,
    FACE_WIDTH_RANGE,
    GREYSCALE_MAX_CHROMA,
    HAAR_MIN_NEIGHBORS,
    HAAR_SCALE_FACTOR,
    HAAR_SCALE_FACTOR_SMALL,
    MAX_FILE_BYTES,
    MAX_PIXELS,
    MIN_ANALYSABLE_SIDE,
    NESTED_OVERLAP,
    NORMALISED_JPEG_QUALITY,
    PIXEL_OUTLIER_DELTA_E,
    PIXEL_TOLERANCE,
    PROFILE_CASCADE,
    RED_HUE_RANGE,
    RED_LIGHTNESS_RANGE,
    RED_MIN_CHROMA,
    REGION_MAX_DELTA_E,
    REGION_MAX_OUTLIERS,
    SECOND_FACE_MIN_RATIO,
    SHADOW_DELTA_L,
    SHADOW_FACE_MARGIN,
    SHADOW_HUE_TOLERANCE,
    SHADOW_MIN_CHROMA_RATIO,
    SHADOW_MIN_THICKNESS,
    SHADOW_SCAN_WIDTH,
    SHADOW_ZONE_BOTTOM,
    STRIP_GAP,
    STRIP_MIN_WIDTH,
    STRIP_ROWS,
    THUMB_LINE,
    TRANSPARENT_ALPHA,
)
from pipeline.rules.photo.thumbnail import (
    CROP_COLOUR,
    FACE_BAD_COLOUR,
    FACE_OK_COLOUR,
    SAMPLE_BAD_COLOUR,
    SAMPLE_OK_COLOUR,
    contact_thumbnail,
    outline_box,
)
from pipeline.rules.photo.verdict import check_photo

__all__ = ["ASPECT_TOLERANCE", "Box", "CONFIRM_CASCADE", "CONFIRM_MIN_IOU", "CONFIRM_MIN_SIZE", "CORNER_BOX", "CROP_COLOUR", "DETECT_MAX_SIDE", "EDGE_MARGIN", "FACE_BAD_COLOUR", "FACE_CASCADE", "FACE_CENTRE_X_TOLERANCE", "FACE_CENTRE_Y_RANGE", "FACE_MIN_DETECT", "FACE_MIN_DETECT_SMALL", "FACE_OK_COLOUR", "FACE_TARGET_Y", "FACE_WIDTH_RANGE", "GREYSCALE_MAX_CHROMA", "HAAR_MIN_NEIGHBORS", "HAAR_SCALE_FACTOR", "HAAR_SCALE_FACTOR_SMALL", "MAX_FILE_BYTES", "MAX_PIXELS", "MIN_ANALYSABLE_SIDE", "NESTED_OVERLAP", "NORMALISED_JPEG_QUALITY", "PIXEL_OUTLIER_DELTA_E", "PIXEL_TOLERANCE", "PROFILE_CASCADE", "PhotoResult", "RED_HUE_RANGE", "RED_LIGHTNESS_RANGE", "RED_MIN_CHROMA", "REGION_MAX_DELTA_E", "REGION_MAX_OUTLIERS", "RETAKE", "SAMPLE_BAD_COLOUR", "SAMPLE_OK_COLOUR", "SECOND_FACE_MIN_RATIO", "SHADOW_DELTA_L", "SHADOW_FACE_MARGIN", "SHADOW_HUE_TOLERANCE", "SHADOW_MIN_CHROMA_RATIO", "SHADOW_MIN_THICKNESS", "SHADOW_SCAN_WIDTH", "SHADOW_ZONE_BOTTOM", "STRIP_GAP", "STRIP_MIN_WIDTH", "STRIP_ROWS", "THUMB_LINE", "TRANSPARENT_ALPHA", "check_photo", "colour_name", "contact_thumbnail", "outline_box", "strict_decoding"]
