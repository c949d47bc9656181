# -*- coding: utf-8 -*-
"""Support for tests/serving: run the stack's shell functions (stack/lib/*.sh) for a stack
of the test's own — a temporary state folder, the suite's virtualenv, a free port."""
from __future__ import annotations

import os
import socket
import subprocess
import urllib.parse

from ckan.common import config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV = os.environ.get("GOVSHARE_VENV") or os.path.join(
    os.environ.get("GOVSHARE_STATE") or os.path.join(ROOT, ".stack"), "venv")
# the Redis database of the processes these tests start (not the suite's own)
REDIS_DB = os.environ.get("GOVSHARE_SERVING_REDIS_DB", "12")
LIBS = ("common", "python", "postgres", "redis", "solr", "ckan", "uwsgi", "nginx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str:
    """The suite's Redis server (CKAN_REDIS_URL, set by ./stack.sh test), database REDIS_DB."""
    suite = urllib.parse.urlsplit(os.environ.get("CKAN_REDIS_URL") or config.get("ckan.redis.url"))
    return f"redis://{suite.netloc}/{REDIS_DB}"


def run(state: str, script: str, port: int | None = None, check: bool = True,
        **env: str) -> subprocess.CompletedProcess:
    """Run ``script`` (shell) with the stack's functions, for the stack whose state folder is
    ``state``; output captured."""
    libs = " ".join(f'source "$ROOT/stack/lib/{lib}.sh";' for lib in LIBS)
    full_env = dict(os.environ, GOVSHARE_STATE=state, GOVSHARE_VENV=VENV, ROOT=ROOT,
                    CKAN_REDIS_URL=redis_url(), **env)
    full_env.pop("CKAN_INI", None)
    if port is not None:
        full_env["GOVSHARE_CKAN_PORT"] = str(port)
    return subprocess.run(["bash", "-c", f"set -euo pipefail; {libs} {script}"], check=check,
                          timeout=240, capture_output=True, text=True, env=full_env)
