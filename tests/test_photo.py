"""The 2-inch photo check (pipeline.rules.photo): codes, the normalised copy, the contact sheet.

Photos are made in code (tests/photo_fixtures.py) from the two portraits that installed
packages ship, composed onto backgrounds; nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from pathlib import Path

import cv2
import numpy as np
import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import Image

from pipeline.core.edition import PROJECT_ROOT, PhotoSettings
from pipeline.core.model import Severity
from pipeline.rules.photo import (
    FACE_BAD_COLOUR,
    FACE_OK_COLOUR,
    MAX_PIXELS,
    PhotoResult,
    check_photo,
    contact_thumbnail,
)
from tests.photo_fixtures import (
    CRIMSON,
    DEEP_RED,
    ID_BLUE,
    PURE_RED,
    STUDIO_RED,
    WHITE,
    Sitter,
    in_swapped_profile,
    make_id_photo,
    png_bomb,
    save_exif_rotated,
    save_jpeg,
    truncated,
)

SETTINGS = PhotoSettings(width_mm=35, height_mm=49, dpi=300)


def check(path: Path | None, settings: PhotoSettings = SETTINGS) -> PhotoResult:
    name = path.name if path is not None else "照片.jpg"
    return check_photo(path, settings, code="007", name="王小明", rel=f"candidates/007/{name}")


def codes(result: PhotoResult) -> set[str]:
    return {f.code for f in result.findings}


def faces_in(jpeg: bytes) -> list[tuple[int, int, int, int]]:
    """Frontal faces OpenCV finds in a JPEG (independent of pipeline.rules.photo's own detector)."""
    rgb = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    cascade = cv2.CascadeClassifier(
        cv2.data.haarcascades + "haarcascade_frontalface_default.xml")  # type: ignore[attr-defined]
    side = rgb.shape[1] // 5
    found = cascade.detectMultiScale(gray, 1.1, 5, minSize=(side, side))
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h in found]


def assert_normalised(result: PhotoResult, settings: PhotoSettings = SETTINGS) -> None:
    """The normalised copy: JPEG, configured pixels and dpi, sRGB, one face well inside it."""
    assert result.normalised is not None
    with Image.open(io.BytesIO(result.normalised)) as im:
        assert im.format == "JPEG"
        assert im.mode == "RGB"
        assert im.size == settings.pixels
        assert tuple(round(v) for v in im.info["dpi"]) == (settings.dpi, settings.dpi)
        assert "exif" not in im.info
    found = faces_in(result.normalised)
    assert len(found) == 1
    x, y, w, h = found[0]
    width, height = settings.pixels
    assert x > 0 and y > 0 and x + w < width and y + h < height
    assert abs((x + w / 2) / width - 0.5) < 0.12


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path: Path = save_jpeg(make_id_photo(), tmp_path / "照片.jpg")
    return path


# -- good photos ---------------------------------------------------------------------------


@pytest.mark.parametrize(("bg", "sitter", "gradient"), [
    (STUDIO_RED, Sitter("astronaut"), 0.0),
    (PURE_RED, Sitter("hopper"), 0.0),
    (DEEP_RED, Sitter("astronaut", 0.42), 0.0),
    (CRIMSON, Sitter("hopper", 0.47), 0.0),
    ((200, 16, 46), Sitter("astronaut"), 0.25),  # studio vignetting
    ((230, 20, 30), Sitter("hopper", 0.40, (0.5, 0.40)), 0.0),
], ids=["studio", "pure", "deep", "crimson", "vignetted", "scarlet"])
def test_red_backgrounds_pass(tmp_path: Path, bg: tuple[int, int, int], sitter: Sitter,
                              gradient: float) -> None:
    path = save_jpeg(make_id_photo(bg=bg, face=sitter, gradient=gradient), tmp_path / "照片.jpg")
    result = check(path)
    assert result.findings == ()
    assert result.ok and result.verdict == "合格"
    assert result.size == (472, 661)
    assert result.face_box is not None
    assert len(result.sample_boxes) >= 2 and all(result.sample_ok)
    assert result.background_rgb is not None
    assert_normalised(result)


