"""The notebook gallery: ``notebooks/*.ipynb`` rendered with their outputs, a thumbnail each.

At ``config-inited`` ``docs/gallery/notebooks`` is made a link to ``notebooks/`` (ignored by
git), so the notebooks are documents of the site without a copy to keep in step. myst-nb executes
them while reading (``nb_execution_mode = "cache"``); when a notebook's doctree is read, its last
image output is kept as its thumbnail. The gallery page is read after every notebook
(``env-before-read-docs``), so ``entrosim-gallery`` can lay out one card per notebook with its
title and thumbnail.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

from .caching import ROOT, note_generated

NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_FOLDER = "notebooks"
GALLERY = "gallery"
GALLERY_INDEX = f"{GALLERY}/index"
THUMBNAILS = "_build/.entrosim_cache/thumbnails"


def link_notebooks(app, config) -> None:
    """Make ``<srcdir>/gallery/notebooks`` a link to the checkout's ``notebooks/`` folder.

    Executed through the link, a notebook's working directory is ``notebooks/`` itself (the
    kernel's ``os.getcwd()`` resolves links), as when it is run by hand or by nbmake.
    """
    link = Path(app.srcdir) / GALLERY / NOTEBOOK_FOLDER
    if link.is_symlink() and link.resolve() == NOTEBOOKS.resolve():
        return
    if link.is_symlink():
        link.unlink()
    elif link.exists():
        raise ExtensionError(f"{link}: expected a link to {NOTEBOOKS}, found a real folder")
    link.symlink_to(NOTEBOOKS, target_is_directory=True)


def _thumbnails(env) -> dict[str, str]:
    """Thumbnail URI by notebook docname, kept in the (pickled) build environment."""
    if not hasattr(env, "entrosim_thumbnails"):
        env.entrosim_thumbnails = {}
    return env.entrosim_thumbnails


def _is_notebook(env, docname: str) -> bool:
    return docname.startswith(f"{GALLERY}/") and env.doc2path(docname).suffix == ".ipynb"


def read_gallery_last(app, env, docnames: list[str]) -> None:
    """Read the gallery page after the notebooks, whose titles and thumbnails it shows."""
    if GALLERY_INDEX in docnames:
        docnames.remove(GALLERY_INDEX)
        docnames.append(GALLERY_INDEX)


def gallery_outdated(app, env, added, changed, removed) -> list[str]:
    """Re-read the gallery page whenever a notebook is added, changed or removed."""
    touched = {*added, *changed, *removed}
    return [GALLERY_INDEX] if any(name.startswith(f"{GALLERY}/") for name in touched) else []


def keep_thumbnail(app, doctree) -> None:
    """Store the notebook's last image output as ``_build/.../thumbnails/<sha>.png``."""
    env = app.env
    if not _is_notebook(env, env.docname):
        return
    thumbnails = _thumbnails(env)
    thumbnails.pop(env.docname, None)
    images = [node for node in doctree.findall(nodes.image) if "*" in node.get("candidates", {})]
    if not images:
        return
    source = Path(app.srcdir) / images[-1]["candidates"]["*"]
    content = source.read_bytes()
    folder = Path(app.srcdir) / THUMBNAILS
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(content).hexdigest()[:16] + source.suffix
    if not (folder / name).is_file():
        (folder / name).write_bytes(content)
    thumbnails[env.docname] = f"/{THUMBNAILS}/{name}"


def purge_thumbnail(app, env, docname: str) -> None:
    """Forget a document's thumbnail before it is re-read."""
    _thumbnails(env).pop(docname, None)


class GalleryDirective(SphinxDirective):
    """``.. entrosim-gallery::``: a hidden toctree of the notebooks and a grid of cards."""

    def run(self) -> list[nodes.Node]:
        """The toctree and the grid of cards, parsed from generated reStructuredText."""
        note_generated(self.env)
        env = self.env
        notebooks = sorted(
            f"{GALLERY}/{NOTEBOOK_FOLDER}/{path.stem}"
            for path in (Path(env.srcdir) / GALLERY / NOTEBOOK_FOLDER).glob("*.ipynb")
        )
        thumbnails = _thumbnails(env)
        lines = [".. toctree::", "   :hidden:", ""]
        lines += [f"   {name.removeprefix(GALLERY + '/')}" for name in notebooks]
        lines += ["", ".. grid:: 1 2 3 3", "   :gutter: 3", ""]
        for name in notebooks:
            title = env.titles[name].astext() if name in env.titles else name
            lines += [
                f"   .. grid-item-card:: {title}",
                f"      :link: /{name}",
                "      :link-type: doc",
            ]
            if name in thumbnails:
                lines.append(f"      :img-top: {thumbnails[name]}")
                lines.append(f"      :img-alt: last figure of {title}")
            lines += ["", f"      ``{name.removeprefix(GALLERY + '/')}.ipynb``", ""]
        container = nodes.container(classes=["entrosim-gallery"])
        self.state.nested_parse(StringList(lines, source="entrosim-gallery"), 0, container)
        return container.children
