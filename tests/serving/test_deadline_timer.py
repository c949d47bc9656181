# -*- coding: utf-8 -*-
"""The deadline timer of ./stack.sh demo (stack/lib/ckan.sh: ckan_deadlines_start/stop): a
loop under the stack's supervision that runs ``ckan govshare deadlines`` at once and then
every GOVSHARE_DEADLINES_EVERY minutes, and ends at once, with its child, when stopped by
its pid file. Runs against the test database, in a temporary state folder (~15 s)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

from tests.serving import stack
from tests.serving.stack import ROOT


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_timer_runs_the_deadline_command_and_stops_by_pid_file():
    state = tempfile.mkdtemp(prefix="govshare-timer-")
    ini = os.path.join(ROOT, "test.ini")
    log = os.path.join(state, "log", "ckan-deadlines.log")
    pidfile = os.path.join(state, "run", "ckan-deadlines.pid")
    try:
        started = stack.run(state, f'ckan_deadlines_start "{ini}"', check=False, GOVSHARE_DEADLINES_EVERY="1")
        assert started.returncode == 0, started.stderr
        assert "every 1 min" in started.stdout
        pid = int(open(pidfile).read())
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and "== exit" not in open(log, encoding="utf-8").read():
            time.sleep(0.5)
        text = open(log, encoding="utf-8").read()
        assert "== exit 0" in text, text[-2000:]
        assert "reminded:" in text          # the command's own summary line
        # between two runs the loop waits in a child `sleep 60`
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
        child_pids = [int(p) for p in children.stdout.split()]
        assert child_pids

        t0 = time.monotonic()
        stopped = stack.run(state, "ckan_deadlines_stop", check=False)
        assert stopped.returncode == 0, stopped.stderr
        assert time.monotonic() - t0 < 5
        assert not _alive(pid) and not os.path.exists(pidfile)
        time.sleep(0.3)
        assert not any(_alive(p) for p in child_pids)

        refused = stack.run(state, f'ckan_deadlines_start "{ini}"', check=False, GOVSHARE_DEADLINES_EVERY="soon")
        assert refused.returncode != 0 and "whole number of minutes" in refused.stderr
    finally:
        stack.run(state, "ckan_deadlines_stop", check=False)
        shutil.rmtree(state, ignore_errors=True)
