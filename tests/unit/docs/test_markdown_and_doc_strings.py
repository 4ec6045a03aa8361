# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What users read renders as written: no Markdown table is cut in two by a blank line, and no
documentation string escapes a parenthesis inside C(...), which ansible-doc prints as a stray
backslash and quote (``secret_key (HW_SECRET_KEY\\' was refused``)."""

from __future__ import annotations

import glob
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MARKDOWN = sorted(glob.glob(os.path.join(ROOT, '*.md')) + glob.glob(os.path.join(ROOT, 'docs', '*.md'))
                  + glob.glob(os.path.join(ROOT, 'tests', 'emulator', '*.md'))
                  + glob.glob(os.path.join(ROOT, 'benchmarks', '*.md')))
DOCUMENTED = sorted(glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))
                    + glob.glob(os.path.join(ROOT, 'plugins', 'doc_fragments', '*.py'))
                    + glob.glob(os.path.join(ROOT, 'plugins', 'filter', '*.yml'))
                    + glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))


def table_breaks(text):
    """Line numbers where a table row follows a blank line that follows a row of as many columns:
    one table that the blank line cut into two."""
    lines = text.splitlines()
    breaks = []
    in_fence = False
    for number, line in enumerate(lines):
        if line.startswith('```'):
            in_fence = not in_fence
        if in_fence or number < 2:
            continue
        before, gap = lines[number - 2], lines[number - 1]
        if line.startswith('|') and not gap.strip() and before.startswith('|') \
                and line.count('|') == before.count('|') and not re.match(r'^\|[-| :]+\|$', line):
            breaks.append(number + 1)
    return breaks


def test_the_files_are_found():
    assert os.path.join(ROOT, 'README.md') in MARKDOWN and len(DOCUMENTED) > 10


@pytest.mark.parametrize('path', MARKDOWN, ids=lambda path: os.path.relpath(path, ROOT))
def test_no_markdown_table_is_cut_by_a_blank_line(path):
    with open(path, encoding='utf-8') as handle:
        assert table_breaks(handle.read()) == []


def test_a_cut_table_is_seen():
    assert table_breaks('| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n') == [5]


@pytest.mark.parametrize('path', DOCUMENTED, ids=lambda path: os.path.relpath(path, ROOT))
def test_no_escaped_parenthesis_in_documentation(path):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    assert '\\)' not in text.split("EXAMPLES = r'''")[0].replace("r'(?<!\\\\)", '')
