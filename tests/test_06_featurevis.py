"""Chapter 06 (뉴런은 무엇을 보는가): the gradient graph, activation maximisation and its JS twin."""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace

import numpy as np
import pytest
import torch

from nnbook.chapters import featurevis as fv
from nnbook import onnx_export, zoo

REPO = zoo.data.REPO_ROOT
ASCENT_JS = REPO / "book" / "_static" / "06_featurevis" / "ascent.js"


@pytest.fixture(scope="module")
def mlp():
    return zoo.load("mlp3_3vsrest_random").model


@pytest.fixture(scope="module")
def grad_model(mlp):
    return fv.MLP3Grad(mlp).eval()


def test_gradient_graph_equals_autograd(mlp, grad_model):
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(fv.N_UNITS, 1, 28, 28, generator=gen)
    sel = torch.from_numpy(fv.selector(np.arange(fv.N_UNITS)))   # every unit once
    act, grad = grad_model(x, sel)
    ref_act, ref_grad = fv.autograd_reference(mlp, x, sel)
    assert grad.shape == x.shape and act.shape == (fv.N_UNITS,)
    assert torch.max(torch.abs(act - ref_act)) <= 1e-5 * max(1.0, float(ref_act.abs().max()))
    assert torch.max(torch.abs(grad - ref_grad)) <= 1e-5
    assert float(ref_grad.abs().max()) > 0.01    # the comparison is not between two zero tensors


def test_gradient_graph_mixed_selector(mlp, grad_model):
    """A non-one-hot selector gives the gradient of the weighted sum (linearity of the backward pass)."""
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(3, 1, 28, 28, generator=gen)
    sel = torch.rand(3, fv.N_UNITS, generator=gen)
    _, grad = grad_model(x, sel)
    _, ref = fv.autograd_reference(mlp, x, sel)
    assert torch.max(torch.abs(grad - ref)) <= 1e-5


def test_selector_and_names():
    s = fv.selector([5, 130, 192])
    assert s.shape == (3, 193) and s.dtype == np.float32 and s.sum() == 3 and s[1, 130] == 1
    assert fv.selector(7, n=4).shape == (4, 193)
    assert [fv.unit_name(u) for u in (5, 130, 192)] == ["h1[5]", "h2[2]", "출력"]
    with pytest.raises(IndexError):
        fv.selector([193])


def _objective(mlp, x, units, jitter):
    """Selected activation, averaged over every shift jitter can draw (jitter = 0: just the activation)."""
    shifts = [(dy, dx) for dy in range(-jitter, jitter + 1) for dx in range(-jitter, jitter + 1)]
    acts = [fv.activations(mlp, fv.roll(x, dy, dx))[np.arange(len(units)), units] for dy, dx in shifts]
    return np.mean(acts, axis=0)


def test_ascent_increases_activation(mlp, grad_model):
    units = np.array([5, 40, 130, 150, fv.OUTPUT_UNIT])
    start = fv.start_noise(len(units), fv.AscentConfig())[0]
    for name, cfg in fv.PRESETS.items():
        x, hist = fv.activation_maximization(fv.torch_grad_fn(grad_model, fv.selector(units)), len(units),
                                             replace(cfg, steps=60))
        before, after = (_objective(mlp, im, units, cfg.jitter) for im in (start, x))
        assert np.all(after > before + 0.1), name
        if not cfg.jitter:
            assert hist[-1].mean() > hist[0].mean(), name
        if cfg.clamp:
            assert x.min() >= 0.0 and x.max() <= 1.0


def test_ascent_is_deterministic(grad_model):
    fn = fv.torch_grad_fn(grad_model, fv.selector([3, 140]))
    cfg = replace(fv.PRESETS["all"], steps=20, seed=7)
    a, ha = fv.activation_maximization(fn, 2, cfg)
    b, hb = fv.activation_maximization(fn, 2, cfg)
    c, _ = fv.activation_maximization(fn, 2, replace(cfg, seed=8))
    assert np.array_equal(a, b) and np.array_equal(ha, hb) and not np.array_equal(a, c)


def test_first_layer_closed_form_matches_optimisation(mlp, grad_model):
    units = np.arange(0, 128, 8)
    radius = 5.0
    cfg = fv.AscentConfig(steps=150, lr=0.05, radius=radius)
    x, _ = fv.activation_maximization(fv.torch_grad_fn(grad_model, fv.selector(units)), len(units), cfg)
    w = mlp.fc1.weight.detach().numpy()[units]
    closed = np.stack([fv.first_layer_maximizer(wi, radius) for wi in w])
    assert np.allclose(np.linalg.norm(closed, axis=1), radius)
    assert np.all(fv.cosine_rows(x, closed) >= 0.99)
    # the closed form is at least as good as anything the ascent found on the same ball
    assert np.all(np.sum(closed * w, 1) >= np.sum(x * w, 1) - 1e-4)
    with pytest.raises(ValueError):
        fv.first_layer_maximizer(np.zeros(784), 1.0)


