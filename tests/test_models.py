"""MLP3 and the zoo: shapes, seeded determinism, the cached foundation model's quality."""
import numpy as np
import torch

from nnbook import data, models, train, zoo


def test_mlp3_shapes():
    model = models.MLP3()
    prob, h1, h2 = model(torch.rand(5, 1, 28, 28))
    assert prob.shape == (5, 1) and h1.shape == (5, 128) and h2.shape == (5, 64)
    assert torch.all((prob > 0) & (prob < 1)) and torch.all(h1 >= 0) and torch.all(h2 >= 0)


def test_ones_init_is_all_ones_and_zero_bias():
    model = models.MLP3(models.MLP3Config(init="ones"))
    for name, p in model.named_parameters():
        assert torch.all(p == (0.0 if name.endswith("bias") else 1.0)), name


def _train_small(seed):
    x, y, _ = data.select("train", "3vsrest")
    gen = train.seed_everything(seed)
    model = models.MLP3()
    history = train.fit(model, x[:2000], y[:2000], train.TrainConfig(epochs=1, batch_size=64, seed=seed), gen)
    return model, history


def test_two_seeded_trainings_give_identical_weights():
    a, ha = _train_small(7)
    b, hb = _train_small(7)
    assert ha == hb
    for (name, pa), (_, pb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(pa, pb), name
    c, _ = _train_small(8)
    assert not torch.equal(a.fc1.weight, c.fc1.weight)


def test_binary_metrics_by_hand():
    m = train.binary_metrics(np.array([0.9, 0.8, 0.2, 0.1, 0.7]), np.array([1, 0, 1, 0, 0]))
    # tp=1 fp=2 fn=1 tn=1
    assert m["accuracy"] == 2 / 5 and m["precision"] == 1 / 3 and m["recall"] == 1 / 2
    assert m["balanced_accuracy"] == (1 / 2 + 1 / 3) / 2


def test_foundation_model_quality_and_cache_roundtrip():
    trained = zoo.load("mlp3_3vsrest_random")
    assert trained.metrics["accuracy"] >= 0.99
    x, y, _ = data.select("test", "3vsrest")
    recomputed = train.binary_metrics(train.predict(trained.model, x), y)
    assert recomputed == trained.metrics
    again = zoo.load("mlp3_3vsrest_random")
    for k, v in trained.model.state_dict().items():
        assert torch.equal(v, again.model.state_dict()[k])


def test_spec_key_changes_with_config():
    base = zoo.SPECS["mlp3_3vsrest_random"]
    other = zoo.ModelSpec(base.arch, base.data, dict(base.model), train.TrainConfig(epochs=base.train.epochs + 1))
    assert base.key() != other.key()
