"""Chapter 03 (역전파): hand-derived gradients equal autograd's, and StatQuest's numbers come out of the code."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from nnbook.chapters import backprop as bp

SQ = bp.STATQUEST


shown = bp.matches_shown


def test_shown_helper_can_fail():
    assert shown(1.114, 1.11) and not shown(1.116, 1.11) and not shown(7.7, 7.8)
    assert shown(-1.9999, -2.0) and not shown(-2.6, -2.0) and shown(-0.0323, -0.03)


# ------------------------------------------------------------------ chain rule
def test_chain_rule_matches_direct_derivative():
    t, u = sp.symbols("t u", positive=True)
    d = bp.chain_rule(sp.sqrt(u), t**2 + sp.Rational(1, 2), u, t)
    assert sp.simplify(d - sp.diff(sp.sqrt(t**2 + sp.Rational(1, 2)), t)) == 0
    assert sp.simplify(d - t / sp.sqrt(t**2 + sp.Rational(1, 2))) == 0


def test_chain_rule_shoe_size():
    w, h = sp.symbols("weight height")
    assert bp.chain_rule(sp.Rational(1, 4) * h, 2 * w, h, w) == sp.Rational(1, 2)


# ------------------------------------------------------------------ gradient descent on a line
def test_line_gradient_descent_statquest_numbers():
    path = bp.gradient_descent(lambda th: bp.grad_line([th[0], bp.LINE_SLOPE])[:1], [0.0], lr=0.1)
    assert shown(bp.grad_line([0.0, bp.LINE_SLOPE])[0], SQ["line_dssr_db_at_0"])
    assert shown(path[1, 0], SQ["line_intercept_after_1"])
    assert shown(path[-1, 0], SQ["line_intercept_opt"])
    assert len(path) < 1001  # stopped by the 0.001 rule, not by the step limit


def test_line_two_parameters_reach_least_squares():
    path = bp.gradient_descent(bp.grad_line, [0.0, 1.0], lr=0.01, max_steps=5000, tol=1e-6)
    slope, intercept = np.polyfit(bp.LINE_X, bp.LINE_Y, 1)
    np.testing.assert_allclose(path[-1], [intercept, slope], atol=1e-3)


def test_gradient_descent_diverges_with_large_rate():
    path = bp.gradient_descent(lambda th: bp.grad_line([th[0], bp.LINE_SLOPE])[:1], [0.0], lr=0.4, steps=20)
    assert abs(path[-1, 0]) > 100  # SSR'' = 6, so lr > 1/3 overshoots further each step


def test_sgd_line_gets_close():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 3, 300)
    y = 0.9 + 0.6 * x + rng.normal(0, 0.1, 300)
    path = bp.sgd_line(x, y, [0.0, 0.0], lr=1e-4, batch_size=10, epochs=20, seed=1)
    assert path.shape[1] == 2 and len(path) == 20 * 30 + 1
    np.testing.assert_allclose(path[-1], [0.9, 0.6], atol=0.1)


def test_minibatch_gradient_is_unbiased_and_its_spread_follows_the_formula():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 3, 400)
    y = 0.9 + 0.6 * x + rng.normal(0, 0.3, 400)
    theta = np.array([0.5, 0.5])
    # the mean over one epoch's equal-sized batches is exactly the full gradient
    batches = np.array_split(rng.permutation(400), 16)
    mean = np.mean([bp.grad_line(theta, x[i], y[i]) * (400 / len(i)) for i in batches], axis=0)
    np.testing.assert_allclose(mean, bp.grad_line(theta, x, y), atol=1e-9)
    spread = bp.minibatch_gradient_spread(x, y, theta, batch_sizes=(10, 40), draws=3000, seed=1)
    per_point = np.array([bp.grad_line(theta, x[i:i + 1], y[i:i + 1]) * 400 for i in range(400)]).std(0)
    for b, sd in spread.items():
        np.testing.assert_allclose(sd, per_point * np.sqrt((400 - b) / (b * 399)), rtol=0.06)
    assert np.all(spread[40] < 0.55 * spread[10])


# ------------------------------------------------------------------ backprop main ideas (b3)
def test_ssr_for_b3_values():
    p = bp.as_vector(bp.MAIN_IDEAS)
    for b3, value in SQ["ssr_b3"].items():
        p[6] = b3
        assert shown(bp.ssr(p), value), (b3, bp.ssr(p))


def test_b3_gradient_descent_statquest_numbers():
    p = bp.as_vector(bp.MAIN_IDEAS)
    g = bp.gradient(p)[6]
    assert shown(g, SQ["dssr_db3_at_0"]) and shown(0.1 * g, SQ["step_at_0"])
    path = bp.train_network(p, ("b3",), lr=0.1)
    assert shown(path[1, 6], SQ["b3_after_1"]) and shown(path[2, 6], SQ["b3_after_2"])
    assert shown(path[-1, 6], SQ["b3_opt"])
    np.testing.assert_array_equal(path[:, :6], np.broadcast_to(p[:6], (len(path), 6)))  # others frozen


def test_details1_statquest_numbers():
    p = bp.as_vector(bp.DETAILS1)
    assert shown(bp.ssr(p), SQ["details1_ssr"])
    assert shown(bp.gradient(p)[4], SQ["details1_dssr_dw3"])


# ------------------------------------------------------------------ hand gradients vs autograd
@pytest.mark.parametrize("params", [bp.MAIN_IDEAS, bp.DETAILS1, bp.DETAILS2])
def test_gradient_equals_autograd(params):
    p = bp.as_vector(params)
    np.testing.assert_allclose(bp.gradient(p), bp.torch_gradient(p), rtol=1e-10, atol=1e-12)


def test_gradient_equals_autograd_random_points():
    rng = np.random.default_rng(3)
    for _ in range(20):
        p = rng.normal(0, 2, 7)
        np.testing.assert_allclose(bp.gradient(p), bp.torch_gradient(p), rtol=1e-9, atol=1e-10)


def test_gradient_matches_finite_differences():
    p = bp.as_vector(bp.DETAILS2)
    eps = 1e-6
    fd = [(bp.ssr(p + eps * e) - bp.ssr(p - eps * e)) / (2 * eps) for e in np.eye(7)]
    np.testing.assert_allclose(bp.gradient(p), fd, atol=1e-6)


def test_training_fits_the_data():
    p1 = bp.train_network(bp.as_vector(bp.DETAILS1), ("w3", "w4", "b3"), lr=0.1, steps=175)
    p2 = bp.train_network(bp.as_vector(bp.DETAILS2), bp.PARAM_NAMES, lr=0.1, steps=450)
    assert len(p1) == 176 and len(p2) == 451
    assert bp.ssr(p1[-1]) < 0.05 < bp.ssr(p1[0]) and bp.ssr(p2[-1]) < 0.01
    np.testing.assert_array_equal(p1[-1, :4], p1[0, :4])


def test_restart_states_and_the_flat_place_at_the_mean():
    runs = bp.restarts(n_seeds=5, lr=0.1, steps=2_000)
    assert [r.seed for r in runs] == list(range(5)) and all(len(r.ssr) == 2_001 for r in runs)
    states = {r.seed: r.state(2_000) for r in runs}
    assert states[3] == "fit" and states[4] == "mean"          # seed 3 fits early; seed 4 flattens out
    stuck = runs[4]
    assert abs(stuck.ssr[-1] - bp.MEAN_SSR) < 1e-4 and abs(stuck.end[0]) < 0.01 and abs(stuck.end[2]) < 0.01
    # "left" needs an earlier fit: a hand-made SSR history shows each state
    fake = bp.RunEnd(0, np.array([1.0, 0.01, 0.3, 0.667, 0.6667]), np.zeros(7), np.zeros(7), 0.0)
    assert [fake.state(k) for k in range(5)] == ["other", "fit", "left", "left", "left"]
    fake2 = bp.RunEnd(0, np.array([1.0, 0.67, 0.3]), np.zeros(7), np.zeros(7), 0.0)
    assert [fake2.state(k) for k in range(3)] == ["other", "mean", "other"]


def test_largest_curvature_matches_finite_differences_of_the_gradient():
    p = bp.standard_normal_start(3)
    eps = 1e-5
    hess = np.array([(bp.gradient(p + eps * e) - bp.gradient(p - eps * e)) / (2 * eps) for e in np.eye(7)])
    assert bp.largest_curvature(p) == pytest.approx(np.linalg.eigvalsh((hess + hess.T) / 2).max(), rel=1e-5)
    # along b3 alone the curvature is 2 * (number of points) = 6, so the largest is at least 6
    assert bp.largest_curvature(p) >= 6 - 1e-9


def test_train_network_rejects_unknown_name():
    with pytest.raises(ValueError):
        bp.train_network(bp.as_vector(bp.DETAILS1), ("w5",))


# ------------------------------------------------------------------ softmax and cross entropy
def test_softmax_iris_numbers_and_jacobian():
    # The raw outputs on screen are rounded: their SoftMax lands within 0.01 of the probabilities shown.
    p = bp.softmax(SQ["iris_raw"])
    np.testing.assert_allclose(p, SQ["iris_softmax"], atol=0.011)
    assert not all(shown(a, b) for a, b in zip(p, SQ["iris_softmax"]))  # the chapter explains this gap
    # StatQuest's derivative example starts from the probabilities it shows.
    J_shown = bp.softmax_jacobian(SQ["iris_softmax"])
    assert shown(J_shown[0, 0], SQ["softmax_dself"]) and shown(J_shown[0, 1], SQ["softmax_dother"])
    Jt = torch.autograd.functional.jacobian(lambda z: torch.softmax(z, 0),
                                            torch.tensor(SQ["iris_raw"], dtype=torch.float64))
    np.testing.assert_allclose(bp.softmax_jacobian(p), Jt.numpy(), atol=1e-14)
    assert not np.allclose(bp.softmax_jacobian(p), np.diag(p))  # off-diagonal terms are not zero


def test_cross_entropy_value_and_gradient():
    assert shown(bp.cross_entropy([[SQ["ce_p"], 0.2, 0.23]], [0])[0], SQ["ce_value"])
    z = torch.tensor([[1.0, -0.5, 0.3], [0.2, 0.1, -1.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 2])
    torch.nn.functional.cross_entropy(z, y, reduction="sum").backward()
    g = bp.cross_entropy_grad(bp.softmax(z.detach().numpy()), y.numpy())
    np.testing.assert_allclose(g, z.grad.numpy(), atol=1e-12)


def test_statquest_cross_entropy_backprop_numbers():
    """§12: b3 of the setosa output from -2 at learning rate 1 on StatQuest's three flowers."""
    model = bp.statquest_iris_model()
    path, total_ce, dce_db = bp.output_bias_path(model, bp.STATQUEST_FLOWERS_X, bp.STATQUEST_FLOWERS_Y, cls=0,
                                                 b0=SQ["ce_b3_start"], lr=SQ["ce_lr"])
    assert shown(total_ce(path[0]), SQ["ce_total_at_start"]) and shown(dce_db(path[0]), SQ["ce_dce_db3_at_start"])
    assert shown(path[1], SQ["ce_b3_after_1"]) and shown(path[-1], SQ["ce_b3_opt"])
    assert path[1] > path[0]                                  # a negative slope moves the bias up
    with torch.no_grad():
        p = torch.softmax(model(torch.as_tensor(bp.STATQUEST_FLOWERS_X)), 1).numpy()
    assert round(float(p[0, 0]), 2) == SQ["ce_p"]             # §11's 0.57 is this network's p(setosa), b3 = 0


