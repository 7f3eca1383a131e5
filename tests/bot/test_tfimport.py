"""TensorFlow's native start-up lines go to the log file, and stderr works as before after;
Keras' optional imports that sentibot does not use are skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import REPO

SCRIPT = """
import sys
from pathlib import Path
from bot.tfimport import import_tensorflow
print("before", file=sys.stderr, flush=True)
import_tensorflow(Path("logs/native.log"))
import_tensorflow(Path("logs/native.log"))  # already imported: nothing happens
print("after", file=sys.stderr, flush=True)
print(sorted({"matplotlib", "sklearn", "scipy", "PIL"} & set(sys.modules)))
import matplotlib  # hidden only while TensorFlow loads: the charts still have it
print(matplotlib.__name__)
"""


def test_native_start_up_lines_go_to_the_log_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert done.stderr == "before\nafter\n"
    assert done.stdout == "[]\nmatplotlib\n"  # Keras' unused optional imports were skipped
    assert "absl::InitializeLog" in (tmp_path / "logs" / "native.log").read_text()
