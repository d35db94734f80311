"""Static checks of the n8n templates in docs/n8n/ (the real-client run is make e2e-n8n):
what `n8n import:workflow --input=FILE` needs, and expressions n8n can parse."""

import json
import re
from pathlib import Path

import pytest

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "docs" / "n8n"
TEMPLATES = sorted(TEMPLATE_DIR.glob("*.json"))
PAIRS = {"(": ")", "[": "]", "{": "}"}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def expressions(text):
    """The JavaScript of each {{ ... }} in an n8n parameter, cut where n8n cuts it: at
    the first "}}" after the opening "{{"."""
    if not text.startswith("="):
        return []
    return re.findall(r"\{\{(.*?)\}\}", text[1:], flags=re.S)


def balanced(code):
    """Brackets balance outside string literals."""
    stack, quote, escaped = [], None, False
    for char in code:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "'\"`":
            quote = char
        elif char in PAIRS:
            stack.append(PAIRS[char])
        elif char in PAIRS.values():
            if not stack or stack.pop() != char:
                return False
    return not stack and quote is None


def test_expression_cutter_catches_the_old_jsonrpc_body():
    # n8n ends this expression at the "}}" after 'n8n'}]: the body was never sent.
    old = "={{ JSON.stringify({params: {args: [1, {model: $json.model || 'n8n'}]}}) }}"
    assert not all(balanced(code) for code in expressions(old))
    new = "={{ JSON.stringify({ params: { args: [1, { model: $json.model || 'n8n' } ] } }) }}"
    assert all(balanced(code) for code in expressions(new))


def test_there_are_templates():
    assert len(TEMPLATES) >= 3


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_imports_with_input_file(path):
    workflow = json.loads(path.read_text(encoding="utf-8"))
    # `n8n import:workflow --input=FILE` needs an id (else: NOT NULL constraint failed).
    assert re.fullmatch(r"[A-Za-z0-9]{1,36}", workflow.get("id") or "")
    names = [node["name"] for node in workflow["nodes"]]
    assert len(names) == len(set(names))
    for source, outputs in workflow["connections"].items():
        assert source in names
        for branch in outputs["main"]:
            assert all(link["node"] in names for link in branch)


def test_template_ids_are_unique():
    ids = [json.loads(p.read_text(encoding="utf-8"))["id"] for p in TEMPLATES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_expressions_parse(path):
    workflow = json.loads(path.read_text(encoding="utf-8"))
    for node in workflow["nodes"]:
        for text in _strings(node.get("parameters", {})):
            if node["type"] == "n8n-nodes-base.code":
                continue  # JavaScript, not an expression
            for code in expressions(text):
                assert balanced(code), f"{node['name']}: n8n cuts the expression at '}}}}': {code}"


def _workflow(name):
    return json.loads((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


def test_receive_template_answers_after_every_branch():
    workflow = _workflow("wfmon-receive-events.json")
    connections = workflow["connections"]
    branches = [link["node"] for out in connections["Route by type"]["main"] for link in out]
    assert len(branches) == 4
    for branch in branches:
        assert [link["node"] for link in connections[branch]["main"][0]] == ["Acknowledge"]
    assert "Acknowledge" not in connections  # nothing runs after the answer


def test_signed_template_retries_with_the_same_request():
    workflow = _workflow("wfmon-recommendation-signed.json")
    post = next(n for n in workflow["nodes"] if n["name"] == "POST to Odoo")
    assert post["retryOnFail"] is True and post["maxTries"] >= 2
    # Id, timestamp and signature come from the signing node's output: a retry resends them.
    headers = {h["name"]: h["value"] for h in post["parameters"]["headerParameters"]["parameters"]}
    assert headers["webhook-id"] == "={{ $json.id }}"


def test_write_back_templates_forward_external_id():
    signed = _workflow("wfmon-recommendation-signed.json")
    code = next(n for n in signed["nodes"] if n["name"] == "Sign request")["parameters"]["jsCode"]
    assert "external_id: item.json.external_id" in code
    rpc = _workflow("wfmon-recommendation-jsonrpc.json")
    body = next(n for n in rpc["nodes"] if n["name"] == "Odoo JSON-RPC: submit")["parameters"]
    assert "external_id: $json.external_id" in body["jsonBody"]
