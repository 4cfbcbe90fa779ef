"""The README's library example and command list stay true: run them."""

import re

import pytest

from studylib import paths
from studylib.cli import build_parser
from studylib.report.rich import to_plain

README = (paths.ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_library_example_runs(monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    # the library, the report (which continues it), the report's sections, the CFA tables
    assert len(blocks) == 4
    monkeypatch.chdir(paths.ROOT)  # the example uses paths relative to the checkout
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["sentence"].startswith("*F*(2, 246) = 13.86, *p* < .001")
    assert namespace["fit"].indirect.shape[0] == 7  # 2 moderated paths x 3 groups + 1 unmoderated
    assert len(namespace["kept"]) == namespace["log"].n_after
    assert "Cronbach's alpha" in capsys.readouterr().out
    assert namespace["part"].sentences[-1].startswith("Comment valence × Influencer response: *F*(2, 246) = 13.86")
    cfa_sentence = to_plain(namespace["measurement_sentence"](namespace["res"], namespace["labels"]))
    assert "the largest HTMT, between PSR and PK, was .68, 95% bootstrap CI [.56, .78]" in cfa_sentence


BASH = "\n".join(re.findall(r"```bash\n(.*?)```", README, flags=re.S))


@pytest.mark.parametrize("command", sorted(set(re.findall(r"^studylib (\w+)", BASH, flags=re.M))))
def test_readme_commands_exist(command):
    subparsers = build_parser()._subparsers._group_actions[0].choices
    assert command in subparsers