@pytest.mark.parametrize("sitter", [
    Sitter("hopper", 0.32, (0.5, 0.40)),       # a small head, as some studios make it
    Sitter("astronaut", 0.62, (0.5, 0.45)),    # a big head
    Sitter("astronaut", 0.45, (0.58, 0.42)),   # 8 % off centre
], ids=["small-head", "big-head", "off-by-8%"])
def test_range_of_real_studio_photos_passes(tmp_path: Path, sitter: Sitter) -> None:
    result = check(save_jpeg(make_id_photo(face=sitter), tmp_path / "照片.jpg"))
    assert result.findings == ()
    assert_normalised(result)


def test_png_and_exact_minimum_size_pass(tmp_path: Path) -> None:
    path = tmp_path / "照片.png"
    make_id_photo(size=(413, 579)).save(path)
    result = check(path)
    assert result.findings == ()
    assert_normalised(result)


# -- background ----------------------------------------------------------------------------


@pytest.mark.parametrize(("bg", "colour"), [(ID_BLUE, "蓝色"), (WHITE, "白色")])
def test_wrong_background_colour_fails(tmp_path: Path, bg: tuple[int, int, int], colour: str) -> None:
    result = check(save_jpeg(make_id_photo(bg=bg), tmp_path / "照片.jpg"))
    assert codes(result) == {"PHOTO_BACKGROUND"}
    (finding,) = result.findings
    assert colour in finding.message and "RGB" in finding.message
    assert "请重新拍摄正面免冠红底2寸" in finding.hint
    assert result.verdict == "背景不是红色"
    assert result.normalised is None


@pytest.mark.parametrize("photo", [
    {"bg2": WHITE},                    # backdrop too narrow: a white wall on the right
    {"bg2": ID_BLUE},                  # two colours
    {"bg2": (150, 20, 20)},            # two shades of red
    {"bg2": WHITE, "split": "top"},    # white wall above the backdrop
    {"shadow": 0.45},                  # the flash casts the sitter's shadow
], ids=["white-wall", "red-blue", "two-reds", "white-top", "shadow"])
def test_two_tone_or_shadowed_background_fails(tmp_path: Path, photo: dict[str, object]) -> None:
    result = check(save_jpeg(make_id_photo(**photo), tmp_path / "照片.jpg"))  # type: ignore[arg-type]
    assert codes(result) == {"PHOTO_BACKGROUND"}
    assert result.verdict == "背景不均匀"
    assert "ΔE" in result.findings[0].message or "阴影" in result.findings[0].message
    assert not all(result.sample_ok) or result.shadow_boxes
    assert result.normalised is None


def test_shadow_is_located(tmp_path: Path) -> None:
    result = check(save_jpeg(make_id_photo(shadow=0.45), tmp_path / "照片.jpg"))
    assert result.shadow_boxes
    assert result.face_box is not None
    face_right = result.face_box[0] + result.face_box[2]
    assert all(x + w / 2 > face_right for x, _, w, _ in result.shadow_boxes)  # cast to the right
    assert "右侧" in result.findings[0].message and "阴影" in result.findings[0].message


def test_greyscale_photo_fails(tmp_path: Path) -> None:
    path = save_jpeg(make_id_photo().convert("L"), tmp_path / "照片.jpg")
    result = check(path)
    assert codes(result) == {"PHOTO_BACKGROUND"}
    assert "黑白" in result.findings[0].message


# -- face ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("face", "verdict", "words"), [
    (None, "未检测到人脸", "未检测到正面人脸"),
    ([Sitter("astronaut", 0.30, (0.28, 0.40)), Sitter("hopper", 0.30, (0.72, 0.40))], "2张人脸", "2 张人脸"),
    (Sitter("astronaut", 0.15, (0.5, 0.30)), "人脸过小", "人脸过小"),
    (Sitter("astronaut", 0.40, (0.72, 0.42)), "人脸不居中", "偏右"),
], ids=["no-face", "two-faces", "tiny-face", "off-centre"])
def test_face_problems_fail(tmp_path: Path, face: object, verdict: str, words: str) -> None:
    result = check(save_jpeg(make_id_photo(face=face), tmp_path / "照片.jpg"))  # type: ignore[arg-type]
    assert codes(result) == {"PHOTO_FACE"}
    assert verdict in result.verdict
    assert words in result.findings[0].message
    assert "请重新拍摄" in result.findings[0].hint
    assert result.normalised is None
    assert not result.face_ok


