"""Security: no unpickling or eval in the package, skops with an allow-list, no network use."""

import re

from tests.conftest import ROOT, SEED

FORBIDDEN = re.compile(r"\b(pickle\.loads?|joblib\.load|cloudpickle\.loads?|eval)\s*\(")


def test_no_pickle_joblib_or_eval_in_the_package():
    offenders = []
    for path in sorted((ROOT / "analysis").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN.search(line.split("#")[0]):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_shipped_models_need_no_types_beyond_the_allow_list():
    from analysis.models import TRAINED_MODELS, model_path
    from analysis.models.store import untrusted_types

    for name in TRAINED_MODELS:
        assert untrusted_types(model_path(name)) == [], name


GUARD = '''
import socket
_connect = socket.socket.connect
def _guarded(self, address, *args):
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        raise OSError("network access blocked by the test: " + repr(address))
    return _connect(self, address, *args)
socket.socket.connect = _guarded
socket.socket.connect_ex = lambda self, address: _guarded(self, address) or 0
'''


def test_commands_make_no_network_connection(cli, tmp_path):
    (tmp_path / "sitecustomize.py").write_text(GUARD)
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT}", "HF_HUB_OFFLINE": "1"}
    assert cli("classify", SEED, "--format", "json", env=env).returncode == 0
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    done = cli("batch", articles, "-o", tmp_path / "out.parquet", env=env)
    assert done.returncode == 0, done.stderr
    done = cli("report", SEED, "-o", tmp_path / "report.html", env=env)
    assert done.returncode == 0, done.stderr
    # The guard itself works: a real outbound connection is refused.
    probe = tmp_path / "probe.py"
    probe.write_text("import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
                     "except OSError as e:\n    print('blocked' if 'blocked' in str(e) else 'other')\n")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True,
                         env={"PYTHONPATH": str(tmp_path)}).stdout
    assert out.strip() == "blocked"
