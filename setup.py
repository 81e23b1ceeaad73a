"""The one compiled module (CRF decoding); everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("report_ner.crf_lattice", ["src/report_ner/crf_lattice.pyx"], extra_compile_args=["-O3"])],
        language_level=3,
    )
)
