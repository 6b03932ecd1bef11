"""The package installed from its wheel, far from the checkout, works with no network.

The wheel is built from the checkout, installed into a new virtual environment in a temporary
folder, and `territory demo`, `map`, `report` and `serve` run from there in a network
namespace of their own that has only a loopback interface. The environment borrows the
test environment's installed dependencies (a path file), never its `territory`: the test
checks that `territory` is imported from the new environment's own site-packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PORT = 5097

pytestmark = pytest.mark.slow

SERVE_AND_FETCH = f"""
set -e
ip link set lo up
territory serve --workspace ws.gpkg --port {PORT} > serve.log 2>&1 &
server=$!
python - <<'EOF'
import time, urllib.request
base = "http://127.0.0.1:{PORT}"
for _ in range(240):
    try:
        page = urllib.request.urlopen(base + "/planification", timeout=5).read().decode()
        break
    except OSError:
        time.sleep(0.5)
else:
    raise SystemExit("the server did not answer")
leaflet = urllib.request.urlopen(base + "/territoire-js/leaflet/dist/leaflet-src.esm.js").read()
print("page", len(page), "leaflet", len(leaflet))
EOF
kill $server
"""


def _isolated() -> list[str]:
    """The command prefix that runs a command without network (a new network namespace)."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], check=False).returncode == 0:
        return [unshare, "-rn"]
    if os.environ.get("CI"):
        pytest.fail("cannot make a network namespace (unshare -rn) to run without network")
    pytest.skip("no network namespace on this machine (unshare -rn)")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(out), str(ROOT)], check=True)
    (path,) = out.glob("territory-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment holding the wheel; returns its ``bin`` folder."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv)}))
    # The dependencies come from the test environment; `territory` does not (an editable
    # install is a path hook that a plain path entry does not activate).
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv / "bin"


def test_the_wheel_carries_the_base_and_the_browser_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"territory/data/nouvelle-aquitaine.gpkg",
                "territory/data/nouvelle-aquitaine.manifest.json",
                "territory/static/leaflet/dist/leaflet.js",
                "territory/static/leaflet/dist/leaflet-src.esm.js",
                "territory/static/leaflet/LICENSE",
                "territory/static/coverage_map.js", "territory/static/coverage_map.css",
                "territory/dashboards/index.html", "territory/py.typed"}
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("dashboards/", "tests/", "geodata/")) for n in names)


def test_the_installed_package_runs_without_network(installed: Path, tmp_path: Path) -> None:
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "MPLBACKEND": "Agg"}
    run = _isolated()

    def territory(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*run, str(installed / "territory"), *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    where = subprocess.run([*run, str(installed / "python"), "-c",
                            "import territory; print(territory.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(installed.parent)), where.stdout

    territory("demo", "--workspace", "ws.gpkg")
    territory("map", "--workspace", "ws.gpkg", "--out", "carte.html")
    territory("report", "--workspace", "ws.gpkg", "--out", "rapport.pdf")
    assert "leaflet" in (tmp_path / "carte.html").read_text(encoding="utf-8").lower()
    assert (tmp_path / "rapport.pdf").read_bytes().startswith(b"%PDF")

    served = subprocess.run([*run, "bash", "-c", SERVE_AND_FETCH], cwd=tmp_path, env=env,
                            capture_output=True, text=True, check=False, timeout=300)
    log = (tmp_path / "serve.log").read_text() if (tmp_path / "serve.log").exists() else ""
    assert served.returncode == 0, served.stdout + served.stderr + log
    assert served.stdout.startswith("page"), served.stdout
