"""The built wheel carries the templates and the demo corpus, and an installed copy finds them."""

import subprocess
import sys
import zipfile

from support import ROOT


def test_installed_copy_finds_shipped_files(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("yuqing-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "templates/dashboard/status.html" in names and "crawlers/demo/corpus.jsonl" in names
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(tmp_path / "site"), str(wheel)], check=True, capture_output=True, timeout=300)
    probe = ("from pipeline.templating import shipped_dir; from crawlers.demo.server import load_corpus; "
             "print(shipped_dir()); print(len(load_corpus()))")
    out = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r}); "
                          + probe], capture_output=True, text=True, cwd=tmp_path, check=True)
    where, rows = out.stdout.split()
    assert where.startswith(str(tmp_path / "site")) and int(rows) > 0
