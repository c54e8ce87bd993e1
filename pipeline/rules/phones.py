"""Chinese phone numbers: the one place that knows what a mobile and a landline look like.

Landlines are phonenumbers' (Google's libphonenumber metadata, region CN): an area code in use and
the length of its local numbers, written in any usual way (0457-2756328, (0457)2756328, 0457 275 6328,
+86 457 2756328). A mobile is known by its shape, 1[3-9] and 9 more digits, not by phonenumbers'
table of allocated ranges: with the pins exact, that table would call a range allocated after the
pinned release wrong (as 192 and 196 once were), and the privacy scan must find every mobile-shaped
number, allocated or not.

Used by the PHONE_FORMAT check (pipeline.rules.checks) and the privacy redactor (pipeline.rules.privacy).
"""

from __future__ import annotations

import re

import phonenumbers

REGION = "CN"
MOBILE = re.compile(r"1[3-9]\d{9}")
"""A mobile number's digits."""
LOCAL = re.compile(r"[2-9]\d{6,7}")
"""A landline's local number (without its area code): no local number starts with 0 or 1."""
_EXTENSION = re.compile(r"(?<=\d)-\d{1,5}$")
"""An extension written after a dash (0451-86661234-801), which phonenumbers would read as digits."""
_LANDLINE_TYPES = frozenset({phonenumbers.PhoneNumberType.FIXED_LINE,
                             phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _is_landline(number: phonenumbers.PhoneNumber) -> bool:
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return False
    if phonenumbers.number_type(number) not in _LANDLINE_TYPES:
        return False
    area = phonenumbers.length_of_geographical_area_code(number)
    return LOCAL.fullmatch(str(number.national_number)[area:]) is not None


def valid(phone: str) -> bool:
    """A 联系电话 as typed: a mobile (+86 allowed), a landline with its area code (an extension after a
    dash allowed), or a local landline number without area code (the nominee's own area)."""
    if LOCAL.fullmatch(phone):
        return True
    try:
        number = phonenumbers.parse(_EXTENSION.sub("", phone), REGION)
    except phonenumbers.NumberParseException:
        return False
    if number.country_code == 86 and MOBILE.fullmatch(str(number.national_number)):
        return not number.extension and not _EXTENSION.search(phone)
    return _is_landline(number)


def landlines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every landline written with its area code in `text` (phonenumbers' matcher)."""
    return [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, REGION, leniency=phonenumbers.Leniency.VALID)
            if _is_landline(m.number)]