def test_off_centre_message_names_the_figures(tmp_path: Path) -> None:
    result = check(save_jpeg(make_id_photo(face=Sitter("astronaut", 0.40, (0.72, 0.42))),
                             tmp_path / "照片.jpg"))
    (finding,) = result.findings
    assert "±12%" in finding.message
    assert 0.18 < finding.data["face_offset_x"] < 0.28


# -- size ----------------------------------------------------------------------------------


def test_square_photo_fails_but_is_cropped(tmp_path: Path) -> None:
    result = check(save_jpeg(make_id_photo(size=(600, 600)), tmp_path / "照片.jpg"))
    assert codes(result) == {"PHOTO_SIZE"}
    (finding,) = result.findings
    assert "600×600" in finding.message and "1.000" in finding.message and "0.714" in finding.message
    assert result.verdict.startswith("比例不符")
    assert result.crop_box is not None and result.crop_box[3] == 600
    assert_normalised(result)  # the face allows a 2-inch crop with enough pixels


def test_too_small_photo_fails(tmp_path: Path) -> None:
    result = check(save_jpeg(make_id_photo(size=(300, 420)), tmp_path / "照片.jpg"))
    assert codes(result) == {"PHOTO_SIZE"}
    (finding,) = result.findings
    assert "300×420" in finding.message and "413×579" in finding.message and "218 dpi" in finding.message
    assert result.verdict == "像素不足"
    assert result.normalised is None  # upscaling would only pretend to be 300 dpi


def test_small_and_wrong_proportions_gives_both(tmp_path: Path) -> None:
    result = check(save_jpeg(make_id_photo(size=(400, 400)), tmp_path / "照片.jpg"))
    assert [f.code for f in result.findings] == ["PHOTO_SIZE", "PHOTO_SIZE"]
    assert result.verdict == "比例不符；像素不足"
    assert result.normalised is None


def test_configured_size_is_used(tmp_path: Path) -> None:
    settings = PhotoSettings(width_mm=33, height_mm=48, dpi=300)
    assert settings.pixels == (390, 567)
    path = save_jpeg(make_id_photo(size=(440, 640)), tmp_path / "照片.jpg")
    result = check(path, settings)
    assert result.findings == ()
    assert_normalised(result, settings)
    # the same photo is 35:49-wrong for a 35 × 53 mm setting
    assert codes(check(path, PhotoSettings(35, 53, 300))) == {"PHOTO_SIZE"}


# -- encodings that are correct ----------------------------------------------------------------


@pytest.mark.parametrize("orientation", [6, 8, 3])
def test_exif_rotated_photo_passes(tmp_path: Path, orientation: int) -> None:
    path = save_exif_rotated(make_id_photo(), tmp_path / "照片.jpg", orientation)
    with Image.open(path) as raw:
        assert raw.size == ((661, 472) if orientation in (6, 8) else (472, 661))
    result = check(path)
    assert result.findings == ()
    assert result.size == (472, 661)
    assert result.measurements["exif_orientation"] == orientation
    assert_normalised(result)


def test_sideways_photo_without_exif_says_how_to_turn_it(tmp_path: Path) -> None:
    path = save_jpeg(make_id_photo().transpose(Image.Transpose.ROTATE_90), tmp_path / "照片.jpg")
    result = check(path)
    assert "PHOTO_FACE" in codes(result)
    face = next(f for f in result.findings if f.code == "PHOTO_FACE")
    assert "顺时针旋转90°" in face.message and "顺时针旋转90°" in face.hint
    assert "照片方向不对" in result.verdict


def test_cmyk_jpeg_passes(tmp_path: Path) -> None:
    path = save_jpeg(make_id_photo().convert("CMYK"), tmp_path / "照片.jpg")
    with Image.open(path) as raw:
        assert raw.mode == "CMYK"
    result = check(path)
    assert result.findings == ()
    assert_normalised(result)


def test_png_with_alpha_channel_passes(tmp_path: Path) -> None:
    path = tmp_path / "照片.png"
    make_id_photo().convert("RGBA").save(path)
    result = check(path)
    assert result.findings == ()
    assert_normalised(result)


def test_png_with_transparent_background_fails(tmp_path: Path) -> None:
    path = tmp_path / "照片.png"
    make_id_photo(transparent_background=True).save(path)
    result = check(path)
    assert codes(result) == {"PHOTO_BACKGROUND"}
    assert "透明" in result.findings[0].message
    assert result.verdict == "背景透明"


