"""The two fonts every document is printed in, loaded once per process.

DejaVu Sans is used because reportlab's built-in fonts have no ą ę ś ź ż ń. A PDF embeds the
font as subsets of at most 256 characters, numbered in the order the document first uses them;
writing a subset (cutting the font program, compressing it and its ToUnicode map, formatting
its widths) cost about 3 ms a document. So every document's subsets start with the same
characters in the same order (`prime`): reportlab's ASCII, then the letters and signs of the
languages documents are printed in. Two invoices with different names then share their
subsets, and the finished subset pieces are cached per (subset number, characters in code
order). A document with a character outside that set still gets it, in a subset of its own
that is built for it. Only font pieces are cached, never anything of a document's content.
"""
from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
_CACHED_SUBSETS = 64  # per font; one is ~30 kB, almost all of it the compressed font program

# After ASCII (always first, at its own codes), the 160 free codes of the first subset take
# these, in this order: signs, the Latin-1 letters, then the letters of Polish, Czech, Slovak
# and Croatian. Russian documents add the Cyrillic alphabet, in a second subset.
_SIGNS = "€–—„“”‘’«»·•…§°²³µ×±½¼¾©®™№º"
_LATIN = "".join(chr(code) for code in range(0xC0, 0x100) if code not in (0xD7, 0xF7))
_CENTRAL_EUROPEAN = "ĄąĆćĘęŁłŃńŚśŹźŻżČčĎďĚěŇňŘřŠšŤťŮůŽžĹĺĽľŔŕĐđ"
_CYRILLIC = "".join(chr(code) for code in range(0x410, 0x450)) + "Ёё"
PRIMED = _SIGNS + _LATIN + _CENTRAL_EUROPEAN
PRIMED_BY_LANGUAGE = {"ru": _CYRILLIC}


@dataclass(frozen=True, slots=True)
class _Subset:
    widths: bytes  # the formatted /Widths array
    to_unicode: bytes  # the compressed ToUnicode CMap
    program: bytes  # the compressed TrueType subset
    program_length: int  # its length before compression (/Length1)


class _Formatted(pdfdoc.PDFObject):  # type: ignore[misc]  # reportlab is untyped
    """A PDF object already formatted to bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


def _compressed_stream(data: bytes, **entries: Any) -> Any:
    stream = pdfdoc.PDFStream(content=data)
    # A "Filter" already in the dictionary tells reportlab the content is encoded.
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    for key, value in entries.items():
        stream.dictionary[key] = value
    return stream


class SubsetCachingFont(TTFont):  # type: ignore[misc]
    """A TrueType font whose finished subsets are reused across documents. addObjects writes
    the same objects as reportlab's TTFont.addObjects (which it replaces) does."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._subsets: OrderedDict[tuple[int, tuple[int, ...]], _Subset] = OrderedDict()
        self._lock = threading.Lock()  # renders run in a thread pool

    def addObjects(self, doc: Any) -> None:
        if not doc.compression:  # never the case here; reportlab's own path handles it
            return super().addObjects(doc)  # type: ignore[no-any-return]
        state = self._assignState(doc)  # this document's characters, as splitString assigned them
        state.frozen = 1
        face = self.face
        for number, codes in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(number, doc)[1:]
            base_name = b"".join((SUBSETN(number), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            subset = self._subset(number, tuple(codes), base_name, doc)
            font = pdfdoc.PDFTrueTypeFont()
            font.Name, font.BaseFont, font.FirstChar, font.LastChar = internal_name, base_name, 0, len(codes) - 1
            font.Widths = _Formatted(subset.widths)
            font.ToUnicode = doc.Reference(_compressed_stream(subset.to_unicode), "toUnicodeCMap:" + base_name)
            program = _compressed_stream(subset.program, Length1=subset.program_length)
            descriptor = pdfdoc.PDFDictionary({
                "Type": "/FontDescriptor", "Ascent": face.ascent, "CapHeight": face.capHeight,
                "Descent": face.descent, "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(face.bbox), "FontName": pdfdoc.PDFName(base_name),
                "ItalicAngle": face.italicAngle, "StemV": face.stemV,
                "FontFile2": doc.Reference(program, f"fontFile:{face.filename}({base_name})"),
                "MissingWidth": face.defaultWidth,
            })
            font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base_name)
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]
        return None

    def _subset(self, number: int, codes: tuple[int, ...], base_name: str, doc: Any) -> _Subset:
        key = (number, codes)  # the base name is a function of the number
        with self._lock:
            if (hit := self._subsets.get(key)) is not None:
                self._subsets.move_to_end(key)
                return hit
        program = self.face.makeSubset(list(codes))  # the slow part, outside the lock
        subset = _Subset(
            widths=pdfdoc.PDFArray([self.face.getCharWidth(code) for code in codes]).format(doc),
            to_unicode=zlib.compress(makeToUnicodeCMap(base_name, list(codes)).encode("utf-8")),
            program=zlib.compress(program), program_length=len(program),
        )
        with self._lock:
            self._subsets[key] = subset
            while len(self._subsets) > _CACHED_SUBSETS:
                self._subsets.popitem(last=False)
        return subset

    def clear_cache(self) -> None:
        with self._lock:
            self._subsets.clear()


def prime(doc: Any, languages: list[str]) -> None:
    """Gives a new document's fonts the common characters first (see the module docstring);
    call it before any text of the document is encoded."""
    characters = PRIMED + "".join(PRIMED_BY_LANGUAGE.get(language, "") for language in languages)
    for font in (REGULAR, BOLD):
        font.splitString(characters, doc)


def _register_fonts() -> tuple[SubsetCachingFont, SubsetCachingFont]:
    folder = Path(__file__).parents[2] / "templates" / "fonts"
    if not (folder / "DejaVuSans.ttf").is_file():
        folder = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
    regular = SubsetCachingFont(FONT, str(folder / "DejaVuSans.ttf"))
    bold = SubsetCachingFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return regular, bold


REGULAR, BOLD = _register_fonts()