def test_iris_training_and_bias_path():
    model, hist = bp.train_iris(bp.IrisConfig(steps=300))
    assert hist["accuracy"][-1] > 0.8 and hist["loss"][-1] < hist["loss"][0]
    x, y = bp.iris_data()
    path, total_ce, dce_db = bp.output_bias_path(model, x, y, cls=0, b0=-2.0, lr=0.01)
    assert path[0] == -2.0 and total_ce(path[-1]) < total_ce(path[0])
    assert abs(dce_db(path[-1])) < 0.11  # last step |0.01 * slope| < 0.001
    with pytest.raises(ValueError):
        bp.iris_loss(torch.zeros(2, 3), torch.tensor([0, 1]), "mse")


# ------------------------------------------------------------------ backprop for a whole layer
def test_layer_gradients_equal_the_seven_hand_derivatives():
    p = bp.as_vector(bp.DETAILS2)
    w1, b1, w2, b2, w3, w4, b3 = p
    (dW1, db1), (dW2, db2) = bp.layer_gradients(
        [np.array([[w1], [w2]]), np.array([[w3, w4]])], [np.array([b1, b2]), np.array([b3])],
        bp.DOSAGE[:, None], lambda z: -2 * (bp.EFFICACY[:, None] - z), activation="softplus")
    np.testing.assert_allclose(np.r_[dW1[0], db1[0], dW1[1], db1[1], dW2[0], db2], bp.gradient(p), atol=1e-12)


