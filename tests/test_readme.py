"""The README's library example and command list stay true: run them."""

import re

import pytest

from studylib import paths
from studylib.cli import build_parser

README = (paths.ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_library_example_runs(monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(blocks) == 2  # the library, then the report (which continues it)
    monkeypatch.chdir(paths.ROOT)  # the example uses paths relative to the checkout
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["sentence"].startswith("*F*(2, 246) = 13.86, *p* < .001")
    assert namespace["fit"].indirect.shape[0] == 7  # 2 moderated paths x 3 groups + 1 unmoderated
    assert len(namespace["kept"]) == namespace["log"].n_after
    assert "Cronbach's alpha" in capsys.readouterr().out


BASH = "\n".join(re.findall(r"```bash\n(.*?)```", README, flags=re.S))


@pytest.mark.parametrize("command", sorted(set(re.findall(r"^studylib (\w+)", BASH, flags=re.M))))
def test_readme_commands_exist(command):
    subparsers = build_parser()._subparsers._group_actions[0].choices
    assert command in subparsers
