"""Plant photos: whatever the phone took, stored as one modest JPEG.

Only what Pillow can decode as an image is kept; it is turned upright (EXIF orientation), stripped of
its metadata (which can hold the place it was taken), and scaled down to fit PHOTO_SIDE.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from accumulator.plants.service import PlantError

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_SIDE = 1280
# Refuse images that would decode into more than this many pixels (a small file can claim a huge one).
MAX_PIXELS = 40_000_000


def normalise_photo(data: bytes) -> bytes:
    """The photo as a JPEG at most PHOTO_SIDE pixels on its longer side; PlantError if it is not one."""
    if len(data) > PHOTO_MAX_BYTES:
        raise PlantError("The photo is larger than 10 MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise PlantError("The photo has too many pixels.")
                image.load()
                upright = ImageOps.exif_transpose(image)
        upright = upright.convert("RGB")
        upright.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    except PlantError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, ValueError):
        raise PlantError("That file is not a photo (JPEG, PNG, WebP, GIF or another common image).") from None
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()