def test_embedded_icc_profile_is_honoured(tmp_path: Path) -> None:
    encoded = in_swapped_profile(make_id_photo())
    with_profile = tmp_path / "照片.jpg"
    encoded.save(with_profile, "JPEG", quality=92, icc_profile=encoded.info["icc_profile"])
    without_profile = save_jpeg(encoded, tmp_path / "无配置文件.jpg")
    # the stored pixels are blue where the picture is red…
    assert np.asarray(encoded)[10, 10, 2] > np.asarray(encoded)[10, 10, 0]
    # …so only a check that applies the profile sees a red background
    result = check(with_profile)
    assert result.findings == ()
    assert result.measurements["icc_applied"] is True
    assert_normalised(result)
    assert codes(check(without_profile)) == {"PHOTO_BACKGROUND"}


# -- files that are not photos ------------------------------------------------------------------


def test_missing_photo(tmp_path: Path) -> None:
    for result in (check(None), check(tmp_path / "照片.jpg")):
        assert codes(result) == {"PHOTO_MISSING"}
        assert result.verdict == "缺少照片"
        assert result.normalised is None and result.size is None
        assert "413×579" in result.findings[0].hint


def _unreadable_files(tmp_path: Path, good_photo: Image.Image) -> dict[str, tuple[Path, str]]:
    jpeg = save_jpeg(good_photo, tmp_path / "jpeg.jpg")
    png = tmp_path / "png.png"
    good_photo.save(png)
    cut_png = tmp_path / "t.png"
    good_photo.save(cut_png)
    files = {
        "truncated-jpeg": (truncated(save_jpeg(good_photo, tmp_path / "t.jpg")), "损坏或不完整"),
        "truncated-png": (truncated(cut_png), "损坏或不完整"),
        "empty": (tmp_path / "empty.jpg", "空的"),
        "text": (tmp_path / "text.jpg", "文本"),
        "png-named-jpg": (tmp_path / "png.jpg", "PNG 图像"),
        "jpeg-named-png": (tmp_path / "jpeg.png", "JPEG 图像"),
        "pdf": (tmp_path / "pdf.jpg", "PDF"),
        "heic": (tmp_path / "heic.jpg", "HEIC"),
        "garbage-after-header": (tmp_path / "garbage.jpg", "损坏或不完整"),
        "bomb": (png_bomb(tmp_path / "bomb.png"), "百万像素"),
    }
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("这不是照片", encoding="utf-8")
    (tmp_path / "png.jpg").write_bytes(png.read_bytes())
    (tmp_path / "jpeg.png").write_bytes(jpeg.read_bytes())
    (tmp_path / "pdf.jpg").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (tmp_path / "heic.jpg").write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 100)
    (tmp_path / "garbage.jpg").write_bytes(jpeg.read_bytes()[:200] + bytes(range(256)) * 20)
    return files


def test_unreadable_files(tmp_path: Path) -> None:
    for case, (path, words) in _unreadable_files(tmp_path, make_id_photo()).items():
        result = check(path)
        assert codes(result) == {"PHOTO_UNREADABLE"}, case
        (finding,) = result.findings
        assert words in finding.message, (case, finding.message)
        assert finding.hint, case
        assert result.verdict == "无法读取" and result.normalised is None and result.size is None


@pytest.mark.parametrize("size", [(8_000, 7_000), (10_000, 10_000), (30_000, 30_000)],
                         ids=["56MP", "100MP", "900MP"])
def test_bomb_is_refused_before_decoding(tmp_path: Path, size: tuple[int, int]) -> None:
    path = png_bomb(tmp_path / "照片.png", *size)
    assert path.stat().st_size < 100_000
    result = check(path)
    assert codes(result) == {"PHOTO_UNREADABLE"}
    assert result.findings[0].data["width"] == size[0]
    assert f"{size[0]}×{size[1]}" in result.findings[0].message
    assert f"{MAX_PIXELS // 1_000_000} 百万像素" in result.findings[0].message


# -- properties of every result -----------------------------------------------------------------


def test_findings_name_nominee_file_and_severity(tmp_path: Path) -> None:
    result = check(save_jpeg(make_id_photo(bg=ID_BLUE, size=(300, 300)), tmp_path / "照片.jpg"))
    assert codes(result) == {"PHOTO_SIZE", "PHOTO_BACKGROUND"}
    for finding in result.findings:
        assert finding.severity is Severity.error
        assert (finding.candidate_code, finding.candidate_name) == ("007", "王小明")
        assert finding.file == "candidates/007/照片.jpg"
        assert finding.message and finding.hint


