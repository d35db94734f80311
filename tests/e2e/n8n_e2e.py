"""End-to-end test of the n8n templates in docs/n8n/ against a real n8n and a real Odoo.

Run by ``make e2e-n8n`` (scripts/e2e-n8n.sh), which CI runs after ``make test``:

1. n8n 2.41.1 on Node 24 from the cache outside the clone (n8n_install.py builds it
   when the cache is cold; if that fails the run stops with one line saying why).
2. Odoo with the suite on a database of its own: a copy of the database ``make test``
   just built (``WFMON_TEST_DB``) when it has the suite installed, else a fresh install
   with demo data. Loopback only, one cron thread, as in production.
3. In Odoo, through JSON-RPC as a real administrator: a webhook endpoint pointing at the
   receive template, a second one with a wrong secret, an inbound source for the signed
   template, and a user of the Operations Monitor Manager group with an API key made
   through the password check of the user preferences.
4. The repository's template files imported UNCHANGED with ``n8n import:workflow
   --input=FILE``, published with ``n8n publish:workflow --id=...``, then n8n started.
   Sub-workflows are called from a small caller workflow (tests/e2e/n8n/) the way an
   application workflow would call them.
5. The round trips, each printed as ``ok`` or ``FAIL``:
   - Odoo's dispatcher (its cron) delivers ``case.opened`` and ``case.updated`` into the
     receive template: 204, and n8n's execution shows the verified event on its branch;
     the endpoint with the wrong secret gets 401; forged, tampered, re-serialized, stale,
     future, unsigned and ``v2,`` requests get 401; ``case.escalated`` and ``case.breached``
     envelopes signed with the endpoint's secret take their branches; in a variant, a
     branch that fails is answered 500 (so wfmon retries) and one that drops its item 200;
   - the signed write-back creates a recommendation through the inbound source, retries a
     503 and a lost answer with the same webhook-id, and Odoo stores it once;
   - the JSON-RPC write-back creates a recommendation with the API key, forwards
     ``external_id`` and reports Odoo's refusal of an unknown case;
   - the classifier template (rules stub) proposes a category through the signed template:
     a clear text is proposed at high confidence, an unclear one lands in manual review;
   - the summariser template reads the case's deterministic digest over JSON-RPC and
     writes its summary back as a recommendation of kind "summary", beside the digest;
   - the recommendations show on the case, read back through JSON-RPC.
6. Everything started is stopped, whatever happens; the whole run has a hard time limit.

Closing line: ``wfmon-n8n: N passed, M failed``. ``--bench N`` also measures the receive
template (N signed deliveries: requests/s and p95 latency).
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg2
import requests
from standardwebhooks import Webhook, WebhookVerificationError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import n8n_install  # noqa: E402
from n8n_support import flatted_parse, forgeries, percentile, signed_headers  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = REPO / "docs" / "n8n"
CALLER = Path(__file__).resolve().parent / "n8n" / "wfmon-e2e-caller.json"
RECEIVE_ID = "wfmonReceiveEvents"
SIGNED_ID = "wfmonRecommendSigned"
JSONRPC_ID = "wfmonRecommendJsonRpc"
CLASSIFY_ID = "wfmonClassifyCase"
SUMMARISE_ID = "wfmonSummariseCase"
FAILING_ID = "wfmonE2eReceiveFailing"
BOT_LOGIN = "n8n-e2e-bot"


class Timeout(Exception):
    pass


class Abort(Exception):
    """A step the rest depends on failed; the message says which."""


def say(text):
    print(f"n8n-e2e: {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, probe, timeout, interval=0.5, proc=None):
    """Poll ``probe()`` until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if proc is not None and proc.exited():
            raise Abort(f"{proc.name} exited with {proc.popen.returncode} ({proc.log_path})")
        try:
            result = probe()
            if result:
                return result
        except (requests.RequestException, sqlite3.Error, OSError) as exc:
            last_error = exc
        time.sleep(interval)
    raise Abort(
        f"{what}: not within {timeout}s" + (f" (last error: {last_error})" if last_error else "")
    )


