"""A throwaway PostgreSQL cluster for the test suite.

``postgres_url()`` returns the URL of a PostgreSQL database to test against:

* if ``YKT_TEST_PG_URL`` is set, that URL is returned unchanged;
* otherwise a private cluster is created (once per process) in a fresh
  temporary directory with ``initdb``, started with ``pg_ctl`` on a free TCP
  port on 127.0.0.1 (its unix socket lives inside the temporary directory),
  tuned for fast, non-durable tests, and a database ``ykt_test`` is created.
  The cluster is stopped (``pg_ctl stop -m immediate``) and its directory
  removed at interpreter exit.  A small watchdog process does the same if the
  test process dies without running ``atexit`` hooks (SIGTERM, SIGKILL).

``initdb`` refuses to run as root.  When the effective uid is 0 the server
binaries are run as the ``postgres`` system user, or - if that user does not
exist - as a system user ``ykt-pg`` created with ``useradd --system``; the
temporary directory is owned by that user.

If ``initdb``/``pg_ctl`` cannot be found a ``RuntimeError`` is raised; the
caller decides whether that means "skip" or "fail".

``create_database(name)`` creates another, empty database in the same
server and returns its URL (useful to give parallel test processes their own
database).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field

__all__ = ["postgres_url", "create_database", "find_pg_bindir", "ENV_URL"]

ENV_URL = "YKT_TEST_PG_URL"
DB_NAME = "ykt_test"
SUPERUSER = "postgres"  # database role created by initdb (trust auth)
FALLBACK_OS_USER = "ykt-pg"

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "200",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "checkpoint_timeout": "30min",
    "max_wal_size": "1GB",
    "shared_buffers": "64MB",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "timezone": "'UTC'",
    "datestyle": "'iso, ymd'",
}

_lock = threading.Lock()
_cluster: "_Cluster | None" = None


# --------------------------------------------------------------------------
# locating binaries / users


def _version_key(path: str) -> tuple:
    ver = os.path.basename(os.path.dirname(path))  # /usr/lib/postgresql/<ver>/bin
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.\-]", ver))


def find_pg_bindir() -> str:
    """Directory holding ``initdb`` and ``pg_ctl``; RuntimeError if none."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for bindir in candidates:
        if all(os.access(os.path.join(bindir, exe), os.X_OK) for exe in ("initdb", "pg_ctl")):
            return bindir
    initdb = shutil.which("initdb")
    if initdb:
        bindir = os.path.dirname(os.path.realpath(initdb))
        if os.access(os.path.join(bindir, "pg_ctl"), os.X_OK):
            return bindir
        if shutil.which("pg_ctl"):
            # Unusual layout: initdb and pg_ctl in different PATH directories.
            return os.path.dirname(initdb)
    raise RuntimeError(
        "PostgreSQL server binaries not found: no initdb/pg_ctl in "
        "/usr/lib/postgresql/*/bin or on PATH. Install the server "
        "(Debian: `apt-get install postgresql`, or `make sysdeps` as root) "
        f"or point {ENV_URL} at an existing database "
        "(e.g. postgresql+psycopg://user:pw@host:5432/ykt_test)."
    )


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged OS user to run the server as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_OS_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    proc = subprocess.run(
        [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
         "--shell", "/usr/sbin/nologin", "--user-group", FALLBACK_OS_USER],
        capture_output=True, text=True,
    )
    try:
        return pwd.getpwnam(FALLBACK_OS_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root, but initdb refuses to run as root and creating the system "
            f"user {FALLBACK_OS_USER!r} failed: {proc.stderr.strip() or proc.returncode}"
        ) from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _base_tempdir(user: pwd.struct_passwd | None) -> str | None:
    """A parent directory for the cluster that ``user`` can traverse."""
    base = tempfile.gettempdir()
    if user is None:
        return None
    # The server user must be able to reach its data directory.  If TMPDIR is
    # e.g. under /root it cannot, so fall back to /tmp (sticky, world-writable).
    path = base
    while True:
        st = os.stat(path)
        if not st.st_mode & 0o001:
            return "/tmp"
        parent = os.path.dirname(path)
        if parent == path:
            return base
        path = parent


# --------------------------------------------------------------------------
# the cluster


