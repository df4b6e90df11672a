"""Computation graphs: built from the derivations, backward quantities that add up to the gradient."""

import dataclasses
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from sympy import Piecewise

from derive.catalogue import derivation, names, spec
from derive.engine.layers import LayerSpec
from derive.engine.symbols import z0
from derive.engine.verify import STEP_SIZES, _equation_checks
from derive.printing.computation import Graph, graph
from derive.printing.graph import layout, mermaid, svg, tikz
from derive.printing.text import text

DRAWN = [name for name in names() if graph(derivation(name)) is not None]
SVG = "{http://www.w3.org/2000/svg}"


def _path(g: Graph, first: str) -> list[str]:
    """The labels along the forward path from the node labelled ``first`` (first out-edge each time)."""
    labels, node = [], next(n for n in g.nodes if n.label == first)
    while True:
        labels.append(node.label)
        out = [e for e in g.edges if e.source == node.id]
        if not out:
            return labels
        node = g.node(out[0].target)


def _backward(g: Graph, source: str, target: str) -> str:
    ids = {n.label: n.id for n in g.nodes}
    return text(next(e.backward for e in g.edges if e.source == ids[source] and e.target == ids[target]))


def test_most_of_the_catalogue_is_drawn():
    assert {"cross_entropy", "binary_cross_entropy_with_logits", "softmax_regression",
            "logistic_regression", "mse_sigmoid"} <= set(DRAWN)


@pytest.mark.parametrize("name", DRAWN)
def test_what_flows_back_into_the_input_is_the_derived_gradient(name):
    d, g = derivation(name), graph(derivation(name))
    entry = spec(name)
    expected = derivation(entry.base).gradient if isinstance(entry, LayerSpec) else d.gradient
    constraints = tuple(c for c in d.steps[-1].assumes if c.rule != "linear layer")
    checks = _equation_checks("graph", name, g.gradient, expected, STEP_SIZES, constraints)
    assert all(c.passed for c in checks), checks


def test_cross_entropy_graph_is_the_textbook_chain():
    g = graph(derivation("cross_entropy"))
    assert _path(g, "z") == ["z", "softmax", "log", "× y_k", "Σ_k", "−", "L"]
    assert _backward(g, "z", "softmax") == "s_j − y_j"
    assert _backward(g, "softmax", "log") == "-y_k/s_k"


def test_shared_sigmoid_has_two_consumers():
    g = graph(derivation("binary_cross_entropy_with_logits"))
    sigma = next(n for n in g.nodes if n.label == "σ")
    assert len([e for e in g.edges if e.source == sigma.id]) == 2
    assert _backward(g, "z", "σ") == "σ(z) − y"


def test_layer_graph_carries_the_weight_and_bias_gradients():
    d = derivation("softmax_regression")
    g = graph(d)
    dense = next(n for n in g.nodes if n.label == "W x + b")
    into = {g.node(e.source).label: e.backward for e in g.edges if e.target == dense.id}
    assert into["W"] == d.gradient and into["x"] is None and text(into["b"]) == "s_j − y_j"
    assert _backward(g, "W x + b", "softmax") == "s_j − y_j"
    assert {n.kind for n in g.nodes} == {"input", "data", "op", "loss"}


def test_unsupported_operations_give_no_graph():
    d = derivation("mse_sigmoid")
    assert graph(dataclasses.replace(d, loss=Piecewise((z0, z0 > 0), (0, True)))) is None


def test_mermaid_has_a_line_per_node_and_edge():
    g = graph(derivation("cross_entropy"))
    lines = mermaid(g).splitlines()
    assert lines[0] == "flowchart LR" and len(lines) == 1 + len(g.nodes) + len(g.edges)
    assert '-->|"s_j − y_j"|' in mermaid(g)


@pytest.mark.parametrize("name", ["cross_entropy", "logistic_regression", "entropy"])
def test_svg_is_well_formed_and_deterministic(name):
    g = graph(derivation(name))
    picture = svg(g, name)
    root = ET.fromstring(picture)
    assert len(root.findall(f"{SVG}rect")) == len(g.nodes)
    assert len(root.findall(f"{SVG}path")) == len(g.edges)
    assert picture == svg(graph(derivation(name)), name)
    assert f'id="{name}-arrow"' in picture


def test_skipping_edge_is_curved_around_the_node_between():
    place = layout(graph(derivation("entropy")))  # p feeds log and the product p·log p
    assert len(place.bends) == 1


def test_layout_keeps_nodes_apart():
    place = layout(graph(derivation("binary_cross_entropy_with_logits")))
    centres = list(place.centre.values())
    assert len(set(centres)) == len(centres)
    width, height = place.size
    assert all(0 < x < width and 0 < y < height for x, y in centres)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_tikz_compiles(tmp_path):
    drawn = ("cross_entropy", "binary_cross_entropy_with_logits", "softmax_regression", "entropy")
    pictures = "\n\n".join(tikz(graph(derivation(name))) for name in drawn)
    source = (r"\documentclass{article}\usepackage{amsmath}\usepackage{graphicx}\usepackage{tikz}"
              "\n\\begin{document}\n" + pictures + "\n\\end{document}\n")
    (tmp_path / "g.tex").write_text(source, encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "g.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


def test_edge_labels_are_legible_and_off_the_arrow():
    import re

    from derive.catalogue import verified
    from derive.render.documents import render_document
    from derive.render.graphs import graph_picture

    svg = str(graph_picture(verified("cross_entropy")[0]).svg)
    labels = re.findall(r'<text[^>]*font-size="(\d+)"[^>]*fill="[^"]*"[^>]*paint-order="stroke"', svg)
    assert labels and all(int(size) >= 14 for size in labels)
    page = render_document("multilabel_soft_margin_loss", "html", "en")
    assert '<div class="wide"><svg' in page  # shown at natural size, scrolling if wider than the page
