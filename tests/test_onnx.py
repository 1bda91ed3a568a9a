"""ONNX contract (DESIGN.md) and torch vs onnxruntime parity on real test images."""
import json

import numpy as np
import onnx
import pytest

from nnbook import assets, data, onnx_export, zoo


@pytest.fixture(scope="module")
def exported():
    trained = zoo.load("mlp3_3vsrest_random")
    path = onnx_export.MODELS_DIR / "mlp3_3vsrest_random.onnx"
    if not path.exists():
        path = onnx_export.export(trained)
    return trained, path


def test_contract_names_shapes_metadata(exported):
    trained, path = exported
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    assert [i.name for i in proto.graph.input] == ["image"]
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param and [d.dim_value for d in dims[1:]] == [1, 28, 28]
    assert [o.name for o in proto.graph.output] == ["prob", "h1", "h2"]
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in proto.graph.initializer)
    meta = {p.key: p.value for p in proto.metadata_props}
    for key in ["dataset", "data", "init", "seed", "epochs", "test_accuracy"]:
        assert key in meta
    assert meta["data"] == "3vsrest" and meta["init"] == "random"
    assert float(meta["test_accuracy"]) == pytest.approx(trained.metrics["accuracy"], abs=1e-6)
    manifest = json.loads((path.parent / "manifest.json").read_text())
    assert manifest["mlp3_3vsrest_random"]["metadata"] == meta
    assert manifest["mlp3_3vsrest_random"]["outputs"]["h1"][1] == 128


def test_dynamic_batch(exported):
    _, path = exported
    sess = onnx_export.session(path)
    for n in (1, 7):
        prob, h1, h2 = sess.run(None, {"image": np.zeros((n, 1, 28, 28), np.float32)})
        assert prob.shape == (n, 1) and h1.shape == (n, 128) and h2.shape == (n, 64)


def test_parity_on_1000_real_test_images(exported):
    trained, path = exported
    x, _, _ = data.select("test", "3vsrest")
    diffs = onnx_export.parity(trained.model, path, x[:1000])
    assert max(diffs.values()) <= 1e-5, diffs


def test_sample_sprite_holds_exact_test_digits():
    from PIL import Image
    meta = assets.write_samples()
    sheet = np.asarray(Image.open(assets.SAMPLES_DIR / "mnist_test_sprite.png"))
    images, labels = data.load_mnist("test")
    for k in (0, 37, meta["count"] - 1):
        r, c = divmod(k, meta["cols"])
        tile = sheet[r * 28:(r + 1) * 28, c * 28:(c + 1) * 28]
        assert np.array_equal(tile, images[meta["index"][k]])
        assert meta["label"][k] == labels[meta["index"][k]]
