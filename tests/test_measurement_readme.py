"""The README's "Measurement model" example stays true: run it as a doctest."""

import doctest
import re

from studylib import paths

README = (paths.ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_measurement_example_runs():
    section = README.split("## Measurement model\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```pycon\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1
    test = doctest.DocTestParser().get_doctest(blocks[0], {}, "README measurement", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted == 9
    assert result.failed == 0
