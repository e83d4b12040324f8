"""Numbers as Peru writes them: decimal point, comma thousands (1,020,000.50).

Pure functions, no ORM. `parse_number` reads what a person typed (or a spreadsheet cell) and,
when it cannot, says in Spanish what it understood or why not; `format_number` shows a number
for reading (`format_short` with only the decimals it needs, for sentences); `format_for`
shows a number of an indicator with the indicator's one precision (every page, mail and file
goes through it); `whole_number_error` refuses decimals in a count,
asking about "938.178" (thousands written with a point); `format_for_input` pre-fills an
input so that `parse_number` reads back the same value; `digit_counts` measures a number
exactly for the limits of a field.

Accepted: plain digits (`1020000.5`, `.5`, `007`), thousands with commas in groups of exactly
three (`938,178`, `1,020,000.50`), a leading `+` or `-`, spaces (also non-breaking) around.
Rejected, with a suggestion where one is safe: a decimal comma (`1,5`, `12,34`), the European
style (`1.020.000,50`), groups not of three (`1,00,000`), several points (`1.2.3`), a trailing
point (`5.`), spaces inside, scientific notation (`1e5`), `%`, words (`NaN`, `Infinity`),
digits other than 0-9 (`١٢٣`, `１２３`), control characters and texts over 40 characters.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Protocol

from django.core.exceptions import ValidationError

NO_VALUE = "sin dato"  # what every page, file and the API show for a missing value


MAX_LENGTH = 40
EXAMPLE = "1,020,000.50"

# Invisible characters that copying from a web page or a spreadsheet leaves at the ends.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_PLAIN = r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+"
_GROUPED = r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?"
_NUMBER = re.compile(rf"[+-]?(?:{_GROUPED}|{_PLAIN})")
_SCIENTIFIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]{1,3}")
_DOT_GROUPS = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_SPACE_GROUPS = re.compile(r"[+-]?[1-9][0-9]{0,2}(?: [0-9]{3})+(?:\.[0-9]+)?")
# Signs that look like ASCII ones: minus sign, dashes, fullwidth and small forms.
_LOOKALIKES = str.maketrans(
    {
        "\u2212": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\ufe63": "-",
        "\uff0d": "-",
        "\uff0b": "+",
        "\uff0c": ",",
        "\uff0e": ".",
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
    }
)
_HINT = f"use solo cifras 0-9, coma para miles y punto decimal, p. ej. {EXAMPLE}"
_GROUPS_HINT = (
    "los miles se separan con comas en grupos de 3 cifras (p. ej. 100,000 o 1,020,000.50)"
)


def parse_number(text: str | int | float | Decimal | None) -> Decimal | None:
    """The Decimal written in `text`; None when blank. ValidationError (Spanish) otherwise.

    Numbers already numeric are taken as they are: an int exactly, a float through its
    shortest text (0.1 -> Decimal('0.1'), no binary artefacts), a Decimal unchanged. NaN and
    infinities are refused, and a negative zero comes back as plain zero.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise _invalid(f"«{text}» no es un número.")
    if isinstance(text, Decimal):
        return _checked(text, str(text))
    if isinstance(text, int):
        return _checked(Decimal(text), "")
    if isinstance(text, float):
        number = _checked(Decimal(repr(text)), repr(text))
        if _exponent(number) > 0:  # 1e+16 -> 10000000000000000
            number = number.quantize(Decimal(1), context=Context(prec=400))
        return number
    if not isinstance(text, str):
        text = str(text)
    stripped = text.strip().strip(_INVISIBLE).strip()
    if not stripped:
        return None
    if len(stripped) > MAX_LENGTH:
        raise _invalid(f"el número es demasiado largo (máximo {MAX_LENGTH} caracteres).")
    if any(unicodedata.category(c).startswith("C") for c in stripped):
        raise _invalid("contiene caracteres invisibles o de control; escriba el número de nuevo.")
    if _NUMBER.fullmatch(stripped):
        return _from_canonical(stripped)
    raise _invalid(_diagnose(stripped))


def format_number(value: Decimal | int | float | None, places: int = 2) -> str:
    """Peruvian display: 1,020,000.50. Exactly `places` decimals (two unless told), rounded
    half up; "sin dato" for None (and for NaN or infinities, which are never data)."""
    if places < 0:
        raise ValueError("places must be zero or more")
    if value is None:
        return NO_VALUE
    number = _as_decimal(value)
    if not number.is_finite():
        return NO_VALUE
    context = Context(prec=max(number.adjusted(), 0) + places + 3, rounding=ROUND_HALF_UP)
    rounded = number.quantize(Decimal(1).scaleb(-places), context=context)
    if rounded.is_zero():
        rounded = rounded.copy_abs()  # never "-0.00"
    return f"{rounded:,f}"


