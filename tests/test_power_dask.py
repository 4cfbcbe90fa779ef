"""Power replications on a Dask cluster (joblib's dask backend) equal those of one process.

Starts a LocalCluster of two worker processes (the ``cluster`` extra, which ``make test``
installs); without dask.distributed the tests are skipped and say why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed", reason="needs the 'cluster' extra (dask[distributed])")

import joblib  # noqa: E402

import studylib  # noqa: E402

STUDY = Path(__file__).parent / "studies" / "study_2x2.yaml"
KW = dict(n_grid=[10, 16], reps=40, draws=200, seed=21, progress=False)


@pytest.fixture(scope="module")
def cluster():
    import dask

    env = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 268_435_456,
           "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 33_554_432}
    with dask.config.set(env), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=40) as c:
        yield c


def test_local_cluster_gives_the_tables_of_one_process(cluster):
    local = studylib.power(STUDY, n_jobs=1, **KW).power
    with distributed.Client(cluster) as client, joblib.parallel_config(backend="dask"):
        with distributed.get_task_stream(client) as stream:
            remote = studylib.power(STUDY, **KW).power
        workers = {task["worker"] for task in stream.data}
    assert stream.data and workers <= set(cluster.scheduler_info["workers"])  # ran there
    pd.testing.assert_frame_equal(local, remote)


def test_cli_scheduler_option_runs_on_the_cluster(cluster, tmp_path, capsys):
    from studylib.cli import main

    out = tmp_path / "p.json"
    args = ["power", "--config", str(STUDY), "--grid", "10", "16", "--reps", "40", "--draws",
            "200", "--seed", "21", "--quiet", "--json", str(out)]
    assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
    remote = json.loads(out.read_text())["power"]
    local = studylib.power(STUDY, n_jobs=1, **KW).power
    assert [r["power"] for r in remote] == local["power"].tolist()
    capsys.readouterr()
