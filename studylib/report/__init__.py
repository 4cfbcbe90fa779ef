"""Reporting: APA-style tables, figures and the self-contained HTML report.

Submodules are imported explicitly (``from studylib.report import html``).
"""
