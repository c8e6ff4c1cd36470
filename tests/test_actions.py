import json

import numpy as np
import pytest

from neuralcomputer.actions import (
    HOLD_KEYS,
    KEYS,
    Action,
    ActionError,
    decode_actions,
    encode_actions,
    parse_action_line,
    read_action_log,
    write_action_log,
)
from neuralcomputer.errors import UserError


def test_json_and_encoding_round_trip():
    actions = [
        Action(),
        Action(mouse=(0, 127)),
        Action(button="down"),
        Action(mouse=(5, 6), button="up", key="Enter"),
        Action(hold=("Up", "Left", "Ctrl")),
        Action(key="w", hold=tuple(HOLD_KEYS)),
        *[Action(key=k) for k in KEYS],
    ]
    rows = encode_actions(actions)
    assert rows.shape == (len(actions), 5) and rows.min() >= -1 and rows.dtype == np.int16
    assert decode_actions(rows) == actions
    for a in actions:
        assert Action.from_json(json.loads(json.dumps(a.to_json())), 128, 128) == a


def test_log_round_trip(tmp_path):
    actions = [Action(mouse=(3, 4)), Action(key='"'), Action(button="down"), Action(), Action(hold=("Down", " "))]
    write_action_log(tmp_path / "a.jsonl", actions)
    assert read_action_log(tmp_path / "a.jsonl", 128, 128) == actions


@pytest.mark.parametrize(
    "line, words",
    [
        ("{", "malformed JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"mouse": [128, 0]}', "off screen"),
        ('{"mouse": [-1, 0]}', "off screen"),
        ('{"mouse": [1.5, 0]}', "two integers"),
        ('{"mouse": [1]}', "two integers"),
        ('{"button": "middle"}', "'button'"),
        ('{"key": "F1"}', "'key'"),
        ('{"key": "ab"}', "'key'"),
        ('{"wheel": 1}', "unknown field 'wheel'"),
        ('{"hold": "Up"}', "'hold'"),
        ('{"hold": ["Up", "F1"]}', "'hold'"),
        ('{"hold": ["Up", "Up"]}', "twice"),
        ('{"key": {}}', "'key'"),
        ('{"button": []}', "'button'"),
        ('{"hold": [["Up"]]}', "'hold'"),
    ],
)
def test_bad_actions_are_named(line, words):
    with pytest.raises(ActionError, match=words):
        parse_action_line(line, 128, 128, where="x.jsonl:3")
    with pytest.raises(ActionError, match="x.jsonl:3"):
        parse_action_line(line, 128, 128, where="x.jsonl:3")


def test_bad_log_names_its_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"key": "a"}\n\n{"key": "Enter"}\n{"mouse": [1, 999]}\n')
    with pytest.raises(ActionError, match=r"bad.jsonl:4: field 'mouse'"):
        read_action_log(path, 128, 128)
    with pytest.raises(UserError, match="no such action log"):
        read_action_log(tmp_path / "missing.jsonl", 128, 128)


def test_hold_is_canonical_and_version_1_logs_stay_valid():
    assert Action.from_json({"hold": ["Left", "Up"]}, 128, 128) == Action(hold=("Up", "Left"))
    assert Action.from_json({"hold": []}, 128, 128) == Action()
    assert Action.from_json({"mouse": [1, 2], "button": "down", "key": "a"}, 128, 128).hold == ()