# ---------------------------------------------------------------------------------------------
# processes
# ---------------------------------------------------------------------------------------------
class Proc:
    """A child process in its own process group, output to a log file."""

    running = []

    def __init__(self, name, cmd, log_path, env):
        self.name, self.log_path = name, log_path
        self.log = open(log_path, "wb")
        self.popen = subprocess.Popen(
            [str(c) for c in cmd],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        Proc.running.append(self)

    def exited(self):
        return self.popen.poll() is not None

    def stop(self, grace=20):
        if not self.exited():
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
            except ProcessLookupError:
                pass
        self.log.close()
        if self in Proc.running:
            Proc.running.remove(self)

    @classmethod
    def stop_all(cls):
        for proc in reversed(list(cls.running)):
            proc.stop()


# ---------------------------------------------------------------------------------------------
# Odoo
# ---------------------------------------------------------------------------------------------
class Odoo:
    def __init__(self, args, run_dir):
        self.args = args
        self.run_dir = run_dir
        self.db = args.db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = run_dir / "odoo.log"
        self.proc = None

    # database ------------------------------------------------------------------------------
    def _pg(self, dbname="postgres"):
        conn = psycopg2.connect(
            host=os.environ.get("WFMON_PGHOST", "127.0.0.1"),
            port=os.environ.get("WFMON_PGPORT", "54329"),
            user=os.environ.get("WFMON_DB_USER", "odoo"),
            password=os.environ.get("WFMON_DB_PASSWORD", "odoo"),
            dbname=dbname,
            connect_timeout=10,
        )
        conn.autocommit = True
        return conn

    def _suite_installed(self, db):
        conn = self._pg()
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
                if not cr.fetchone():
                    return False
        finally:
            conn.close()
        try:
            conn = self._pg(db)
        except psycopg2.Error:
            return False
        try:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM ir_module_module "
                    "WHERE name = ANY(%s) AND state = 'installed'",
                    (self.args.modules,),
                )
                return cr.fetchone()[0] == len(self.args.modules)
        except psycopg2.Error:
            return False
        finally:
            conn.close()

    def _filestore(self, db):
        base = Path(os.environ.get("WFMON_ODOO_DATA_DIR", REPO / ".run" / "odoo-data"))
        return base / "filestore" / db

    def prepare_database(self):
        source = self.args.source_db
        conn = self._pg()
        with conn.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        shutil.rmtree(self._filestore(self.db), ignore_errors=True)
        if not self.args.fresh and source and self._suite_installed(source):
            try:
                with conn.cursor() as cr:
                    cr.execute(f'CREATE DATABASE "{self.db}" TEMPLATE "{source}"')
                if self._filestore(source).is_dir():
                    shutil.copytree(self._filestore(source), self._filestore(self.db))
                say(f"database {self.db}: a copy of {source} (built by make test)")
                conn.close()
                return
            except psycopg2.Error as exc:
                say(f"cannot copy {source} ({str(exc).strip()}); installing a fresh database")
        conn.close()
        say(f"database {self.db}: installing {','.join(self.args.modules)} with demo data")
        started = time.monotonic()
        cmd = [
            *self._odoo_cmd(),
            "-i",
            ",".join(self.args.modules),
            "--stop-after-init",
            "--max-cron-threads",
            "0",
        ]
        with open(self.run_dir / "odoo-install.log", "wb") as log:
            rc = subprocess.run(
                cmd,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=self.args.install_timeout,
                check=False,
            ).returncode
        if rc:
            raise Abort(f"Odoo could not install the suite (exit {rc}, {self.log_path})")
        say(f"installed in {time.monotonic() - started:.0f}s")

    # server --------------------------------------------------------------------------------
    def _odoo_cmd(self):
        launcher = os.environ.get("WFMON_ODOO", "").split() or [sys.executable, "-m", "odoo"]
        return [
            *launcher,
            "-c",
            self.args.odoo_conf,
            "-d",
            self.db,
            "--db-filter",
            f"^{self.db}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--workers",
            "0",
            "--logfile",
            str(self.log_path),
            "--log-level",
            "info",
        ]

    def _env(self):
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env["TZ"] = "UTC"
        return env

    def start(self):
        self.proc = Proc(
            "odoo",
            [*self._odoo_cmd(), "--max-cron-threads", "1"],
            self.run_dir / "odoo.stdout",
            self._env(),
        )
        wait_for(
            "Odoo answering on /web/health",
            lambda: requests.get(f"{self.url}/web/health", timeout=5).status_code == 200,
            120,
            proc=self.proc,
        )
        say(f"Odoo up on {self.url} (database {self.db}, log {self.log_path})")


