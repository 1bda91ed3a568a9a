"""Chapter 06's gradient graph with the weights as inputs (``live_mlp3_grad.onnx``, the reader's own model):
fed the book's weights it answers like the graph with the weights baked in, and like torch's autograd."""
from __future__ import annotations

import json
import logging
import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch

from nnbook import onnx_export, zoo
from nnbook.chapters import featurevis as fv


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    out = tmp_path_factory.mktemp("live_grad")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live = fv.export_grad_live(out_dir=out)
        trained = zoo.load("mlp3_3vsrest_random")
        baked = onnx_export.export(replace(trained, name="baked_grad"), out_dir=out,
                                   model=fv.MLP3Grad(trained.model), sample=torch.zeros(2, 1, 28, 28),
                                   extra_inputs={"selector": torch.from_numpy(fv.selector([0, fv.OUTPUT_UNIT]))})
    return live, baked, trained.model, json.loads((out / "manifest.json").read_text())


def test_weights_as_inputs_equal_baked_weights_and_autograd(exported):
    live_path, baked_path, mlp, _ = exported
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(fv.N_UNITS, 1, 28, 28, generator=gen)                   # one random image per unit
    sel = fv.selector(np.arange(fv.N_UNITS))                                # unit k for image k (all 193)
    weights = {n: p.detach().numpy() for n, p in mlp.named_parameters()}    # fc1.weight ... fc3.bias
    act, grad = onnx_export.session(live_path).run(["act", "grad"], {"image": x.numpy(), "selector": sel, **weights})
    act_b, grad_b = onnx_export.session(baked_path).run(["act", "grad"], {"image": x.numpy(), "selector": sel})
    ref_act, ref_grad = fv.autograd_reference(mlp, x, torch.from_numpy(sel))
    assert grad.shape == (fv.N_UNITS, 1, 28, 28) and act.shape == (fv.N_UNITS,)
    assert np.max(np.abs(act - act_b)) <= 1e-5 and np.max(np.abs(grad - grad_b)) <= 1e-5
    assert np.max(np.abs(act - ref_act.numpy())) <= 1e-4 * max(1.0, float(np.abs(act).max()))
    assert np.max(np.abs(grad - ref_grad.numpy())) <= 1e-5
    assert float(np.abs(ref_grad).max()) > 0.01          # not a comparison of two zero tensors


def test_other_weights_give_another_answer(exported):
    """The weights really are inputs: the untrained seed-0 start gives its own autograd answer, not the book's."""
    live_path, _, mlp, _ = exported
    from nnbook import live
    start = live.start_model("mlp3")
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    sel = fv.selector(fv.OUTPUT_UNIT, n=4)
    feeds = {n: p.detach().numpy() for n, p in start.named_parameters()}
    act, grad = onnx_export.session(live_path).run(["act", "grad"], {"image": x.numpy(), "selector": sel, **feeds})
    ref_act, ref_grad = fv.autograd_reference(start, x, torch.from_numpy(sel))
    book_act, _ = fv.autograd_reference(mlp, x, torch.from_numpy(sel))
    assert np.max(np.abs(grad - ref_grad.numpy())) <= 1e-5 and np.max(np.abs(act - ref_act.numpy())) <= 1e-5
    assert np.max(np.abs(act - book_act.numpy())) > 0.1


def test_manifest_lists_inputs_under_the_trainers_names(exported):
    *_, manifest = exported
    entry = manifest[fv.LIVE_GRAD_NAME]
    names = [n for n, _ in entry["params"]]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"]
    assert list(entry["input"]) == ["image", "selector", *names]
    assert entry["input"]["fc1.weight"] == [128, 784] and entry["input"]["selector"][1] == fv.N_UNITS
    assert list(entry["outputs"]) == ["act", "grad"]
    assert entry["bytes"] < 20_000                       # no weights inside: the reader's come as inputs
