"""The GitHub Pages workflow (it cannot run here): on a push to main it builds with `make book`, installs
torch from PyTorch's CPU index first, uploads _build/html and deploys it with the permissions Pages needs."""
from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "pages.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(job: dict) -> list[dict]:
    return job["steps"]


def _uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def test_runs_on_push_to_main_with_pages_permissions():
    wf = _workflow()
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on:` key as True
    assert "main" in on["push"]["branches"]
    assert wf["permissions"]["pages"] == "write"
    assert wf["permissions"]["id-token"] == "write"


def test_build_job_sets_up_tools_then_runs_make_book_and_uploads_the_site():
    steps = _steps(_workflow()["jobs"]["build"])
    uses = [_uses(s) for s in steps]
    runs = [s.get("run", "") for s in steps]
    assert uses[0] == "actions/checkout"
    python = steps[uses.index("actions/setup-python")]
    node = steps[uses.index("actions/setup-node")]
    assert str(python["with"]["python-version"]) == "3.11"
    assert str(node["with"]["node-version"]) == "20"

    make = next(i for i, r in enumerate(runs) if r.strip() == "make book")
    torch = next(i for i, r in enumerate(runs) if "pip install torch==" in r)
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs[torch] and ".venv" in runs[torch]
    upload = uses.index("actions/upload-pages-artifact")
    assert uses.index("actions/setup-python") < torch < make < upload
    assert steps[upload]["with"]["path"] == "_build/html"


def test_deploy_job_deploys_the_uploaded_artifact():
    jobs = _workflow()["jobs"]
    deploy = jobs["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert "actions/deploy-pages" in [_uses(s) for s in _steps(deploy)]


def test_the_workflow_installs_the_torch_requirements_txt_pins():
    pins = (WORKFLOW.parents[2] / "requirements.txt").read_text(encoding="utf-8").splitlines()
    torch_pin = next(line.strip() for line in pins if line.startswith("torch=="))
    vision_pin = next(line.strip() for line in pins if line.startswith("torchvision=="))
    runs = [s.get("run", "") for s in _steps(_workflow()["jobs"]["build"])]
    assert any(f"pip install {torch_pin} {vision_pin} --index-url" in r for r in runs), (torch_pin, vision_pin)