def test_layer_gradients_equal_autograd_on_a_random_relu_network():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
                              torch.nn.Linear(4, 3)).double()
    x = torch.randn(7, 6, dtype=torch.float64)
    y = torch.randint(0, 3, (7,))
    torch.nn.functional.cross_entropy(net(x), y).backward()
    linears = [net[0], net[2], net[4]]
    onehot = np.eye(3)[y.numpy()]
    grads = bp.layer_gradients([l.weight.detach().numpy() for l in linears], [l.bias.detach().numpy() for l in linears],
                               x.numpy(), lambda z: (bp.softmax(z) - onehot) / len(onehot))
    for (dw, db), layer in zip(grads, linears):
        np.testing.assert_allclose(dw, layer.weight.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(db, layer.bias.grad.numpy(), atol=1e-12)
    with pytest.raises(KeyError):
        bp.layer_gradients([np.eye(2)], [np.zeros(2)], np.ones((1, 2)), lambda z: z, activation="tanh")


def test_backward_multiplications_match_torch_flop_counter():
    from torch.utils.flop_counter import FlopCounterMode
    from nnbook import models, train
    counts = bp.backward_multiplications((784, 128, 64, 1))
    assert counts == dict(forward=108_608, weight_grads=108_608, deltas=8_256, activation=192)
    model = models.MLP3()
    with FlopCounterMode(display=False) as fwd:
        logits, _ = model.logits_and_hidden(torch.rand(1, 1, 28, 28))
    loss = train.loss_fn(logits, torch.ones(1))
    with FlopCounterMode(display=False) as bwd:
        loss.backward()
    assert fwd.get_total_flops() == 2 * counts["forward"]
    assert bwd.get_total_flops() == 2 * (counts["weight_grads"] + counts["deltas"])


# ------------------------------------------------------------------ data for the browser demos
def test_stepper_data_converges_crawls_and_diverges():
    d = bp.stepper_data(lrs=(0.01, 0.1, 0.34), steps=30)
    assert len(d["curve"]["b3"]) == len(d["curve"]["ssr"]) == 201
    slow, good, big = d["runs"]
    for run in d["runs"]:
        assert len(run["b3"]) == len(run["ssr"]) == len(run["slope"]) == 31 and run["b3"][0] == 0.0
    assert shown(good["b3"][1], SQ["b3_after_1"]) and abs(good["b3"][-1] - 2.6089) < 1e-3
    assert 1.0 < slow["b3"][-1] < 2.4                      # crawling, still far from 2.61
    assert abs(big["b3"][-1] - 2.61) > abs(big["b3"][1] - 2.61)  # overshoots further and further
    # each slope is the derivative at that point: b3[k+1] = b3[k] - lr * slope[k]
    np.testing.assert_allclose(np.array(good["b3"][:-1]) - 0.1 * np.array(good["slope"][:-1]),
                               good["b3"][1:], atol=1e-5)


def test_landscape_path_descends_to_grid_minimum():
    grid, path = bp.landscape(steps=60, n=21)
    assert grid["ssr"].shape == (441,) and len(path["step"]) == 61
    assert np.all(np.diff(path["ssr"]) <= 1e-12)          # every step lowers SSR at lr 0.1
    assert path["ssr"][-1] <= grid["ssr"].min() + 1e-6
    np.testing.assert_allclose([path["a"][-1], path["b"][-1]], [-1.22, -2.30], atol=0.02)
