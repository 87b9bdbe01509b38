"""Save and load models with skops, trusting only the types this project uses.

Nothing here unpickles: skops reconstructs objects from a JSON schema and refuses
types that are not on an explicit list.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from analysis.errors import InputError

# Types beyond skops' defaults that our own model files contain. A file asking
# for anything else is refused.
TRUSTED_TYPES = [
    "analysis.models.keywords.KeywordClassifier",
    "analysis.models.keywords.LexiconFeatures",
    "analysis.models.text.MultiLabelTextModel",
    "analysis.models.embed.MiniLMEncoder",
    "analysis.models.zeroshot.ZeroShotClassifier",
    "analysis.models.ensemble.MeanEnsemble",
    "analysis.models.levels.LevelModel",
]


def save_model(model, path: str | Path) -> Path:
    """Write ``model`` to ``path`` with :func:`skops.io.dump`."""
    import skops.io as sio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Dump beside the target and rename, so a reader never sees a half-written model.
    temporary = path.with_name(f".{path.name}.part")
    try:
        sio.dump(model, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _needed_types(path: Path) -> list[str]:
    import skops.io as sio

    if not path.is_file():
        raise InputError(f"{path}: no such model file")
    try:
        return sorted(set(sio.get_untrusted_types(file=path)))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise InputError(f"{path}: not a readable skops model file ({err})") from None


def untrusted_types(path: str | Path) -> list[str]:
    """Types in the file that are neither skops defaults nor in :data:`TRUSTED_TYPES`."""
    return sorted(set(_needed_types(Path(path))) - set(TRUSTED_TYPES))


def load_model(path: str | Path):
    """Load a skops file, refusing it if it contains types we do not trust."""
    import skops.io as sio

    path = Path(path)
    needed = _needed_types(path)
    refused = sorted(set(needed) - set(TRUSTED_TYPES))
    if refused:
        raise InputError(f"{path}: refusing to load untrusted types: {', '.join(refused)}")
    try:
        return sio.load(path, trusted=needed)
    except Exception as err:  # skops raises a wide range of types on corrupt files
        raise InputError(f"{path}: could not load model ({type(err).__name__}: {err})") from None