class Rpc:
    """``/jsonrpc`` as an outside program calls it: login (or uid) and password or API key."""

    def __init__(self, url, db, login, secret, uid=None):
        self.url, self.db, self.secret = url, db, secret
        self.uid = uid or self._call("common", "login", db, login, secret)
        if not self.uid:
            raise Abort(f"Odoo refused the login {login}")

    def _call(self, service, method, *args):
        response = requests.post(
            f"{self.url}/jsonrpc",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"service": service, "method": method, "args": list(args)},
            },
            timeout=60,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise RpcError(body["error"].get("data", {}).get("message") or body["error"])
        return body["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self._call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.secret,
            model,
            method,
            list(args),
            kwargs,
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        if not rows:
            raise Abort(f"no record {xmlid}")
        return rows[0]["res_id"]


class RpcError(Exception):
    pass


def make_api_key(url, db, login, password):
    """An API key made the way a user makes one in Preferences > Account Security:
    a web session, the key wizard, the password check, the key shown once."""
    web = requests.Session()
    web.trust_env = False

    def call_kw(model, method, args, kwargs=None):
        response = web.post(
            f"{url}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            },
            timeout=60,
        )
        body = response.json()
        if "error" in body:
            raise RpcError(body["error"].get("data", {}).get("message") or body["error"])
        return body["result"]

    response = web.post(
        f"{url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
        timeout=60,
    )
    if "error" in response.json():
        raise Abort(f"web login of {login} failed")
    wizard = call_kw("res.users.apikeys.description", "create", [{"name": "n8n e2e"}])
    action = call_kw("res.users.apikeys.description", "make_key", [[wizard]])
    if action.get("res_model") == "res.users.identitycheck":
        check = action["res_id"]
        call_kw("res.users.identitycheck", "write", [[check], {"password": password}])
        action = call_kw("res.users.identitycheck", "run_check", [[check]])
    key = (action.get("context") or {}).get("default_key")
    if not key:
        raise Abort(f"no API key in Odoo's answer: {action}")
    return key


# ---------------------------------------------------------------------------------------------
# n8n
# ---------------------------------------------------------------------------------------------
class N8n:
    def __init__(self, install, run_dir):
        self.install = install
        self.home = run_dir / "n8n-home"
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        self.port = free_port()
        self.broker_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.run_dir = run_dir
        self.extra_env = {}
        self.proc = None

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(
            PATH=f"{self.install.node.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            N8N_USER_FOLDER=str(self.home),
            N8N_LISTEN_ADDRESS="127.0.0.1",
            N8N_HOST="127.0.0.1",
            N8N_PORT=str(self.port),
            N8N_PROTOCOL="http",
            N8N_WEBHOOK_URL=f"{self.url}/",
            N8N_RUNNERS_BROKER_LISTEN_ADDRESS="127.0.0.1",
            N8N_RUNNERS_BROKER_PORT=str(self.broker_port),
            # No outbound calls: telemetry, version checks, templates, banners, modules.
            N8N_DIAGNOSTICS_ENABLED="false",
            N8N_VERSION_NOTIFICATIONS_ENABLED="false",
            N8N_TEMPLATES_ENABLED="false",
            N8N_PERSONALIZATION_ENABLED="false",
            N8N_HIRING_BANNER_ENABLED="false",
            N8N_COMMUNITY_PACKAGES_ENABLED="false",
            N8N_DISABLED_MODULES="mcp-registry,instance-ai,workflow-builder,community-packages",
            N8N_PUBLIC_API_DISABLED="true",
            EXTERNAL_FRONTEND_HOOKS_URLS="",
            N8N_DIAGNOSTICS_CONFIG_FRONTEND="",
            N8N_DIAGNOSTICS_CONFIG_BACKEND="",
            # What the templates need (docs/n8n/README.md).
            NODE_FUNCTION_ALLOW_BUILTIN="crypto",
            N8N_BLOCK_ENV_ACCESS_IN_NODE="false",
            N8N_ENCRYPTION_KEY="wfmon-e2e-" + self.home.name,
            N8N_SECURE_COOKIE="false",
            N8N_LOG_LEVEL="info",
            NO_PROXY="*",
        )
        env.update(self.extra_env)
        return env

    def cli(self, *args, timeout=180):
        proc = subprocess.run(
            self.install.command(*args),
            env=self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        with open(self.run_dir / "n8n-cli.log", "a", encoding="utf-8") as log:
            log.write(f"$ n8n {' '.join(args)}\n{proc.stdout}{proc.stderr}\n")
        return proc.returncode, proc.stdout + proc.stderr

    def start(self):
        self.proc = Proc("n8n", self.install.command("start"), self.run_dir / "n8n.log", self.env())
        wait_for(
            "n8n answering on /healthz",
            lambda: requests.get(f"{self.url}/healthz", timeout=5).status_code == 200,
            180,
            proc=self.proc,
        )
        say(f"n8n up on {self.url} (log {self.proc.log_path})")

    def post(self, path, body, headers, timeout=30):
        return requests.post(
            f"{self.url}/webhook/{path}", data=body, headers=headers, timeout=timeout
        )

    def call(self, workflow_id, item, timeout=60):
        """Run a write-back template through the caller workflow; return the response."""
        return requests.post(
            f"{self.url}/webhook/wfmon-e2e-call",
            json={"workflow": workflow_id, "item": item},
            timeout=timeout,
        )

    # executions ----------------------------------------------------------------------------
    def _db(self):
        path = self.home / ".n8n" / "database.sqlite"
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)

    def executions(self, workflow_id, needle, count=1, timeout=30):
        """The finished executions of ``workflow_id`` whose data contains ``needle``, once
        there are ``count`` of them: ``[(status, run data, error message)]``, oldest first."""

        def probe():
            conn = self._db()
            try:
                rows = conn.execute(
                    "SELECT e.status, d.data FROM execution_entity e "
                    "JOIN execution_data d ON d.executionId = e.id "
                    "WHERE e.workflowId = ? AND e.status IN ('success', 'error', 'crashed') "
                    "AND d.data LIKE ? ORDER BY e.id",
                    (workflow_id, f"%{needle}%"),
                ).fetchall()
            finally:
                conn.close()
            return len(rows) >= count and rows

        found = []
        for status, data in wait_for(
            f"n8n execution of {workflow_id} with {needle}", probe, timeout
        ):
            result = flatted_parse(data).get("resultData", {})
            error = (result.get("error") or {}).get("message", "")
            found.append((status, result.get("runData", {}), error))
        return found

    def execution(self, workflow_id, needle, timeout=30):
        """The last finished execution of ``workflow_id`` whose data contains ``needle``."""
        return self.executions(workflow_id, needle, timeout=timeout)[-1]


def node_output(run_data, node):
    """First output item (json) of ``node`` in an execution, or None."""
    try:
        return run_data[node][0]["data"]["main"][0][0]["json"]
    except (KeyError, IndexError, TypeError):
        return None


# ---------------------------------------------------------------------------------------------
# a loopback relay in front of the inbound URL, to make Odoo look down once
# ---------------------------------------------------------------------------------------------
class Relay:
    """Forwards n8n's signed requests to Odoo's inbound URL and records them. Requests
    whose ``external_id`` starts with ``e2e-503-once`` get a 503 the first time (Odoo never
    sees it); those starting with ``e2e-lost-answer`` reach Odoo but n8n gets a 502 the
    first time, as when an answer is lost. Every request is also checked with the
    ``standardwebhooks`` library."""

    def __init__(self, target_base, secret):
        self.target_base, self.webhook = target_base, Webhook(secret)
        # (external_id, webhook-id, timestamp, signature, verified, status to n8n, Odoo's)
        self.seen = []
        self.lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                relay.handle(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def handle(self, handler, body):
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            self.webhook.verify(body, headers)
            verified = True
        except WebhookVerificationError:
            verified = False
        try:
            external_id = json.loads(body)["data"].get("external_id") or ""
        except (ValueError, KeyError, AttributeError):
            external_id = ""
        msg_id = headers.get("webhook-id", "")
        with self.lock:
            first = not any(row[1] == msg_id for row in self.seen)
        odoo_status, status, answer = None, None, b""
        if first and external_id.startswith("e2e-503-once"):
            status, answer = 503, b'{"error": "relay: pretending Odoo is down"}'
        else:
            response = requests.post(
                self.target_base + handler.path,
                data=body,
                headers={
                    k: v
                    for k, v in headers.items()
                    if k.startswith("webhook-") or k == "content-type"
                },
                timeout=30,
            )
            odoo_status, answer = response.status_code, response.content
            status = 502 if first and external_id.startswith("e2e-lost-answer") else odoo_status
        with self.lock:
            self.seen.append(
                (
                    external_id,
                    msg_id,
                    headers.get("webhook-timestamp"),
                    headers.get("webhook-signature"),
                    verified,
                    status,
                    odoo_status,
                )
            )
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    def requests_for(self, external_id):
        with self.lock:
            return [row for row in self.seen if row[0] == external_id]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------------
# n8n must talk to nobody but 127.0.0.1
# ---------------------------------------------------------------------------------------------
class SocketWatch:
    """Samples ``ss`` every 0.2 s and records the peers of every TCP/UDP socket of a
    process group (n8n, its task runner) that are not on loopback."""

    LOCAL = re.compile(r"^(\[?(::ffff:)?127\.[\d.]+\]?|\[?::1\]?|\*|0\.0\.0\.0|\[::\])$")

    def __init__(self, pgid):
        self.pgid, self.foreign, self.samples, self.sockets = pgid, set(), 0, 0
        self.stopping = threading.Event()
        self.available = bool(shutil.which("ss"))
        self.thread = threading.Thread(target=self._loop, daemon=True)
        if self.available:
            self.thread.start()

    def _pids(self):
        pids = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == self.pgid:
                    pids.add(entry.name)
        return pids

    def _loop(self):
        while not self.stopping.wait(0.2):
            pids = self._pids()
            out = subprocess.run(
                ["ss", "-tuanpH"], capture_output=True, text=True, check=False, timeout=10
            ).stdout
            self.samples += 1
            for line in out.splitlines():
                if not any(f"pid={pid}," in line for pid in pids):
                    continue
                parts = line.split()
                self.sockets += 1
                peer_host = parts[5].rsplit(":", 1)[0]
                if not self.LOCAL.match(peer_host):
                    self.foreign.add(f"{parts[0]} {parts[1]} {parts[5]}")

    def stop(self):
        self.stopping.set()
        if self.available:
            self.thread.join(15)


# ---------------------------------------------------------------------------------------------
# the checks
# ---------------------------------------------------------------------------------------------
class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def expect(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {name}", flush=True)
        else:
            self.failed.append(name)
            print(f"  FAIL  {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok


class E2E:
    def __init__(self, args):
        self.args = args
        self.run_dir = Path(args.run_dir)
        shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir.mkdir(parents=True)
        self.checks = Checks()
        self.relay = None
        self.watch = None

    def expect(self, *args):
        return self.checks.expect(*args)

    # set-up --------------------------------------------------------------------------------
    def setup_odoo(self):
        self.odoo = Odoo(self.args, self.run_dir)
        self.odoo.prepare_database()
        self.odoo.start()
        url, db = self.odoo.url, self.odoo.db
        admin = self.admin = Rpc(url, db, "admin", "admin")
        admin(
            "ir.config_parameter",
            "set_param",
            "wfmon_integration.allow_private_destinations",
            "True",
        )
        admin("ir.config_parameter", "set_param", "web.base.url", url)
        # The user n8n acts as: an Operations Monitor manager with an API key.
        password = secrets.token_urlsafe(16)
        bot = admin(
            "res.users",
            "create",
            {
                "name": "n8n (e2e)",
                "login": BOT_LOGIN,
                "password": password,
                "groups_id": [
                    (
                        6,
                        0,
                        [admin.ref("base.group_user"), admin.ref("wfmon_core.group_wfmon_manager")],
                    )
                ],
            },
        )
        self.bot_uid = bot
        self.api_key = make_api_key(url, db, BOT_LOGIN, password)
        self.bot = Rpc(url, db, BOT_LOGIN, self.api_key, uid=bot)
        self.expect(
            "API key of a manager user made through the password check",
            bool(self.bot("res.users", "read", [bot], ["login"])),
        )
        # The inbound source the signed template posts to ("Show Secret": the real button).
        recommendation_type = admin(
            "wfmon.event.type",
            "search",
            [("code", "=", "recommendation"), ("direction", "=", "inbound")],
        )
        self.source = admin(
            "wfmon.inbound.source",
            "create",
            {
                "name": "n8n e2e",
                "user_id": bot,
                "allowed_type_ids": [(6, 0, recommendation_type)],
                "review_threshold": 0.7,
            },
        )
        self.inbound_url = admin("wfmon.inbound.source", "read", [self.source], ["url"])[0]["url"]
        self.inbound_secret = self.reveal("wfmon.inbound.source", self.source)

    def reveal(self, model, record_id):
        action = self.admin(model, "action_reveal_secret", [record_id])
        return self.admin("wfmon.secret.reveal", "read", [action["res_id"]], ["secret"])[0][
            "secret"
        ]

    def setup_endpoints(self):
        admin = self.admin
        target = f"{self.n8n.url}/webhook/wfmon-events"
        self.endpoint = admin(
            "wfmon.webhook.endpoint",
            "create",
            {"name": "n8n e2e", "url": target, "event_filter": "all", "timeout": 30},
        )
        self.endpoint_secret = self.reveal("wfmon.webhook.endpoint", self.endpoint)
        opened = admin("wfmon.event.type", "search", [("code", "=", "case.opened")])
        self.wrong_endpoint = admin(
            "wfmon.webhook.endpoint",
            "create",
            {
                "name": "n8n e2e, wrong secret",
                "url": target,
                "event_filter": "selected",
                "event_type_ids": [(6, 0, opened)],
                "max_attempts": 1,
            },
        )

    def setup_n8n(self, install):
        self.n8n = N8n(install, self.run_dir)
        self.relay = Relay(self.odoo.url, self.inbound_secret)
        if not self.inbound_url.startswith(self.odoo.url + "/wfmon/inbound/"):
            raise Abort(f"unexpected inbound URL {self.inbound_url} (web.base.url frozen?)")
        relay_url = self.inbound_url.replace(self.odoo.url, f"http://127.0.0.1:{self.relay.port}")
        self.setup_endpoints()
        self.n8n.extra_env = {
            "WFMON_WEBHOOK_SECRET": self.endpoint_secret,
            "WFMON_INBOUND_URL": relay_url,
            "WFMON_INBOUND_SECRET": self.inbound_secret,
            "ODOO_URL": self.odoo.url,
            "ODOO_DB": self.odoo.db,
            "ODOO_UID": str(self.bot_uid),
            "ODOO_API_KEY": self.api_key,
        }
        files = [*sorted(TEMPLATE_DIR.glob("*.json")), CALLER]
        # A variant of the receive template whose "Case escalated" branch fails and whose
        # "Case breached" branch drops its item: what n8n answers then is what
        # docs/n8n/README.md promises (500, so wfmon retries; 200).
        variant = json.loads((TEMPLATE_DIR / "wfmon-receive-events.json").read_text())
        variant.update(id=FAILING_ID, name="wfmon e2e: receive, failing branch")
        for node in variant["nodes"]:
            if node["name"] == "wfmon webhook":
                node["parameters"]["path"] = node["webhookId"] = "wfmon-e2e-failing"
            if node["name"] == "Case escalated":
                node.update(
                    type="n8n-nodes-base.stopAndError",
                    typeVersion=1,
                    parameters={"errorMessage": "branch failed"},
                )
            if node["name"] == "Case breached":
                node.update(
                    type="n8n-nodes-base.code",
                    typeVersion=2,
                    parameters={"jsCode": "return [];"},
                )
        variant_path = self.run_dir / "wfmon-e2e-receive-failing.json"
        variant_path.write_text(json.dumps(variant))
        files.append(variant_path)
        for path in files:
            workflow_id = json.loads(path.read_text())["id"]
            rc, out = self.n8n.cli("import:workflow", f"--input={path}")
            where = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
            if not self.expect(
                f"n8n import:workflow --input={where}",
                rc == 0 and "Successfully imported 1 workflow" in out,
                out.strip()[-300:],
            ):
                raise Abort(f"cannot import {path}")
            rc, out = self.n8n.cli("publish:workflow", f"--id={workflow_id}")
            if not self.expect(
                f"n8n publish:workflow --id={workflow_id}", rc == 0, out.strip()[-300:]
            ):
                raise Abort(f"cannot publish {workflow_id}")
        self.n8n.start()
        self.watch = SocketWatch(self.n8n.proc.popen.pid)
        # Production webhooks are registered once n8n listens; an unsigned POST gets 401.
        wait_for(
            "the receive template's production webhook",
            lambda: (
                self.n8n.post(
                    "wfmon-events", b"{}", {"Content-Type": "application/json"}
                ).status_code
                == 401
            ),
            60,
            proc=self.n8n.proc,
        )

    # receive template ----------------------------------------------------------------------
    def delivery(self, event_name, endpoint, timeout=120):
        def probe():
            rows = self.admin(
                "wfmon.webhook.delivery",
                "search_read",
                [("event_id.name", "=", event_name), ("endpoint_id", "=", endpoint)],
                ["state", "last_status_code", "attempt_count"],
            )
            return rows and rows[0]["state"] not in ("pending", "sending") and rows[0]

        return wait_for(f"delivery of {event_name}", probe, timeout)

    def event_of(self, case_id, event_type, timeout=30):
        def probe():
            return self.admin(
                "wfmon.event",
                "search_read",
                [
                    ("res_model", "=", "wfmon.case"),
                    ("res_id", "=", case_id),
                    ("event_type", "=", event_type),
                ],
                ["name", "payload"],
            )

        return wait_for(f"{event_type} event of case {case_id}", probe, timeout)[0]

    def check_receive(self):
        admin = self.admin
        case_type = admin("wfmon.case.type", "search", [("code", "=", "general.manual")])[0]
        self.case_id = admin(
            "wfmon.case",
            "create",
            {"type_id": case_type, "summary": "n8n e2e: parcel damaged", "severity": "high"},
        )
        self.case_name = admin("wfmon.case", "read", [self.case_id], ["name"])[0]["name"]
        say(f"case {self.case_name} opened through JSON-RPC; waiting for Odoo's dispatcher")
        opened = self.event_of(self.case_id, "case.opened")
        row = self.delivery(opened["name"], self.endpoint)
        wrong = self.delivery(opened["name"], self.wrong_endpoint)
        self.expect(
            "Odoo's dispatcher delivers case.opened to the receive template: 204",
            row["state"] == "done" and row["last_status_code"] == 204,
            str(row),
        )
        self.expect(
            "a delivery signed with another secret is refused: 401, dead letter",
            wrong["last_status_code"] == 401 and wrong["state"] == "dead",
            str(wrong),
        )
        runs = self.n8n.executions(RECEIVE_ID, opened["name"], count=2)
        outputs = [(node_output(run, "Verify signature") or {}, run) for _status, run, _e in runs]
        good = [run for out, run in outputs if out.get("verified") is True]
        bad = [out for out, run in outputs if out.get("verified") is False]
        self.expect(
            "n8n verified it (raw body) and took the branch Case opened, then answered",
            len(runs) == 2
            and len(good) == 1
            and "Case opened" in good[0]
            and "Acknowledge" in good[0]
            and "Other events" not in good[0]
            and "Reject" not in good[0],
            f"{[(s, sorted(r)) for s, r, _e in runs]}",
        )
        self.expect(
            "n8n says why it refused the other: no valid v1 signature",
            len(bad) == 1 and bad[0].get("reason") == "no valid v1 signature",
            str(bad),
        )
        admin("wfmon.case", "action_start", [self.case_id])
        updated = self.event_of(self.case_id, "case.updated")
        row = self.delivery(updated["name"], self.endpoint)
        status, run, _error = self.n8n.execution(RECEIVE_ID, updated["name"])
        self.expect(
            "case.updated is delivered (204) and takes the branch Other events",
            row["last_status_code"] == 204 and status == "success" and "Other events" in run,
            f"{row} nodes={sorted(run)}",
        )
        # Forgeries of a real delivery, straight to n8n.
        body = opened["payload"].encode()
        now = int(time.time())
        for name, (headers, forged) in forgeries(
            self.endpoint_secret, opened["name"], now, body
        ).items():
            answer = self.n8n.post("wfmon-events", forged, headers)
            self.expect(
                f"refused with 401: {name}", answer.status_code == 401, f"HTTP {answer.status_code}"
            )
        # case.escalated and case.breached as Odoo signs them (SLA time cannot be waited for).
        envelope = json.loads(opened["payload"])
        for event_type, branch in (
            ("case.escalated", "Case escalated"),
            ("case.breached", "Case breached"),
        ):
            msg_id = f"evt_e2e{uuid.uuid4().hex}"
            body = json.dumps(
                dict(envelope, type=event_type), separators=(",", ":"), sort_keys=True
            ).encode()
            answer = self.n8n.post(
                "wfmon-events",
                body,
                signed_headers(self.endpoint_secret, msg_id, int(time.time()), body),
            )
            status, run, _error = self.n8n.execution(RECEIVE_ID, msg_id)
            self.expect(
                f"{event_type} signed with the endpoint secret: 204 after the branch {branch}",
                answer.status_code == 204 and branch in run and "Acknowledge" in run,
                f"HTTP {answer.status_code} nodes={sorted(run)}",
            )
        for event_type, status, what in (
            ("case.escalated", 500, "a branch that fails is answered 500: wfmon retries it"),
            ("case.breached", 200, "a branch that drops its item is answered 200"),
        ):
            msg_id = f"evt_e2e{uuid.uuid4().hex}"
            body = json.dumps(dict(envelope, type=event_type), separators=(",", ":")).encode()
            answer = self.n8n.post(
                "wfmon-e2e-failing",
                body,
                signed_headers(self.endpoint_secret, msg_id, int(time.time()), body),
            )
            self.expect(what, answer.status_code == status, f"HTTP {answer.status_code}")

    # write-back templates ------------------------------------------------------------------
    def recommendations(self, external_id):
        return self.bot(
            "wfmon.recommendation",
            "search_read",
            [("external_id", "=", external_id)],
            [
                "case_id",
                "source_id",
                "text",
                "confidence",
                "suggested_action",
                "model_name",
                "low_confidence",
                "kind",
                "proposed_value",
                "inputs_ref",
                "advised_at",
            ],
        )

    def check_signed(self):
        item = {
            "case": self.case_name,
            "text": "Reship from the other warehouse",
            "confidence": 0.82,
            "suggested_action": "reship",
            "model": "rules-stub",
            "external_id": "e2e-signed-1",
        }
        answer = self.n8n.call(SIGNED_ID, item)
        reply = answer.json() if answer.ok else {}
        self.expect(
            "signed template: Odoo's inbound source answers 202",
            reply.get("statusCode") == 202,
            f"HTTP {answer.status_code} {answer.text[:300]}",
        )
        rows = wait_for(
            "the signed recommendation in Odoo", lambda: self.recommendations("e2e-signed-1"), 60
        )
        rec = rows[0]
        self.expect(
            "signed template: stored on the case, from the source, with its external_id",
            len(rows) == 1
            and rec["case_id"][0] == self.case_id
            and rec["source_id"]
            and rec["source_id"][0] == self.source
            and rec["text"] == item["text"]
            and rec["confidence"] == 0.82
            and rec["suggested_action"] == "reship"
            and rec["model_name"] == "rules-stub",
            str(rows),
        )
        seen = self.relay.requests_for("e2e-signed-1")
        self.expect(
            "signed template: its request verifies with the standardwebhooks library",
            len(seen) == 1 and seen[0][4],
            str(seen),
        )
        for external_id, what, odoo_statuses in (
            ("e2e-503-once", "a 503", [None, 202]),
            ("e2e-lost-answer", "a lost answer (Odoo stored it)", [202, 200]),
        ):
            answer = self.n8n.call(
                SIGNED_ID,
                dict(item, external_id=external_id, text=f"retry after {what}"),
                timeout=90,
            )
            seen = self.relay.requests_for(external_id)
            same = len({(row[1], row[2], row[3]) for row in seen}) == 1
            rows = wait_for(
                f"the recommendation {external_id}",
                lambda eid=external_id: self.recommendations(eid),
                60,
            )
            self.expect(
                f"signed template retries {what} with the same webhook-id; Odoo stores it once",
                answer.ok
                and len(seen) == 2
                and same
                and [row[6] for row in seen] == odoo_statuses
                and len(rows) == 1,
                f"HTTP {answer.status_code}; requests {[r[1:2] + r[5:] for r in seen]}; "
                f"stored {len(rows)}",
            )

    def check_jsonrpc(self):
        item = {
            "case": self.case_name,
            "text": "Call the carrier before reshipping",
            "confidence": 0.4,
            "suggested_action": "call_carrier",
            "model": "rules-stub",
            "external_id": "e2e-rpc-1",
        }
        answer = self.n8n.call(JSONRPC_ID, item)
        reply = answer.json() if answer.ok else {}
        self.expect(
            "JSON-RPC template: submit() answers with the new recommendation's id",
            isinstance(reply.get("result"), int),
            f"HTTP {answer.status_code} {answer.text[:300]}",
        )
        rows = self.recommendations("e2e-rpc-1")
        self.expect(
            "JSON-RPC template: stored on the case with external_id; low confidence flags it",
            len(rows) == 1
            and rows[0]["id"] == reply.get("result")
            and rows[0]["case_id"][0] == self.case_id
            and not rows[0]["source_id"]
            and rows[0]["low_confidence"] is True
            and rows[0]["model_name"] == "rules-stub",
            str(rows),
        )
        answer = self.n8n.call(
            JSONRPC_ID, dict(item, case="EXC-999999", external_id="e2e-rpc-refused")
        )
        status, _run, error = self.n8n.execution(JSONRPC_ID, "EXC-999999")
        self.expect(
            "JSON-RPC template: Odoo's refusal stops the workflow with Odoo's message",
            answer.status_code >= 500 and status == "error" and "No case EXC-999999" in error,
            f"HTTP {answer.status_code}, execution {status}: {error}",
        )

    def check_classifier(self):
        for external_id, text, category, low in (
            (
                "e2e-classify-1",
                "My parcel is late, where is my order? Still waiting.",
                "late_delivery",
                False,
            ),
            ("e2e-classify-2", "Hello, a question about your opening hours", "other", True),
        ):
            answer = self.n8n.call(
                CLASSIFY_ID, {"case": self.case_name, "text": text, "external_id": external_id}
            )
            reply = answer.json() if answer.ok else {}
            rows = wait_for(
                f"the classification {external_id}",
                lambda eid=external_id: self.recommendations(eid),
                60,
            )
            rec = rows[0]
            self.expect(
                f"classifier template: {category!r} proposed through the signed source"
                + (", low confidence goes to manual review" if low else ", above the threshold"),
                reply.get("statusCode") == 202
                and len(rows) == 1
                and rec["case_id"][0] == self.case_id
                and rec["source_id"]
                and rec["source_id"][0] == self.source
                and rec["kind"] == "category"
                and rec["proposed_value"] == category
                and rec["low_confidence"] is low
                and rec["model_name"] == "rules-stub-classifier"
                and bool(rec["inputs_ref"])
                and bool(rec["advised_at"]),
                f"HTTP {answer.status_code} {answer.text[:200]}; {rows}",
            )

    def check_summariser(self):
        answer = self.n8n.call(
            SUMMARISE_ID, {"case": self.case_name, "external_id": "e2e-summary-1"}
        )
        reply = answer.json() if answer.ok else {}
        rows = wait_for("the summary in Odoo", lambda: self.recommendations("e2e-summary-1"), 60)
        rec = rows[0]
        case = self.bot(
            "wfmon.case", "read", [self.case_id], ["summary_recommendation_ids", "digest_html"]
        )[0]
        self.expect(
            "summariser template: reads the digest over JSON-RPC, its summary is stored beside it",
            reply.get("statusCode") == 202
            and len(rows) == 1
            and rec["kind"] == "summary"
            and rec["text"].startswith(self.case_name)
            and "Still open" in rec["text"]
            and rec["inputs_ref"] == f"wfmon.case,{self.case_id} digest"
            and case["summary_recommendation_ids"] == [rec["id"]]
            and "What happened" in (case["digest_html"] or ""),
            f"HTTP {answer.status_code} {answer.text[:200]}; {rows}",
        )

    def check_case(self):
        case = self.bot(
            "wfmon.case",
            "read",
            [self.case_id],
            ["recommendation_ids", "recommendation_count", "needs_review"],
        )[0]
        stored = self.bot(
            "wfmon.recommendation", "search_read", [("case_id", "=", self.case_id)], ["external_id"]
        )
        expected = {
            "e2e-signed-1",
            "e2e-503-once",
            "e2e-lost-answer",
            "e2e-rpc-1",
            "e2e-classify-1",
            "e2e-classify-2",
            "e2e-summary-1",
        }
        self.expect(
            "the case shows the 7 recommendations (read back through JSON-RPC) and needs review",
            case["recommendation_count"] == 7
            and {row["external_id"] for row in stored} == expected
            and sorted(case["recommendation_ids"]) == sorted(row["id"] for row in stored)
            and case["needs_review"] is True,
            f"{case} {stored}",
        )

    def check_odoo_log(self):
        """Same gate as make test: no WARNING/ERROR/CRITICAL entry unless .ci/log-ignore.txt
        lists it, or this run provoked it (Odoo logs a refused RPC call as a warning)."""
        ignore_file = REPO / ".ci" / "log-ignore.txt"
        lines = ignore_file.read_text().splitlines() if ignore_file.is_file() else []
        ignore = [re.compile(line) for line in lines if line.strip() and not line.startswith("#")]
        ignore.append(re.compile(r" WARNING \S+ odoo\.http: No case EXC-999999\.\s*$"))
        entry = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (WARNING|ERROR|CRITICAL) ")
        bad = [
            line
            for line in self.odoo.log_path.read_text(errors="replace").splitlines()
            if entry.match(line) and not any(p.search(line) for p in ignore)
        ]
        self.expect(
            "Odoo's log has no WARNING or ERROR entry", not bad, "\n        ".join(bad[:10])
        )

    def bench(self, count):
        """Signed deliveries to the receive template, one after the other."""
        envelope = json.dumps(
            {"type": "case.updated", "timestamp": "2026-11-23T10:00:00Z", "data": {"id": 1}}
        ).encode()
        latencies = []
        session = requests.Session()
        session.trust_env = False
        started = time.monotonic()
        for _ in range(count):
            msg_id = f"evt_bench{uuid.uuid4().hex}"
            headers = signed_headers(self.endpoint_secret, msg_id, int(time.time()), envelope)
            t0 = time.monotonic()
            answer = session.post(
                f"{self.n8n.url}/webhook/wfmon-events", data=envelope, headers=headers, timeout=30
            )
            latencies.append(time.monotonic() - t0)
            if answer.status_code != 204:
                say(f"bench: HTTP {answer.status_code}")
        elapsed = time.monotonic() - started
        say(
            f"bench: receive template, {count} signed deliveries one at a time: "
            f"{count / elapsed:.1f} requests/s, p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms"
        )

    # run -----------------------------------------------------------------------------------
    def run(self):
        started = time.monotonic()
        try:
            try:
                install = n8n_install.ensure(log_path=self.run_dir.parent / "n8n-install.log")
            except n8n_install.InstallError as exc:
                print(f"wfmon: n8n e2e: {exc}", file=sys.stderr, flush=True)
                self.checks.failed.append("n8n install")
                return
            self.setup_odoo()
            self.setup_n8n(install)
            self.check_receive()
            self.check_signed()
            self.check_jsonrpc()
            self.check_classifier()
            self.check_summariser()
            self.check_case()
            if self.args.bench:
                self.bench(self.args.bench)
        except (
            Abort,
            Timeout,
            RpcError,
            requests.RequestException,
            subprocess.TimeoutExpired,
        ) as exc:
            self.expect("the run went to its end", False, f"{type(exc).__name__}: {exc}")
        finally:
            if self.watch:
                self.watch.stop()
                if self.watch.available:
                    self.expect(
                        f"n8n opened no socket beyond 127.0.0.1 ({self.watch.sockets} sockets "
                        f"in {self.watch.samples} samples)",
                        self.watch.sockets and not self.watch.foreign,
                        ", ".join(sorted(self.watch.foreign)),
                    )
            if self.relay:
                self.relay.stop()
            Proc.stop_all()
            if getattr(self, "odoo", None) and self.odoo.log_path.exists():
                self.check_odoo_log()
            say(f"elapsed {time.monotonic() - started:.0f}s; logs in {self.run_dir}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--odoo-conf", required=True, help="Odoo config (db connection, addons path)"
    )
    parser.add_argument("--modules", required=True, help="the suite's modules, comma-separated")
    parser.add_argument(
        "--source-db", default=os.environ.get("WFMON_TEST_DB"), help="database to copy"
    )
    parser.add_argument("--db", required=True, help="the e2e database (dropped and recreated)")
    parser.add_argument(
        "--fresh", action="store_true", help="install a fresh database, copy nothing"
    )
    parser.add_argument("--run-dir", required=True, help="logs and n8n's home")
    parser.add_argument("--timeout", type=int, default=1800, help="hard limit of the whole run (s)")
    parser.add_argument("--install-timeout", type=int, default=1200, help="fresh Odoo install (s)")
    parser.add_argument("--bench", type=int, default=0, metavar="N", help="measure N deliveries")
    args = parser.parse_args()
    args.modules = [m for m in args.modules.split(",") if m]
    return args


def main():
    args = parse_args()

    def on_alarm(_signum, _frame):
        raise Timeout(f"the run took more than {args.timeout}s")

    def on_term(signum, _frame):
        raise Timeout(f"stopped by signal {signum}")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.alarm(args.timeout)
    e2e = E2E(args)
    e2e.run()
    signal.alarm(0)
    checks = e2e.checks
    if checks.failed:
        print(f"wfmon-n8n: FAILED: {', '.join(checks.failed)}", file=sys.stderr)
    print(f"wfmon-n8n: {checks.passed} passed, {len(checks.failed)} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
