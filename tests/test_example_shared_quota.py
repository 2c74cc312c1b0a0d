"""examples/shared_quota.py runs as a user would run it: worker processes, one private
redis-server, the emulator's quota kept between them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ._redis_server import running_redis

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shared_quota.py"


def test_workers_share_one_quota_and_print_their_rates() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    with running_redis() as server:
        command = [sys.executable, str(EXAMPLE), "--redis", server.url, "--workers", "3"]
        result = subprocess.run(
            [*command, "--requests", "30", "--per", "1", "--seconds", "3"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "3 workers share that quota through unix://" in out
    rates = re.findall(r"^worker \d: (\d+) requests, [\d.]+ per second$", out, re.MULTILINE)
    assert len(rates) == 3 and all(int(rate) > 0 for rate in rates)
    total = re.search(r"^total: (\d+) requests; [\d.]+ per 1 s window .* 429s: 0$", out, re.M)
    assert total is not None and int(total.group(1)) == sum(map(int, rates))