_WIDE = Context(prec=60)  # wide enough for any stored value (20 digits, 6 decimals) and more


def format_short(value: Decimal) -> str:
    """A number with the decimals it needs, at most four, Peruvian format: 0.69, 10.05, 1,
    3,200,000. For numbers inside sentences, where trailing zeros only add noise."""
    rounded = value.quantize(Decimal("0.0001"), context=_WIDE)
    exponent = rounded.normalize(_WIDE).as_tuple().exponent
    return format_number(rounded, max(0, -exponent) if isinstance(exponent, int) else 0)


class Quantity(Protocol):
    """What `format_for` needs of an indicator (indicators.models.Indicator has it)."""

    decimals: int

    @property
    def is_ratio(self) -> bool: ...


def display_places(indicator: Quantity, value: Decimal | int | float | None) -> int:
    """The decimals `format_for` shows `value` of `indicator` with: the indicator's own
    precision (`decimals`, as the document publishes it), except that a value typed as it is
    (an indicator without numerator and denominator) never loses a decimal it has, and then
    shows at least two (1,020,000.50 for a precision of 0, not 1,020,001). A computed ratio
    is shown with the precision: 100 / 19 -> 5.26 for 2."""
    places = indicator.decimals
    if value is None or indicator.is_ratio:
        return places
    number = _as_decimal(value)
    if not number.is_finite():
        return places
    needed = _significant_decimals(number)
    return places if needed <= places else max(needed, 2)


def format_for(indicator: Quantity, value: Decimal | int | float | None) -> str:
    """A number of `indicator` for reading, the same in the grid, the validation queue, the
    forms, the pages, the mails and the report: Peruvian format with `display_places`
    decimals; "sin dato" for None. The one place that chooses an indicator's decimals."""
    if value is None:
        return NO_VALUE
    return format_number(value, display_places(indicator, value))


def whole_number_error(number: Decimal | None, typed: object = None) -> str | None:
    """Why `number` cannot be a count (of people, posts, meetings, activities), in Spanish,
    or None when it can. A number written with a point and exactly three decimals ("938.178")
    is read as thousands written with a point and asked about, as "1,5" is."""
    if number is None or not number.is_finite() or number == number.to_integral_value():
        return None
    text = typed.strip() if isinstance(typed, str) else str(number)
    body = text.lstrip("+-")
    if _DOT_GROUPS.fullmatch(body):
        meant = _grouped(text.replace(".", ""))
        return (
            f"es un conteo y solo admite números enteros: ¿quiso decir {meant}? "
            "En Perú los miles se separan con coma, no con punto. Corrija el número."
        )
    return (
        f"es un conteo y solo admite números enteros; «{text}» tiene decimales. Corrija el número."
    )


def format_for_input(value: Decimal | int | float | None, places: int) -> str:
    """The text that pre-fills an input: as displayed (8,450; 1.60), at least `places`
    decimals but never fewer than the value needs, so `parse_number` reads back the same
    value. Empty for None."""
    if value is None:
        return ""
    number = _as_decimal(value)
    if not number.is_finite():
        return ""
    return format_number(number, max(places, _significant_decimals(number)))


def digit_counts(number: Decimal) -> tuple[int, int]:
    """(digits before the point, decimals that matter) of a finite number, exactly (no
    context rounding): 1020000.50 -> (7, 1); 0.005 -> (0, 3); 1E+3 -> (4, 0)."""
    integer = 0 if number.is_zero() else max(0, number.adjusted() + 1)
    return integer, _significant_decimals(number)


# --- helpers ------------------------------------------------------------------------------


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, code="invalid")


def _checked(number: Decimal, shown: str) -> Decimal:
    if not number.is_finite():
        raise _invalid(f"«{shown}» no es un número.")
    return number.copy_abs() if number.is_zero() else number