@dataclass
class _Cluster:
    bindir: str
    root: str  # temp dir (owned by the server user)
    user: pwd.struct_passwd | None
    port: int = 0
    stopped: bool = False
    owner_pid: int = field(default_factory=os.getpid)
    _watchdog: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def datadir(self) -> str:
        return os.path.join(self.root, "data")

    @property
    def sockdir(self) -> str:
        return os.path.join(self.root, "sock")

    @property
    def logfile(self) -> str:
        return os.path.join(self.root, "server.log")

    def url(self, dbname: str = DB_NAME, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    # -- running the server binaries -------------------------------------

    def _run(self, exe: str, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [os.path.join(self.bindir, exe), *args]
        kwargs: dict = {}
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C", TZ="UTC")
        if self.user is not None:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
            env.update(HOME=self.root, USER=self.user.pw_name, LOGNAME=self.user.pw_name)
        proc = subprocess.run(
            cmd, cwd=self.root, env=env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout, **kwargs,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{exe} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                f"{proc.stdout}{proc.stderr}{self._log_tail()}"
            )
        return proc

    def _log_tail(self, n: int = 40) -> str:
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as fh:
                lines = fh.readlines()[-n:]
        except OSError:
            return ""
        return "--- server log (tail) ---\n" + "".join(lines) if lines else ""

    # -- lifecycle ---------------------------------------------------------

    def init(self) -> None:
        os.mkdir(self.sockdir, 0o700)
        if self.user is not None:
            for path in (self.root, self.sockdir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self._run(
            "initdb", "-D", self.datadir, "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )
        conf = os.path.join(self.datadir, "postgresql.conf")
        settings = dict(SERVER_SETTINGS, unix_socket_directories=f"'{self.sockdir}'")
        with open(conf, "a", encoding="utf-8") as fh:
            fh.write("\n# --- yikatong throwaway test cluster ---\n")
            for key, value in settings.items():
                fh.write(f"{key} = {value}\n")

    def start(self, attempts: int = 5) -> None:
        last = ""
        for _ in range(attempts):
            self.port = _free_port()
            proc = self._run(
                "pg_ctl", "start", "-D", self.datadir, "-l", self.logfile,
                "-w", "-t", "60", "-o", f"-p {self.port}", check=False,
            )
            if proc.returncode == 0:
                return
            last = f"{proc.stdout}{proc.stderr}{self._log_tail()}"
            if "could not bind" not in last and "already in use" not in last:
                break  # not a port race: don't retry
        raise RuntimeError(f"could not start the throwaway PostgreSQL cluster in {self.root}:\n{last}")

    def start_watchdog(self) -> None:
        """Child process that cleans up if we die without running atexit."""
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, os.path.join(self.bindir, "pg_ctl"),
             self.datadir, self.root, str(self.user.pw_uid if self.user else -1),
             str(self.user.pw_gid if self.user else -1)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # survive the Ctrl-C sent to our process group
            close_fds=True,
        )

    def stop(self) -> None:
        if self.stopped or os.getpid() != self.owner_pid:
            return  # already done, or a forked child: the creating process owns the cluster
        self.stopped = True
        try:
            if os.path.exists(os.path.join(self.datadir, "postmaster.pid")):
                self._run("pg_ctl", "stop", "-D", self.datadir, "-m", "immediate", "-w", "-t", "30", check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            if self._watchdog is not None:
                try:
                    self._watchdog.stdin.close()  # EOF: watchdog finds nothing left and exits
                    self._watchdog.wait(timeout=10)
                except Exception:
                    pass


_WATCHDOG = r"""
import os, shutil, subprocess, sys
pg_ctl, datadir, root, uid, gid = sys.argv[1:6]
uid, gid = int(uid), int(gid)
try:
    while sys.stdin.buffer.read(65536):
        pass
except BaseException:
    pass
if os.path.exists(os.path.join(datadir, "postmaster.pid")):
    kw = dict(user=uid, group=gid, extra_groups=[]) if uid >= 0 else {}
    subprocess.run([pg_ctl, "stop", "-D", datadir, "-m", "immediate", "-w", "-t", "30"],
                   cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, **kw)
shutil.rmtree(root, ignore_errors=True)
"""


def _start_cluster() -> _Cluster:
    bindir = find_pg_bindir()
    user = _server_user()
    root = tempfile.mkdtemp(prefix="ykt-pg-", dir=_base_tempdir(user))
    cluster = _Cluster(bindir=bindir, root=root, user=user)
    atexit.register(cluster.stop)
    try:
        cluster.init()
        cluster.start()
        cluster.start_watchdog()
        _create_db(cluster.url("postgres"), DB_NAME)
    except BaseException:
        cluster.stop()
        raise
    return cluster


# --------------------------------------------------------------------------
# public API


def postgres_url() -> str:
    """SQLAlchemy URL of the PostgreSQL test database (see module docstring)."""
    env = os.environ.get(ENV_URL)
    if env:
        return env
    global _cluster
    with _lock:
        if _cluster is None or _cluster.stopped:
            _cluster = _start_cluster()
        return _cluster.url()


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _libpq_url(sqlalchemy_url: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(sqlalchemy_url).set(drivername="postgresql", database=dbname)
    return url.render_as_string(hide_password=False)


def _create_db(server_url: str, name: str, drop_existing: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq_url(server_url, "postgres"), autocommit=True, connect_timeout=30) as conn:
        if drop_existing:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))


def create_database(name: str, *, drop_existing: bool = False) -> str:
    """Create an empty database ``name`` on the test server and return its URL.

    Works against the throwaway cluster and against ``YKT_TEST_PG_URL`` (the
    maintenance database ``postgres`` on that server is used to issue
    ``CREATE DATABASE``; the role needs CREATEDB).  Raises if the database
    already exists unless ``drop_existing`` is true.
    """
    if not _IDENT.match(name):
        raise ValueError(f"invalid database name {name!r} (use [A-Za-z_][A-Za-z0-9_]*, max 63 chars)")
    base = postgres_url()
    _create_db(base, name, drop_existing=drop_existing)
    from sqlalchemy.engine import make_url

    return make_url(base).set(database=name).render_as_string(hide_password=False)
