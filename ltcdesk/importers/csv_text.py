"""A CSV list as people send it: checked for size before it is read, its encoding found,
then split into a header and columns of text.

Encodings: UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark
(Excel's "Unicode text", usually tab separated) and Windows-1252 (Excel's "CSV" on a UK
or US Windows). A file that is none of these is refused naming its first bad line, never
stored garbled. Windows-1252 gives every byte but five a character, so text in another
8-bit or double-byte encoding would "decode" too; it is refused when it shows the marks of
one (see ``_looks_misread``), and what no byte rule can tell apart is said in the README.

The delimiter is whichever of comma, semicolon or tab the header line holds most. Header
names are matched with stray spaces, underscores, a byte order mark and case ignored; a
name that appears twice is refused (which of the two would be meant?).
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ltcdesk.domain import validate
from ltcdesk.domain.errors import ValidationError

MB = 1024 * 1024
_BINARY = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a zip file or an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls) or Word document",
}
_SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8' and import that"

# Windows-1252's C1 range: the letters in it (Š š Œ œ Ž ž Ÿ), the rest punctuation.
_C1 = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_C1_PUNCT = "".join(ch for ch in _C1 if not ch.isalpha())
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0160\u0161\u0152\u0153\u017d\u017e\u0178"
_LETTER_NOT_M = _LETTER.replace("A-Za-z", "A-LN-Za-ln-z")
# Central European letters (ISO-8859-2, Windows-1250) that Windows-1252 reads as symbols:
# ł→³, ą→± or ¹, ś→¶, ź→¼, ż→¿, š→¹, ž→¾, Ł→£, Ś→¦, Ż→¯ … A symbol inside a word, or one
# ending a word, is the mark ("Wroc³aw", "Micha³"); ² and ³ after an "m" are units (cm³).
_MID = "¡¢£¤¥¦§¨©ª«¬®¯±²³¶¸¹º»¼½¾¿"
_END = "¥¦¨¬¯±¶¸¹¼¾¿"
_START = "£¥¦¬¯±¶¹¼¾"
_CENTRAL = re.compile(
    f"[{_LETTER}][{_MID}][{_LETTER}]"
    f"|(?:[{_LETTER}][{_END}]|[{_LETTER_NOT_M}][²³])(?![{_LETTER}])"
    f"|(?<![{_LETTER}])[{_START}][{_LETTER}]"
)
# Cyrillic, Greek, Korean or Chinese bytes read as Windows-1252: four or more accented
# letters or Latin-1 symbols in a row, which no Western word has ("Ïåòðîâ" is Петров in
# Windows-1251, "±±¾©" is 北京 in GBK).
_RUN = re.compile(r"[\u00a1-\u00ff]{4,}")
# Shift-JIS (Japanese) read as Windows-1252: C1 punctuation beside another non-ASCII
# character ("‚³‚Æ" is さと, "“ú" is 日).
_PAIRED = re.compile(
    f"[{re.escape(_C1_PUNCT)}][^\\x00-\\x7f]|[^\\x00-\\x7f][{re.escape(_C1_PUNCT)}]"
)
_JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
# Multi-byte UTF-8 sequences: a file holding them that is not UTF-8 throughout is UTF-8
# with a few damaged bytes, not Windows-1252 ("Ã©" for "é").
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@dataclass(frozen=True)
class CsvTable:
    """A list split into columns. ``header`` as written (trimmed); ``columns[i]`` holds the
    i-th column's text, one entry per line after the header, blank lines included, so entry
    ``n`` is the spreadsheet's row ``n + 2``."""

    header: tuple[str, ...]
    columns: tuple[list[str], ...]
    rows: int
    encoding: str
    delimiter: str

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2


def header_key(name: str) -> str:
    """A header name as matched: no byte order mark, no stray spaces or underscores, any
    case ("  NHS_Number " and "nhs number" are the same)."""
    return " ".join(name.replace("\ufeff", " ").replace("_", " ").casefold().split())


def read_csv(source: bytes | str | os.PathLike[str], *, max_bytes: int, max_rows: int) -> CsvTable:
    """Read ``source`` (a path, or the file's bytes) into a table; ValidationError("file",
    …) when it is too big, not text, in an unknown encoding or not a well-formed list."""
    data = _read_bytes(source, max_bytes)
    text, encoding = decode(data)
    return _split(text, encoding, max_rows)


