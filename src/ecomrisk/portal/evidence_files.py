"""Evidence files of a report: accepted by what their bytes are, not their name. Pure."""

from dataclasses import dataclass

# Magic bytes of the types accepted: pictures and PDF documents, nothing executable.
SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),  # after RIFF....
)
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
}
MAX_NAME = 200


class FileRejectedError(ValueError):
    """An evidence file that is not kept; the message names the file and why."""


@dataclass(frozen=True)
class EvidenceFile:
    filename: str
    media_type: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The media type the bytes say, or None when not an accepted type."""
    for magic, at, media_type in SIGNATURES:
        if content[at : at + len(magic)] == magic and (at == 0 or content[:4] == b"RIFF"):
            return media_type
    return None


def check(filename: str, content: bytes, max_bytes: int) -> EvidenceFile:
    """An accepted file, or FileRejectedError: empty, too large, a type not accepted,
    or a name whose extension says another type than the bytes."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:MAX_NAME] or "evidence"
    if not content:
        raise FileRejectedError(f"evidence {name!r}: the file is empty")
    if len(content) > max_bytes:
        raise FileRejectedError(
            f"evidence {name!r}: {len(content)} bytes is over the limit of {max_bytes} bytes"
        )
    media_type = sniff(content)
    if media_type is None:
        raise FileRejectedError(
            f"evidence {name!r}: not a PDF, PNG, JPEG, GIF or WebP file (by its content)"
        )
    if not name.lower().endswith(EXTENSIONS[media_type]):
        raise FileRejectedError(
            f"evidence {name!r}: the content is {media_type} but the name says otherwise"
        )
    return EvidenceFile(name, media_type, content)
