"""The documentation site builds offline without a warning and covers the whole code base.

One build per module (``python -m sphinx -W --keep-going -b html docs <tmp>``): it executes
every notebook (a failing cell, an assert of a notebook's claims included, fails the build), runs
a small scenario per system for its figure, and generates the parameter, CLI and API references.
The checks below compute what must be documented from the code itself, independently of the
docs extension that generates it.
"""

import html
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

import analysis
from sims.core import registry
from sims.core.scenario import ScenarioSpec

pytestmark = [pytest.mark.docs, pytest.mark.timeout(3600)]

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 3000  # cold: notebooks and figure runs; warm (cached): under a minute


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site into a temporary folder; return (folder, stderr)."""
    out = tmp_path_factory.mktemp("html")
    command = ["-W", "--keep-going", "-b", "html", "-q", "docs", str(out)]
    result = subprocess.run(  # conf.py puts this checkout first for Sphinx, kernels and runs
        [sys.executable, "-m", "sphinx", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return out, result.stderr


def page_text(path: Path) -> str:
    """The page's HTML with entities decoded (``&lt;name&gt;`` -> ``<name>``)."""
    return html.unescape(path.read_text(encoding="utf-8"))


def test_build_has_no_warning(site):
    _, stderr = site
    assert "WARNING" not in stderr and "ERROR" not in stderr, stderr[-5000:]


@pytest.mark.parametrize("system", sorted(registry.systems()))
def test_every_system_has_a_page_with_a_figure(site, system):
    out, _ = site
    page = out / "systems" / f"{system}.html"
    assert page.is_file(), f"no page for {system}"
    text = page.read_text(encoding="utf-8")
    assert "<img" in text
    assert "math notranslate" in text  # the physics is written with equations
    figures = re.findall(r'<img[^>]+src="([^"]+)"', text)
    assert all((page.parent / src).is_file() for src in figures), figures


def _model_arms(annotation) -> list[type[BaseModel]]:
    if typing.get_origin(annotation) is typing.Annotated:
        return _model_arms(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for arm in typing.get_args(annotation) for m in _model_arms(arm)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def dotted_keys(model: type[BaseModel], prefix: str) -> set[str]:
    """Every key of ``model`` as written in a scenario, nested models and union arms included."""
    keys = set()
    for name, field in model.model_fields.items():
        key = prefix + name
        keys.add(key)
        annotation = field.annotation
        if typing.get_origin(annotation) is dict:  # a mapping of user-named blocks
            annotation, key = typing.get_args(annotation)[1], key + ".<name>"
        for nested in _model_arms(annotation):
            keys |= dotted_keys(nested, key + ".")
    return keys


def test_parameter_reference_lists_every_field(site):
    out, _ = site
    text = (out / "parameters.html").read_text(encoding="utf-8")
    literals = re.findall(r'<code[^>]*><span class="pre">([^<]+)</span></code>', text)
    documented = {html.unescape(literal) for literal in literals}
    expected = dotted_keys(ScenarioSpec, "")
    for system in registry.systems().values():
        expected |= dotted_keys(system.model.Params, "params.")
    assert len(expected) > 150
    missing = sorted(expected - documented)
    assert not missing, missing


def test_nested_and_union_parameters_are_documented():
    keys = dotted_keys(registry.systems()["peccary"].model.Params, "params.")
    assert "params.series.<name>.potential.pattern_speed" in keys  # an orbit's bar potential
    assert "params.population.potential.scale_height" in keys  # Miyamoto-Nagai arm
    keys = dotted_keys(registry.systems()["kleingordon"].model.Params, "params.")
    assert "params.initial.velocity" in keys


def test_cli_reference_lists_every_subcommand_and_option(site):
    from sims.cli import build_parser

    out, _ = site
    text = page_text(out / "cli.html")
    parser = build_parser()
    (subcommands,) = [a for a in parser._actions if a.choices and a.dest == "command"]
    for name, command in subcommands.choices.items():
        assert f"entrosim {name}" in text
        for action in command._actions:
            for option in action.option_strings:
                assert option in text, (name, option)
            if action.help and action.dest != "help":  # argparse's own -h is in the usage line
                assert html.unescape(action.help) in text, (name, action.help)


def analysis_public_functions() -> dict[str, object]:
    """Every public function and class defined in ``analysis`` and its subpackages."""
    found = {}
    modules = [analysis]
    for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            modules.append(importlib.import_module(info.name))
    for module in modules:
        names = getattr(module, "__all__", None) or [n for n in vars(module) if n[0] != "_"]
        for name in names:
            value = getattr(module, name)
            public = inspect.isfunction(value) or inspect.isclass(value)
            if public and value.__module__.startswith("analysis"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_api_reference_covers_every_public_function_of_analysis(site):
    out, _ = site
    functions = analysis_public_functions()
    assert len(functions) > 40  # the walk found the package (49 in December 2026)
    generated = out / "api" / "generated"
    missing = [name for name in functions if not (generated / f"{name}.html").is_file()]
    assert not missing, missing
    for name in functions:  # each page documents the object under that name
        assert f'id="{name}"' in (generated / f"{name}.html").read_text(encoding="utf-8"), name


def test_api_reference_covers_every_system_and_core_module(site):
    out, _ = site
    generated = out / "api" / "generated"
    packages = ["sims.core", *(f"sims.{name}" for name in registry.systems())]
    for package in packages:
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__, package + "."):
            if not info.name.rsplit(".", 1)[1].startswith("_"):
                assert (generated / f"{info.name}.html").is_file(), info.name


@pytest.mark.parametrize("notebook", sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_every_notebook_is_rendered_with_image_outputs(site, notebook):
    out, _ = site
    page = out / "gallery" / "notebooks" / f"{notebook}.html"
    assert page.is_file()
    text = page.read_text(encoding="utf-8")
    assert re.search(r'<div class="cell_output[^"]*">.*?<img', text, re.S), notebook
    gallery = (out / "gallery" / "index.html").read_text(encoding="utf-8")
    assert f'href="notebooks/{notebook}.html"' in gallery
