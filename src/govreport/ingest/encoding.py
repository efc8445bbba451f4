"""A file's bytes and their decoding: byte-order marks, UTF-8, charset-normalizer for the rest (GB family read
as GB18030), with a warning naming the file when the guess is unsure or bytes are replaced.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from .builder import IngestError, _config

# ---------------------------------------------------------------- txt / md


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str, list[str]]:
    """Decoded text, the encoding used and warnings.

    A byte-order mark decides; then clean UTF-8 (or UTF-8 with a few stray bytes) is read as UTF-8; anything
    else is identified by charset-normalizer (Big5, UTF-16 without a BOM, ...), with GB2312/GBK read as their
    superset GB18030. Big5 text also decodes as (wrong) GB18030 without an error, so GB18030 is never assumed
    without asking. A guess of low confidence, and replaced bytes, are warned about, naming the file.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(encoding, "replace")
            return text, encoding, _replacement_warning(text, path, encoding)
    cfg = _config()["decoding"]
    text = data.decode("utf-8", "replace")
    n_bad = text.count("\ufffd")
    if "\x00" not in text and n_bad <= cfg["max_undecodable_share"] * len(data):
        return text, "utf-8", _replacement_warning(text, path, "utf-8")
    detected, warnings = _detect_encoding(data, path)
    # the decoding with the fewest bad bytes among the detected one and the usual ones (detected wins ties)
    candidates = [detected] if detected else []
    candidates += [e for e in cfg["fallback_encodings"] if e != detected]
    decoded = [(data.decode(e, "replace"), e) for e in candidates]
    text, encoding = min(decoded, key=lambda d: d[0].count("\ufffd"))
    if not detected and not text.count("\ufffd"):
        warnings = [f"{path}: encoding not recognised, read as {encoding}"]
    return text, encoding, warnings if text.count("\ufffd") == 0 else _replacement_warning(text, path, encoding)


def _detect_encoding(data: bytes, path: str | Path) -> tuple[str | None, list[str]]:
    """The encoding charset-normalizer finds (GB family as GB18030), with a warning when it is unsure."""
    from charset_normalizer import from_bytes

    cfg = _config()["decoding"]
    matches = list(from_bytes(data))
    if not matches:
        return None, []
    best = matches[0]
    gb_family = set(cfg["read_as_gb18030"])
    chosen = next((m for m in matches if m.encoding in gb_family and m.chaos <= best.chaos), best)
    encoding = "gb18030" if chosen.encoding in gb_family else chosen.encoding
    if chosen.chaos > cfg["max_chaos"]:
        note = f"{path}: encoding uncertain, read as {encoding} ({chosen.chaos:.0%} of the text looks garbled)"
        return encoding, [note]
    return encoding, []


def _replacement_warning(text: str, path: str | Path, encoding: str) -> list[str]:
    n_bad = text.count("\ufffd")
    return [f"{path}: {n_bad} undecodable byte sequences replaced (read as {encoding})"] if n_bad else []


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise IngestError(path, f"cannot read file ({e.strerror or e})") from e
