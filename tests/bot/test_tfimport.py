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


def test_library_pages_are_released_and_come_back_when_used() -> None:
    import numpy as np

    from bot.tfimport import release_library_pages

    package = Path(np.__file__).parent
    before = np.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]]))  # its libraries are mapped
    advised = release_library_pages(package)
    assert advised > 0  # Linux 5.4+ (MADV_PAGEOUT): the read-only mappings were advised
    assert np.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]])).tolist() == before.tolist()
    assert release_library_pages(package / "no-such-folder") == 0
