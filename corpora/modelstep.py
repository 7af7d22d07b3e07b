"""The model step of ``lipyantar build``: the romanization model adapted to the corpus's lexicon and
written as ``model.lpm`` (an adaptation file of the installed default model, or a full model file), with
the model to adapt loaded in the background while the pairs are aligned."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from lipyantar.translit.errors import LipyantarError

__all__ = ["BaseModelLoad", "adaptation_base", "learn_model", "model_runs_here"]

logger = logging.getLogger(__name__)


class BaseModelLoad:
    """The model to adapt, loaded in a background thread while the pairs are aligned (the load is
    independent of the corpus). Started once the engine's workers run, so no process is forked while
    the thread runs; a daemon, so a failed build does not wait for it."""

    def __init__(self, path: str | None, *, model: Any = None) -> None:
        self.path = path
        self._model: Any = model  # already loaded (then only its segment is computed here)
        self._segment: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="lipyantar-base-model", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            from lipyantar.translit.learned.model import LearnedModel, default_model

            if self._model is None:
                self._model = LearnedModel.load(self.path) if self.path else default_model()
            from lipyantar.translit.learned.adapting import base_segment

            self._segment = base_segment(self._model)
        except BaseException as exc:  # handed to the caller of get()
            self._error = exc

    def get(self) -> tuple[Any, Any]:
        """The loaded model and its :func:`lipyantar.translit.learned.adapting.base_segment`; raises what loading raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._model, self._segment


def learn_model(
    pairs: list[tuple[str, str, float]],
    *,
    base_model: str | None,
    dest: Path,
    base: BaseModelLoad | None = None,
    map_fn: Callable[..., Any] | None = None,
    standalone: bool = False,
) -> tuple[bool, str | None]:
    """Adapt the base model to ``pairs`` and save it at ``dest``: ``(written, note)``.

    The file is an adaptation (:mod:`lipyantar.translit.learned.adaptation`: the changes to the base model, which
    it names by checksum) when the base is the installed default model and ``standalone`` is false;
    otherwise a full model file.

    ``base`` is the base model being loaded (else it is loaded here); ``map_fn`` runs the shards of the
    adaptation's alignment EM (an engine's ``map``) and compiles the joint model while the rest is
    serialized; the file is the same whatever runs them.
    """
    if not pairs:
        return False, "no model written: no aligned word pairs to learn from"
    from lipyantar.translit.learned.adapting import save_adaptation, save_adapted

    try:
        model, segment = (base or BaseModelLoad(base_model)).get()
        default_bytes = None if standalone else adaptation_base(base_model)
        if default_bytes is not None:
            # the adaptation file straight from the adapted tables: no full model written and diffed
            save_adaptation(model, pairs, dest, base_data=default_bytes, map_fn=map_fn, segment=segment)
        else:
            save_adapted(model, pairs, dest, map_fn=map_fn, segment=segment)
    except (LipyantarError, AttributeError, TypeError, ValueError, OSError) as exc:
        # a note of the result (the command line prints it once): only logged here, at info level
        logger.info("no model written: %s", exc, exc_info=logger.isEnabledFor(logging.DEBUG))
        return False, f"no model written: {exc}"
    return True, None


def model_runs_here() -> bool:
    """Whether learning the model needs no workers: its alignment EM runs in this process, by the compiled
    kernels (without them it runs in shards on the engine's workers)."""
    try:
        from lipyantar.translit.learned.adapt_em import em_compiled
    except ImportError:
        return False
    return em_compiled()


def adaptation_base(base_model: str | None) -> bytes | None:
    """The bytes of the installed default model when ``model.lpm`` can be written as its adaptation (the
    base is that model), else None (written in full: an adaptation could not find its base). A base or
    default model that cannot be read is logged and gives None: a bigger model, not none."""
    from lipyantar.translit.learned.adaptation import is_adaptation, model_checksum
    from lipyantar.translit.learned.storage import DEFAULT_MODEL_NAME, MODEL_FILE_FORMAT

    try:
        default_bytes = (resources.files("lipyantar.translit.learned") / "data" / DEFAULT_MODEL_NAME).read_bytes()
        if base_model is not None:
            base_bytes = Path(base_model).read_bytes()
            if base_bytes != default_bytes and (
                is_adaptation(base_bytes)
                or model_checksum(base_bytes, fmt=MODEL_FILE_FORMAT)
                != model_checksum(default_bytes, fmt=MODEL_FILE_FORMAT)
            ):
                logger.info("model.lpm written in full: its base %s is not the installed default model", base_model)
                return None
    except (LipyantarError, OSError) as exc:
        logger.warning("model.lpm written in full (no adaptation file): %s", exc)
        return None
    return default_bytes
