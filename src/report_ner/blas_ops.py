"""Thinc ops whose matrix products go through numpy's BLAS."""

from __future__ import annotations

from typing import Optional

from thinc.api import Model, NumpyOps, Ops, registry
from thinc.types import Floats2d


@registry.ops("NumpyBlasOps")
class NumpyBlasOps(NumpyOps):
    """``NumpyOps`` with ``gemm`` done by numpy (OpenBLAS in numpy's wheels) instead of blis.

    The tagger's products are skinny (thousands of character rows by 32-128 columns): on
    one core of the machine we measure on, numpy's OpenBLAS does them at ~90 GFLOP/s and
    blis at ~30 (``python scripts/benchmark.py`` shows the end-to-end effect).
    """

    name = "numpy_blas"

    def gemm(
        self, x: Floats2d, y: Floats2d, out: Optional[Floats2d] = None, trans1: bool = False, trans2: bool = False
    ) -> Floats2d:
        return Ops.gemm(self, x, y, out=out, trans1=trans1, trans2=trans2)


def use_blas_ops(model: Model) -> None:
    """Run every layer of ``model`` on ``NumpyBlasOps`` (its arrays stay numpy arrays)."""
    ops = NumpyBlasOps()
    for node in model.walk():
        node.ops = ops
