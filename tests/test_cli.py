"""Tests of the ``studylib`` command as a whole (studylib.cli): help texts and shared flags."""

from __future__ import annotations

import pytest

from studylib.cli import _COMMANDS, main


@pytest.mark.parametrize("command", _COMMANDS)
def test_help_of_every_command_renders_cleanly(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: studylib {command}")
    assert "%%" not in text  # argparse does not %-format descriptions: "%%" would show as is
    assert "--json FILE" in text  # every command offers machine-readable output the same way