def _exponent(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _as_decimal(value: Decimal | int | float) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _significant_decimals(number: Decimal) -> int:
    digits = len(number.as_tuple().digits)
    return max(0, -_exponent(number.normalize(Context(prec=digits + 1))))


def _from_canonical(text: str) -> Decimal:
    """`text` matched _NUMBER: drop the thousands commas and read it exactly."""
    number = Decimal(text.replace(",", ""))
    return number.copy_abs() if number.is_zero() else number


def _grouped(plain: str) -> str:
    """A valid plain number ('-1020000.50') written with thousands commas, digits kept."""
    sign = plain[0] if plain[0] in "+-" else ""
    body = plain[len(sign) :]
    integer, point, fraction = body.partition(".")
    integer = integer.lstrip("0") or "0"
    return f"{sign}{int(integer):,}{point}{fraction}"


def _suggest(plain: str) -> str:
    return f"¿quiso decir {_grouped(plain)}?"


def _diagnose(text: str) -> str:
    """Why `text` (stripped, short, printable, not a valid number) is refused."""
    if not text.isascii():
        return _diagnose_non_ascii(text)
    if "%" in text:
        rest = text.replace("%", "").strip()
        if _NUMBER.fullmatch(rest):
            return f"escriba el número sin el signo %: ¿quiso decir {rest}?"
        if rest:
            return "escriba el número sin el signo %; " + _diagnose(rest)
        return f"«{text}» no es un número: {_HINT}."
    if _SCIENTIFIC.fullmatch(text):
        try:
            plain = format(Decimal(text), "f")
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            plain = ""
        suggestion = f": ¿quiso decir {_grouped(plain)}?" if len(plain) <= MAX_LENGTH else "."
        return f"no use notación científica («{text}»); escriba el número completo{suggestion}"
    if any(c not in "0123456789,.+- " for c in text):
        return f"«{text}» no es un número: {_HINT}."
    if " " in text:
        if _SPACE_GROUPS.fullmatch(text):
            return "no deje espacios dentro del número; los miles se separan con coma: " + _suggest(
                text.replace(" ", "")
            )
        joined = text.replace(" ", "")
        if _NUMBER.fullmatch(joined):
            return "no deje espacios dentro del número: " + _suggest(_from_plain(joined))
        return "no deje espacios dentro del número; " + _diagnose(joined)
    return _diagnose_structure(text)


def _from_plain(text: str) -> str:
    return format(_from_canonical(text), "f")


def _diagnose_non_ascii(text: str) -> str:
    translated = "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() else c.translate(_LOOKALIKES) for c in text
    )
    translated = " ".join(translated.split())  # any Unicode space -> one ASCII space
    if not translated.isascii():
        return f"«{text}» no es un número: {_HINT}."
    if _NUMBER.fullmatch(translated):
        return f"use solo cifras 0-9 y los signos del teclado (- , .): ¿quiso decir {translated}?"
    return _diagnose(translated)  # e.g. non-breaking spaces between thousands


def _diagnose_structure(text: str) -> str:
    """`text` has only digits, commas, points and signs (ASCII), and is not valid."""
    sign = text[0] if text[0] in "+-" else ""
    body = text[len(sign) :]
    if "+" in body or "-" in body:
        return "el signo (+ o -) va una sola vez, al inicio del número."
    if not any(c.isdigit() for c in body):
        return f"«{text}» no es un número: {_HINT}."
    points, commas = body.count("."), body.count(",")
    if commas == 0:
        if points == 1:  # '5.' (a lone '.' has no digit and was refused above)
            return f"falta la parte decimal después del punto: ¿quiso decir {text[:-1]}?"
        if _DOT_GROUPS.fullmatch(body):
            return "en Perú los miles se separan con coma, no con punto: " + _suggest(
                sign + body.replace(".", "")
            )
        return f"«{text}» tiene más de un punto decimal; {_HINT}."
    if points == 0:
        return _diagnose_commas(text, sign, body)
    if body.rfind(",") > body.rfind("."):
        integer, _, fraction = body.rpartition(",")
        if _DOT_GROUPS.fullmatch(integer) and fraction.isdigit():
            return (
                "parece escrito con punto para miles y coma decimal; en Perú es al revés: "
                + _suggest(f"{sign}{integer.replace('.', '')}.{fraction}")
            )
        return f"«{text}» no es un número válido: {_HINT}."
    if points > 1:
        return f"«{text}» tiene más de un punto decimal; {_HINT}."
    return f"revise «{text}»: {_GROUPS_HINT}."


def _diagnose_commas(text: str, sign: str, body: str) -> str:
    """Commas and no point: a decimal comma, or thousands badly grouped."""
    if body.count(",") == 1:
        integer, _, fraction = body.partition(",")
        decimal_comma = fraction.isdigit() and (
            len(fraction) != 3 or not integer or integer.startswith("0")
        )
        if decimal_comma and (integer.isdigit() or not integer):
            return (
                f"use punto decimal: {_suggest(f'{sign}{integer or 0}.{fraction}')} "
                "La coma solo separa miles, en grupos de 3 cifras."
            )
    return f"revise «{text}»: {_GROUPS_HINT}."


def json_number(value: Decimal | None) -> float | int | None:
    """Decimals as plain JSON numbers: 0.690000 -> 0.69, 1800.000000 -> 1800."""
    if value is None:
        return None
    normalized = value.normalize()
    return int(normalized) if normalized == normalized.to_integral() else float(normalized)
