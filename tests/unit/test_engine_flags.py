"""Tests of wfmon_core/tools/engine.py: server flags no JSON client can forge."""

import json

from conftest import load_tool

engine = load_tool("wfmon_core", "engine")


class Records:
    """The two things the helpers ask of a recordset."""

    def __init__(self, context=None):
        self.env = type("Env", (), {"context": dict(context or {})})()

    def with_context(self, **values):
        return Records({**self.env.context, **values})


def test_a_flag_set_by_server_code_is_read():
    records = engine.with_flags(Records(), wfmon_scanner=True, wfmon_dist_released=frozenset({3}))
    assert engine.flag(records.env.context, "wfmon_scanner") is True
    assert engine.flag(records.env.context, "wfmon_dist_released") == frozenset({3})


def test_anything_json_can_carry_is_not_a_flag():
    for value in (True, 1, "1", "true", [1], {"value": True}, {"wfmon_engine": True}, None):
        context = json.loads(json.dumps({"wfmon_scanner": value, "wfmon_engine": value}))
        assert engine.flag(context, "wfmon_scanner", "absent") == "absent"
        assert not engine.is_engine(context)
        assert engine.engine_options(context) is None


def test_engine_options_travel_with_the_flag():
    records = engine.engine(Records({"other": 1}), reason="Escalation", automated=True)
    options = engine.engine_options(records.env.context)
    assert engine.is_engine(records.env.context)
    assert (options.reason, options.automated, options.keep_deadlines) == (
        "Escalation",
        True,
        False,
    )
    assert records.env.context["other"] == 1


def test_a_flag_of_another_key_is_not_the_engine():
    records = engine.with_flags(Records(), wfmon_engine=True)
    assert not engine.is_engine(records.env.context), "the engine flag carries EngineOptions"
