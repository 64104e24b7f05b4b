"""Shared by the Python benchmarks: start `gatehouse serve` on an ephemeral port and stop it."""
import re
import shutil
import subprocess
from contextlib import contextmanager


@contextmanager
def gateway(binary, config_dir, env):
    """Runs `gatehouse serve --config config_dir`; yields the port it listens on; stops it and removes the folder."""
    process = subprocess.Popen([binary, "serve", "--config", str(config_dir)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        port = None
        while port is None:
            line = process.stdout.readline()
            if not line:
                raise SystemExit("gatehouse did not start")
            match = re.search(r"127\.0\.0\.1:(\d+)", line)
            port = int(match.group(1)) if match else None
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(config_dir, ignore_errors=True)