def test_results_pickle_and_serialise_to_json(tmp_path: Path, good: Path) -> None:
    """The check stage runs photos in worker processes and writes findings to report.json."""
    shadowed = save_jpeg(make_id_photo(shadow=0.45), tmp_path / "阴影.jpg")
    for result in (check(good), check(shadowed), check(png_bomb(tmp_path / "b.png")), check(None)):
        assert pickle.loads(pickle.dumps(result)) == result
        json.dumps([f.to_json() for f in result.findings], ensure_ascii=False)
        json.dumps(result.measurements)


def test_original_untouched_and_output_deterministic(good: Path) -> None:
    before = hashlib.sha256(good.read_bytes()).hexdigest()
    first = check(good)
    second = check(good)
    assert hashlib.sha256(good.read_bytes()).hexdigest() == before
    assert first.normalised is not None and first.normalised == second.normalised
    assert b"Exif" not in first.normalised[:200]
    assert contact_thumbnail(good, first) == contact_thumbnail(good, second)


# -- contact sheet ------------------------------------------------------------------------------


def _box_pixel(png: bytes, result: PhotoResult, size: tuple[int, int]) -> tuple[int, int, int]:
    """Colour of the thumbnail on the left edge of the face box, halfway down."""
    assert result.face_box is not None
    with Image.open(io.BytesIO(png)) as thumb:
        scale = thumb.height / size[1]
        x, y, w, h = result.face_box
        px = thumb.convert("RGB").getpixel((round(x * scale) + 1, round((y + h / 2) * scale)))
        assert isinstance(px, tuple)
        return (int(px[0]), int(px[1]), int(px[2]))


def test_thumbnail_draws_green_face_box_for_good_photo(good: Path) -> None:
    result = check(good)
    png = contact_thumbnail(good, result)
    with Image.open(io.BytesIO(png)) as thumb:
        assert thumb.format == "PNG" and thumb.height == 220
        assert thumb.width == round(220 * 472 / 661)
    assert _box_pixel(png, result, (472, 661)) == FACE_OK_COLOUR


def test_thumbnail_draws_red_face_box_for_bad_face(tmp_path: Path) -> None:
    path = save_jpeg(make_id_photo(face=Sitter("astronaut", 0.40, (0.72, 0.42))), tmp_path / "照片.jpg")
    result = check(path)
    assert _box_pixel(contact_thumbnail(path, result, 300), result, (472, 661)) == FACE_BAD_COLOUR


def test_thumbnail_of_unreadable_or_missing_photo_is_a_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "照片.jpg"
    path.write_text("not a photo", encoding="utf-8")
    for p in (path, tmp_path / "none.jpg"):
        png = contact_thumbnail(p, check(p))
        with Image.open(io.BytesIO(png)) as thumb:
            assert thumb.height == 220 and thumb.width == round(220 * 35 / 49)
            assert thumb.convert("RGB").getpixel((thumb.width // 2, 20)) == (225, 225, 225)


def test_contact_sheet_template_escapes_and_lists_every_photo() -> None:
    env = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    photos = [
        {"code": "001", "name": "李<script>alert(1)</script>", "thumb": "photos/001.png",
         "verdict": "合格", "ok": True, "normalised": "photos/001.jpg"},
        {"code": "002", "name": "张&{{ x }}", "thumb": "photos/002.png",
         "verdict": "背景不是红色", "ok": False, "normalised": None},
        {"code": "003", "name": "赵六", "thumb": None, "verdict": "缺少照片", "ok": False,
         "normalised": None},
    ]
    html = env.get_template("check/contact_sheet.html.j2").render(photos=photos)
    assert html.count('<figure class="cs-item') == 3
    assert "<script>alert" not in html and "李&lt;script&gt;" in html
    assert "张&amp;{{ x }}" in html
    assert 'href="photos/001.jpg"' in html and html.count("规范副本</a>") == 1
    assert "共 3 张照片，合格 1 张，不合格 2 张" in html
    assert ".contact-sheet" in html and "@media print" in html
    assert "无照片" in html
    empty = env.get_template("check/contact_sheet.html.j2").render(photos=[])
    assert "没有照片" in empty
