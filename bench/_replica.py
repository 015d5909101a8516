"""A real streaming replica of a local PostgreSQL primary: a Debian cluster of its own, made with
`pg_basebackup -R`, started, and dropped on the way out whatever happens.

It needs root (to act as the postgres user and make clusters), Debian's postgresql-common
(`pg_createcluster`) and the primary on this machine. `unavailable_reason` says what is
missing. The cluster and the replication role it connects with are named after this process
(`gkstats_replica_<pid>`, `gkstats_repl_<pid>`), so that two runs never clash, and ones left
by a run that was killed (its pid gone) are dropped by the next.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bench._server import free_port

CLUSTER_PREFIX = "gkstats_replica_"
ROLE_PREFIX = "gkstats_repl_"
HBA_MARK = "# gkstats: streaming replicas made by tests and benchmarks"
START_SECONDS = 120.0
# Hot standby refuses to start with less of these than the primary has.
PRIMARY_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
LOOPBACK = ("127.0.0.1", "localhost")


@dataclass(frozen=True, slots=True)
class Replica:
    version: str  # PostgreSQL major version, "15"
    name: str  # the Debian cluster's name
    port: int
    database: str  # the primary URL's database, there on the replica too

    def url(self, primary_url: str) -> str:
        """A URL of the primary (user, database, options) made to read the replica."""
        on_replica = make_url(primary_url).set(host="127.0.0.1", port=self.port)
        return on_replica.render_as_string(hide_password=False)

    def psql(self, sql: str) -> str:
        """One statement on the replica as the postgres superuser (to pause replay, say)."""
        return _psql(sql, self.port, self.database)

    def stop(self) -> None:
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "stop"])


def postmaster_pid(port: int) -> int:
    """The postmaster of the cluster on `port`, from postmaster.pid in its data directory."""
    data = Path(_psql("SHOW data_directory", port))
    return int((data / "postmaster.pid").read_text().split()[0])


def unavailable_reason(primary_url: str | None) -> str | None:
    """Why a replica cannot be made here, or None when it can."""
    if not primary_url:
        return "no PostgreSQL primary: set TEST_DATABASE_URL"
    url = make_url(primary_url)
    if url.get_backend_name() != "postgresql":
        return f"{url.get_backend_name()} has no streaming replicas: it needs a PostgreSQL URL"
    if (url.host or "localhost") not in LOOPBACK:
        return f"the primary {url.host} is not on this machine (127.0.0.1)"
    if os.geteuid() != 0:
        return "making a PostgreSQL cluster needs root (runuser -u postgres, pg_createcluster)"
    for tool in ("pg_basebackup", "pg_createcluster", "pg_ctlcluster", "pg_dropcluster"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian's postgresql and postgresql-common)"
    return None


@contextmanager
def streaming_replica(primary_url: str) -> Iterator[Replica]:
    """A hot standby of the primary, streaming from it, until the block ends."""
    reason = unavailable_reason(primary_url)
    if reason is not None:
        raise RuntimeError(reason)
    primary = make_url(primary_url)
    port = primary.port or 5432
    _drop_leftovers(port)
    version = str(int(_psql("SHOW server_version_num", port)) // 10000)
    pid = os.getpid()
    role, password = f"{ROLE_PREFIX}{pid}", secrets.token_hex(16)
    replica = Replica(version, f"{CLUSTER_PREFIX}{pid}", free_port(), primary.database or "")
    _psql(f"CREATE ROLE {role} LOGIN REPLICATION PASSWORD '{password}'", port)
    try:
        _allow_replication_from_loopback(port)
        data = f"/var/lib/postgresql/{version}/{replica.name}"
        _run(["pg_createcluster", version, replica.name, "-p", str(replica.port), "-d", data])
        try:
            _copy_primary(replica, port, role, password)
            _start(replica)
            yield replica
        finally:
            _run(["pg_dropcluster", "--stop", version, replica.name], check=False)
    finally:
        _psql(f"DROP ROLE IF EXISTS {role}", port)


def _copy_primary(replica: Replica, primary_port: int, role: str, password: str) -> None:
    data = Path(f"/var/lib/postgresql/{replica.version}/{replica.name}")
    shutil.rmtree(data)
    # -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile;
    # a fast checkpoint starts the copy at once instead of at the next spread checkpoint.
    command = ["pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", role]
    command += ["-D", str(data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"]
    _run(["runuser", "-u", "postgres", "--", "env", f"PGPASSWORD={password}", *command])
    settings = [f"{name} = {_psql(f'SHOW {name}', primary_port)}" for name in PRIMARY_SETTINGS]
    conf = Path(f"/etc/postgresql/{replica.version}/{replica.name}/conf.d/gkstats-replica.conf")
    conf.write_text(
        "\n".join(["listen_addresses = '127.0.0.1'", "hot_standby = on", *settings]) + "\n"
    )


def _start(replica: Replica) -> None:
    _run(["pg_ctlcluster", "--skip-systemctl-redirect", replica.version, replica.name, "start"])
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        with suppress(RuntimeError):
            if replica.psql("SELECT pg_is_in_recovery()") == "t":
                return
        time.sleep(0.5)
    raise TimeoutError(f"the replica {replica.name} did not accept reads in {START_SECONDS:g} s")


def _allow_replication_from_loopback(port: int) -> None:
    """Debian's pg_hba.conf allows replication from 127.0.0.1 with a password; where it was
    changed not to, one line saying so is added, once, and the configuration reloaded."""
    rules = _psql(
        "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host' "
        "AND 'replication' = ANY(database) AND address = '127.0.0.1' "
        "AND auth_method IN ('scram-sha-256', 'md5', 'password')",
        port,
    )
    if rules != "0":
        return
    hba = Path(_psql("SHOW hba_file", port))
    text = hba.read_text()
    if HBA_MARK not in text:
        line = "host replication all 127.0.0.1/32 scram-sha-256"
        hba.write_text(f"{HBA_MARK}\n{line}\n{text}")
    _psql("SELECT pg_reload_conf()", port)


def _drop_leftovers(primary_port: int) -> None:
    """Clusters and roles of runs whose process is gone (killed before their cleanup)."""
    listed = _run(["pg_lsclusters", "--no-header"], capture=True)
    for line in listed.splitlines():
        fields = line.split()
        if len(fields) > 1 and _leftover_pid(fields[1], CLUSTER_PREFIX) is not None:
            _run(["pg_dropcluster", "--stop", fields[0], fields[1]], check=False)
    roles = _psql(f"SELECT rolname FROM pg_roles WHERE rolname LIKE '{ROLE_PREFIX}%'", primary_port)
    for role in roles.split():
        if _leftover_pid(role, ROLE_PREFIX) is not None:
            _psql(f"DROP ROLE IF EXISTS {role}", primary_port)


def _leftover_pid(name: str, prefix: str) -> int | None:
    match = re.fullmatch(re.escape(prefix) + r"(\d+)", name)
    if match is None:
        return None
    pid = int(match[1])
    return None if Path(f"/proc/{pid}").exists() else pid


def _psql(sql: str, port: int, database: str = "postgres") -> str:
    command = ["runuser", "-u", "postgres", "--", "psql", "-p", str(port), "-d", database]
    return _run([*command, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture=True).strip()


def _run(command: list[str], *, check: bool = True, capture: bool = False) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} … failed: {done.stderr.strip()[-2000:]}")
    return done.stdout if capture else ""
