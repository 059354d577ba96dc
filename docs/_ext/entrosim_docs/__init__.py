"""Sphinx extension of the entrosim docs: tables, figures and the gallery generated at build time.

Directives: ``entrosim-params`` (parameter tables from the pydantic models), ``entrosim-cli``
(the argparse parser), ``entrosim-scenarios`` (the shipped scenario files), ``entrosim-figure``
(a small run drawn by ``entrosim plot``) and ``entrosim-gallery`` (the executed notebooks).
"""

from __future__ import annotations

from . import gallery
from .caching import outdated_by_sources, purge_generated, reset_stale_api_stubs
from .cli_reference import CliDirective
from .docstrings import process_docstring
from .figures import FigureDirective
from .kernel import install_kernel
from .params import ParamsDirective
from .scenarios import ScenariosDirective


def setup(app):
    """Register the directives and the gallery's build hooks."""
    app.add_directive("entrosim-params", ParamsDirective)
    app.add_directive("entrosim-cli", CliDirective)
    app.add_directive("entrosim-scenarios", ScenariosDirective)
    app.add_directive("entrosim-figure", FigureDirective)
    app.add_directive("entrosim-gallery", gallery.GalleryDirective)
    app.connect("autodoc-process-docstring", process_docstring, priority=100)
    app.connect("config-inited", gallery.link_notebooks)
    app.connect("config-inited", install_kernel)
    app.connect("config-inited", reset_stale_api_stubs)
    app.connect("env-before-read-docs", gallery.read_gallery_last)
    app.connect("env-get-outdated", outdated_by_sources)
    app.connect("env-get-outdated", gallery.gallery_outdated)
    app.connect("env-purge-doc", purge_generated)
    app.connect("env-purge-doc", gallery.purge_thumbnail)
    app.connect("doctree-read", gallery.keep_thumbnail, priority=900)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
