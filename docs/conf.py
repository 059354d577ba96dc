"""Sphinx configuration of the entrosim documentation (built offline, warnings are errors).

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``. Everything generated
(parameter and CLI references, scenario tables, figures, the executed notebooks) comes from the
code at build time; see ``docs/_ext/entrosim_docs``.
"""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path[:0] = [str(DOCS.parent), str(DOCS / "_ext")]  # this checkout's code, then the extension

from entrosim_docs.caching import cache_dir  # noqa: E402

import sims  # noqa: E402

project = "entrosim"
author = "entrosim developers"
copyright = "entrosim developers, MIT licence"  # noqa: A001 - the name Sphinx reads
release = version = sims.__version__

extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "sphinx_design",
    "entrosim_docs",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "_ext", "_templates", "**.ipynb_checkpoints", "jupyter_execute"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
smartquotes = False  # keep "--set" and quotes in help texts and prose exactly as written

# MyST: $...$ and $$...$$ maths, ::: fences, {attr} blocks
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# Notebooks (gallery): executed while reading, cached by the package sources' hash, a failing
# cell (an assert of the notebook's claims) fails the build.
nb_execution_mode = "cache"
nb_execution_cache_path = str(cache_dir(DOCS, "notebooks"))
nb_execution_timeout = 600  # seconds per cell
nb_execution_raise_on_error = True
nb_execution_in_temp = False  # run in notebooks/ itself (through the link), as nbmake did
nb_execution_show_tb = True
nb_kernel_rgx_aliases = {"python3": "entrosim-docs"}  # see entrosim_docs.kernel
nb_merge_streams = True

# API reference: autosummary writes a stub per module, class and function.
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "none"  # numpydoc sections carry the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

html_theme = "pydata_sphinx_theme"
html_title = f"entrosim {release}"
html_static_path = ["_static"]
html_css_files = ["entrosim.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
mathjax3_config = {"tex": {"macros": {"d": r"\mathrm{d}"}}}