def _read_bytes(source: bytes | str | os.PathLike[str], max_bytes: int) -> bytes:
    if isinstance(source, bytes):
        _check_size(len(source), max_bytes)
        return source
    path = Path(source)
    try:
        size = path.stat().st_size  # before reading: a 200 MB file is refused at once
    except FileNotFoundError:
        raise ValidationError("file", f"{path} does not exist") from None
    except OSError as exc:
        raise ValidationError("file", f"{path} cannot be read ({exc.strerror})") from None
    if path.is_dir():
        raise ValidationError("file", f"{path} is a folder")
    _check_size(size, max_bytes)
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        raise ValidationError("file", f"{path} cannot be read ({exc.strerror})") from None
    _check_size(len(data), max_bytes)
    return data


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ValidationError(
            "file",
            f"is {size / MB:,.1f} MB, larger than the {max_bytes // MB} MB allowed; "
            "split the list into smaller files",
        )


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding."""
    for magic, what in _BINARY.items():
        if data.startswith(magic):
            raise ValidationError(
                "file", f"is not a CSV text file (it looks like {what}); {_SAVE_AS}"
            )
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise ValidationError("file", f"is UTF-32 text, which is not read here; {_SAVE_AS}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(data, "utf-16", "UTF-16")
        encoding = "UTF-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        text = _strict(data[3:], "utf-8", "UTF-8")
        encoding = "UTF-8 with BOM"
    else:
        if b"\x00" in data:
            half = data[1:4096:2].count(0) + data[0:4096:2].count(0)
            hint = (
                "UTF-16 text without a byte order mark"
                if half * 3 > min(len(data), 4096)
                else "a binary file"
            )
            raise ValidationError(
                "file", f"is not a CSV text file (it looks like {hint}); {_SAVE_AS}"
            )
        try:
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as err:
            utf8_error = err
        _refuse_shift_jis(data)
        if _UTF8_SEQUENCE.search(data):
            raise ValidationError(
                "file",
                f"line {_line_at(data, utf8_error.start)} is not valid UTF-8, though the file "
                f"holds UTF-8 text elsewhere; {_SAVE_AS}",
            )
        text = _strict(data, "cp1252", "Windows-1252 (or UTF-8)")
        _refuse_misread(text)
        encoding = "Windows-1252"
    if "\x00" in text:
        raise ValidationError(
            "file",
            f"line {text.count(chr(10), 0, text.index(chr(0))) + 1} holds a NUL character "
            "(binary data)",
        )
    return text, encoding


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:
        if codec == "utf-16":
            start = err.start - err.start % 2
            line = data[:start].decode("utf-16", errors="replace").count("\n") + 1
        else:
            line = _line_at(data, err.start)
        raise ValidationError(
            "file",
            f"line {line} is not valid {name} text (byte 0x{data[err.start]:02X}); {_SAVE_AS}",
        ) from None


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _refuse_shift_jis(data: bytes) -> None:
    """Refuse Japanese Shift-JIS: valid as such, holding Japanese characters, and showing
    its mark when read as Windows-1252."""
    try:
        japanese = _JAPANESE.search(data.decode("cp932")) is not None
    except UnicodeDecodeError:
        return
    if not japanese:
        return
    text = data.decode("cp1252", errors="replace")
    paired = _PAIRED.search(text)
    if paired is not None:
        _refuse_at(text, paired, "Japanese (Shift-JIS)")


def _refuse_misread(text: str) -> None:
    """Refuse Windows-1252 text that is another 8-bit encoding misread: Central European
    (ISO-8859-2, Windows-1250), Cyrillic, Greek, Korean or Chinese."""
    found = [
        (match.start(), match, what)
        for pattern, what in (
            (_CENTRAL, "Central European (ISO-8859-2 or Windows-1250)"),
            (_RUN, "Cyrillic, Greek, Korean or Chinese"),
        )
        if (match := pattern.search(text)) is not None
    ]
    if found:
        _, match, what = min(found, key=lambda f: f[0])
        _refuse_at(text, match, what)


def _refuse_at(text: str, match: re.Match[str], what: str) -> None:
    line = text.count("\n", 0, match.start()) + 1
    word = _word_around(text, match.start(), match.group())
    raise ValidationError(
        "file",
        f"line {line} looks like {what} text, not Windows-1252 (it would be stored as "
        f"'{validate.shown(word)}'); {_SAVE_AS}",
    )


def _word_around(text: str, at: int, sample: str) -> str:
    start = max(text.rfind(sep, 0, at) for sep in (" ", ",", ";", "\t", "\n")) + 1
    ends = [
        i
        for sep in (" ", ",", ";", "\t", "\n", "\r")
        if (i := text.find(sep, at + len(sample))) >= 0
    ]
    return text[start : min(ends, default=len(text))]


def _delimiter(text: str) -> str:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def _split(text: str, encoding: str, max_rows: int) -> CsvTable:
    import pandas as pd  # lazily: start-up stays fast

    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ValidationError("file", "is empty")
    delimiter = _delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=object,
            na_filter=False,  # "NA", "null" and blanks stay the text they are
            skip_blank_lines=False,  # so a line's index is its spreadsheet row
            engine="c",
            quotechar='"',
        )
    except pd.errors.ParserError as exc:
        raise ValidationError("file", _parser_message(str(exc))) from None
    except pd.errors.EmptyDataError:
        raise ValidationError("file", "is empty") from None
    rows = len(frame) - 1
    if rows > max_rows:
        raise ValidationError(
            "file", f"has {rows:,} rows, more than the {max_rows:,} allowed; split the list"
        )
    columns = tuple(
        [v if isinstance(v, str) else "" for v in frame[c].tolist()] for c in frame.columns
    )
    header = tuple(col[0].replace("\ufeff", "").strip() for col in columns)
    _refuse_duplicates(header)
    return CsvTable(header, tuple(col[1:] for col in columns), rows, encoding, delimiter)


def _parser_message(detail: str) -> str:
    if match := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", detail):
        expected, line, saw = match.groups()
        return (
            f"line {line} has {saw} fields where the header has {expected} "
            "(a comma or semicolon inside a field needs quotes around the field)"
        )
    if match := re.search(r"EOF inside string starting at row (\d+)", detail):
        return f'row {int(match.group(1)) + 1} opens a quoted field (") that is never closed'
    return f"is not a well-formed CSV list ({validate.shown(detail, 80)})"


def _refuse_duplicates(header: tuple[str, ...]) -> None:
    seen: dict[str, int] = {}
    for n, name in enumerate(header):
        key = header_key(name)
        if not key:
            continue  # an unnamed column (a trailing comma) is not read
        if key in seen:
            raise ValidationError(
                "file",
                f"has the column '{validate.shown(name)}' twice (columns "
                f"{column_letter(seen[key])} and {column_letter(n)}); keep one and import again",
            )
        seen[key] = n


def column_letter(index: int) -> str:
    """A spreadsheet's name for the column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
