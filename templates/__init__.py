"""Jinja2 templates shipped with yuqing (dashboard pages, release drafts, digests).

Operators override any of them by putting a file with the same relative path
in the folder named by the ``templates_dir`` setting.
"""
