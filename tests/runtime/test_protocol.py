"""Parsing client messages: actions, control commands, and a clear error for everything else."""

import base64

import pytest

from neuralcomputer.actions import Action
from neuralcomputer.runtime.protocol import (
    MAX_MESSAGE_CHARS,
    ChooseModel,
    ProtocolError,
    Reboot,
    Record,
    SetTruth,
    parse_message,
)


def parse(text: str):
    return parse_message(text, 128, 128)


def test_actions_and_commands():
    assert parse('{"mouse": [3, 4], "button": "down"}') == Action(mouse=(3, 4), button="down")
    assert parse("{}") == Action()
    assert parse('{"type": "reboot"}') == Reboot()
    assert parse('{"type": "reboot", "png": "%s"}' % base64.b64encode(b"png!").decode()) == Reboot(b"png!")
    assert parse('{"type": "truth", "on": true}') == SetTruth(True)
    assert parse('{"type": "model", "name": "desktop"}') == ChooseModel("desktop")
    assert parse('{"type": "record"}') == Record()


@pytest.mark.parametrize(
    "text, match, dropped",
    [
        ("{mouse", "malformed JSON", 1),
        ("[" * 100_000 + "]" * 100_000, "malformed JSON", 1),
        ('{"mouse": [%s, 1]}' % ("9" * 5000), "malformed JSON", 1),
        ("[1, 2]", "expected a JSON object", 1),
        ('{"mouse": [200, 5]}', "off screen", 1),
        ('{"mouse": ["1", 5]}', "two integers", 1),
        ('{"key": "F13"}', "not a printable ASCII character", 1),
        ('{"key": ["a"]}', "field 'key'", 1),
        ('{"hold": [["Up"]]}', "field 'hold'", 1),
        ('{"click": true}', "unknown field 'click'", 1),
        ('{"type": "reset"}', "unknown message type 'reset'", 0),
        ('{"type": 5}', "unknown message type 5", 0),
        ('{"type": "truth", "on": "yes"}', "must be true or false", 0),
        ('{"type": "truth", "on": true, "x": 1}', "unknown fields x", 0),
        ('{"type": "reboot", "png": "not base64!"}', "not valid base64", 0),
        ('{"type": "model", "name": 3}', "must be a string", 0),
        ('{"key": "%s"}' % ("a" * MAX_MESSAGE_CHARS), "over the limit", 1),
    ],
)
def test_bad_messages(text, match, dropped):
    with pytest.raises(ProtocolError, match=match) as error:
        parse(text)
    assert error.value.dropped == dropped
