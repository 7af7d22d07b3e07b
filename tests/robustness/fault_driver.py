"""Run the ``lipyantar`` command line with faults injected: the robustness suite's driver.

::

    python fault_driver.py [--inherit-signals] [--fault MODULE:ATTR:N:ACTION]... [--set MODULE:ATTR=VALUE]... -- ARGS...

Each ``--fault`` wraps the function ``MODULE.ATTR`` so that its ``N``-th call (``*``: every call) first
does ``ACTION`` (``after-ACTION``: does it once the original call has returned):

* ``sigterm``, ``sighup``, ``sigint``, ``sigkill``: send that signal to the lipyantar process (also from a
  worker process, which inherits the wrapper through ``fork``);
* ``enospc``, ``eio``: raise ``OSError`` with that errno instead of calling the function;
* ``sleep=SECONDS``: wait, then call the function (to make a run long enough to be signalled from outside).

The wrapper replaces the attribute in ``MODULE`` and in the module that defined the function, so that
worker processes unpickle the wrapped function too. ``--set`` replaces a module attribute with a
Python literal (``None``, ``0``). Then ``lipyantar.cli.main`` runs with ``ARGS``, with the signal
dispositions of a terminal session (``--inherit-signals``: those this process was started with).
"""

from __future__ import annotations

import ast
import errno
import functools
import importlib
import os
import signal
import sys
import time
from typing import Any

MAIN_PID = os.getpid()
_SIGNALS = {"sigterm": signal.SIGTERM, "sighup": signal.SIGHUP, "sigint": signal.SIGINT, "sigkill": signal.SIGKILL}
_ERRNOS = {"enospc": errno.ENOSPC, "eio": errno.EIO}


def _act(action: str) -> None:
    if action in _SIGNALS:
        os.kill(MAIN_PID, _SIGNALS[action])
        if os.getpid() == MAIN_PID and action != "sigkill":
            time.sleep(0.5)  # the handler runs here (Python delivers signals between bytecodes)
        return
    if action in _ERRNOS:
        code = _ERRNOS[action]
        raise OSError(code, os.strerror(code))
    if action.startswith("sleep="):
        time.sleep(float(action.split("=", 1)[1]))
        return
    raise SystemExit(f"fault_driver: unknown action {action!r}")


def _install(spec: str) -> None:
    module_name, attr, when, action = spec.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, attr)
    after = action.startswith("after-")
    action = action.removeprefix("after-")
    calls = 0

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        hit = when == "*" or calls == int(when)
        if hit and not after:
            _act(action)
        result = original(*args, **kwargs)
        if hit and after:
            _act(action)
        return result

    setattr(module, attr, wrapper)
    home = getattr(original, "__module__", None)
    if home and home != module_name and home in sys.modules and getattr(sys.modules[home], attr, None) is original:
        setattr(sys.modules[home], attr, wrapper)


def _terminal_signals() -> None:
    """The signal dispositions of a command started from a terminal. A test run started in the
    background or under ``nohup`` passes SIGINT or SIGHUP on ignored, and lipyantar rightly leaves an
    ignored signal ignored, which would change what the suite's signals do."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def main(argv: list[str]) -> None:
    if "--" not in argv:
        raise SystemExit(
            "usage: fault_driver.py [--inherit-signals] [--fault SPEC]... [--set MODULE:ATTR=VALUE]... -- ARGS..."
        )
    split = argv.index("--")
    options, args = argv[:split], argv[split + 1 :]
    if "--inherit-signals" in options:
        options.remove("--inherit-signals")  # keep the signal dispositions this process was started with
    else:
        _terminal_signals()
    from lipyantar.cli import main as lipyantar_main  # import every command module before patching

    for flag, value in zip(options[::2], options[1::2], strict=True):
        if flag == "--fault":
            _install(value)
        elif flag == "--set":
            target, literal = value.split("=", 1)
            module_name, attr = target.split(":")
            setattr(importlib.import_module(module_name), attr, ast.literal_eval(literal))
        else:
            raise SystemExit(f"fault_driver: unknown option {flag}")
    lipyantar_main.main(args=args, prog_name="lipyantar")


if __name__ == "__main__":
    main(sys.argv[1:])
