"""Build of the optional compiled kernels (lipyantar.translit.learned._fastlm, lipyantar.translit._fastrules,
lipyantar.translit._fastpieces, lipyantar.translit._fastwordlang, lipyantar.align._fastalign); all metadata is in pyproject.toml.

The extensions are optional: when they cannot be compiled, lipyantar installs and runs on its
pure-Python implementations (same results, slower). ``LIPYANTAR_PURE_PYTHON=1`` at build time builds
a pure-Python package without trying.
"""

import os

from setuptools import Extension, setup

PURE = os.environ.get("LIPYANTAR_PURE_PYTHON", "") not in ("", "0")

setup(
    ext_modules=[]
    if PURE
    else [
        Extension(
            "lipyantar.translit.learned._fastlm",
            sources=["translit/learned/_fastlm.c"],
            # no fused multiply-adds: the scores must equal the Python reference's bit for bit
            extra_compile_args=["-O2", "-ffp-contract=off"],
            # log() of libm, as Python's math.log (the automaton compiled from counts is bit-identical)
            libraries=[] if os.name == "nt" else ["m"],
            optional=True,
        ),
        Extension(
            "lipyantar.translit._fastrules",
            sources=["translit/_fastrules.c"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
        Extension(
            "lipyantar.translit._fastpieces",
            sources=["translit/_fastpieces.c"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
        Extension(
            "lipyantar.translit._fastwordlang",
            sources=["translit/_fastwordlang.c"],
            # no fused multiply-adds, libm's log: the log probabilities must equal the Python reference's bit for bit
            extra_compile_args=["-O2", "-ffp-contract=off"],
            libraries=[] if os.name == "nt" else ["m"],
            optional=True,
        ),
        Extension(
            "lipyantar.align._fastalign",
            sources=["align/_fastalign.c"],
            # no fused multiply-adds: the word scores and path costs must equal the Python reference's bit for bit
            extra_compile_args=["-O2", "-ffp-contract=off"],
            libraries=[] if os.name == "nt" else ["m"],
            optional=True,
        ),
    ]
)