def test_top_examples():
    acts = np.array([[1.0, 5.0], [3.0, 2.0], [2.0, 9.0], [3.0, 0.0]])   # 4 images, 2 "units"
    top = fv.top_examples(acts, k=3)
    assert top.tolist() == [[1, 3, 2], [2, 0, 1]]


def test_tv_gradient_and_blur_match_torch():
    gen = np.random.default_rng(0)
    x = gen.random((2, 784))
    xt = torch.tensor(x, requires_grad=True)
    img = xt.reshape(-1, 28, 28)
    eps2 = fv.TV_EPS * fv.TV_EPS
    tv = torch.sqrt(torch.diff(img, dim=2) ** 2 + eps2).sum() + torch.sqrt(torch.diff(img, dim=1) ** 2 + eps2).sum()
    (ref,) = torch.autograd.grad(tv, xt)
    assert np.allclose(fv.tv_gradient(x), ref.numpy(), atol=1e-10)
    k = torch.tensor([1.0, 2.0, 1.0], dtype=torch.float64) / 4
    kernel = (k[:, None] * k[None, :])[None, None]
    blurred = torch.nn.functional.conv2d(torch.tensor(x).reshape(-1, 1, 28, 28), kernel, padding=1)
    assert np.allclose(fv.blur3(x), blurred.reshape(-1, 784).numpy(), atol=1e-12)


def test_mulberry32_known_values():
    rng = fv.Mulberry32(0)
    draws = [rng() for _ in range(3)]
    assert all(0 <= d < 1 for d in draws) and len(set(draws)) == 3
    # reference values of the JS original (the same numbers appear in many projects' own tests)
    assert draws[0] == 0.26642920868471265
    one = fv.Mulberry32(1)
    assert [one(), one(), one()] == [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]


def _node(script: str) -> str:
    proc = subprocess.run(["node", "--no-warnings", "--input-type=module", "-e", script], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run ascent.js")
def test_js_twin_matches_python_bit_for_bit():
    """ascent.js and featurevis.py, same seed and settings, linear 'model' act = w·x + c: equal images."""
    rng = np.random.default_rng(3)
    w = rng.normal(size=784).astype(np.float32)

    def grad_fn(x):
        return x.astype(np.float64) @ w.astype(np.float64), np.repeat(w[None], len(x), 0)

    cfg = fv.AscentConfig(steps=25, lr=0.07, seed=11, l2=0.2, tv=0.1, blur=0.3, jitter=2, clamp=True,
                          radius=6.0)
    x_py, _ = fv.activation_maximization(grad_fn, 1, cfg)
    js_cfg = {"lr": cfg.lr, "seed": cfg.seed, "initScale": cfg.init_scale, "l2": cfg.l2, "tv": cfg.tv,
              "blur": cfg.blur, "jitter": cfg.jitter, "clamp": cfg.clamp, "radius": cfg.radius}
    out = _node(f"""
        import {{ activationMaximization, mulberry32 }} from "{ASCENT_JS.as_uri()}";
        const w = Float32Array.from({json.dumps(w.tolist())});
        const gradFn = async (x) => {{ let a = 0; for (let i = 0; i < 784; i++) a += x[i] * w[i];
                                       return {{ act: a, grad: w }}; }};
        const r = await activationMaximization(gradFn, {json.dumps(js_cfg)}, {cfg.steps});
        const m = mulberry32(0);
        console.log(JSON.stringify({{ x: Array.from(r.x), draws: [m(), m(), m()] }}));
    """)
    got = json.loads(out)
    m = fv.Mulberry32(0)
    assert got["draws"] == [m(), m(), m()]
    x_js = np.array(got["x"], np.float32)
    assert np.max(np.abs(x_js - x_py[0])) <= 1e-6
    assert np.abs(x_py).max() > 0.1


@pytest.mark.filterwarnings("ignore:.*axis name:UserWarning")
def test_export_grad_parity(tmp_path, mlp, grad_model):
    trained = zoo.load("mlp3_3vsrest_random")
    path = onnx_export.export(replace(trained, name="grad_test"), out_dir=tmp_path, model=grad_model,
                              extra_inputs={"selector": torch.from_numpy(fv.selector([0, 192]))})
    manifest = json.loads((tmp_path / "manifest.json").read_text())["grad_test"]
    assert manifest["input"] == {"image": ["N", 1, 28, 28], "selector": ["N", 193]}
    assert list(manifest["outputs"]) == ["act", "grad"]
    sess = onnx_export.session(path)
    units = np.array([5, 77, 130, 192])
    x = np.random.default_rng(0).random((4, 1, 28, 28)).astype(np.float32)
    act, grad = sess.run(None, {"image": x, "selector": fv.selector(units)})
    ref_act, ref_grad = grad_model(torch.from_numpy(x), torch.from_numpy(fv.selector(units)))
    assert np.max(np.abs(act - ref_act.numpy())) <= 1e-4
    assert np.max(np.abs(grad - ref_grad.numpy())) <= 1e-5
