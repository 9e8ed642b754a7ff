"""The deployment files: the Dockerfile, compose.yaml and the systemd unit say what the README
promises (non-root, the library on a /data volume, a health check that is the real `health`
command). No image is built here: that needs Docker and a registry."""

from __future__ import annotations

import configparser
import fnmatch
import shlex
from pathlib import Path

import yaml

from bot.heartbeat import heartbeat_path, write_heartbeat
from bot.main import main

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    lines = [ln for ln in (ROOT / "Dockerfile").read_text().splitlines() if not ln.startswith("#")]
    instructions = []
    for line in "\n".join(lines).replace("\\\n", " ").splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            instructions.append((word.upper(), rest.strip()))
    return instructions


def exec_form(arguments: str) -> list[str]:
    return yaml.safe_load(arguments)  # a JSON array, which YAML reads


def test_the_image_is_small_non_root_and_keeps_its_data_on_a_volume() -> None:
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    env = " ".join(args for word, args in steps if word == "ENV")
    assert "DATA_DIR=/data" in env
    assert ("VOLUME", '["/data"]') in steps
    [cmd] = [exec_form(args) for word, args in steps if word == "CMD"]
    assert cmd == ["python", "-m", "bot", "run"]
    [check] = [args for word, args in steps if word == "HEALTHCHECK"]
    assert exec_form(check.split("CMD", 1)[1]) == ["python", "-m", "bot", "health"]


def test_everything_the_image_copies_exists_and_is_not_ignored() -> None:
    ignored = [
        line.rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith(("#", "!"))
    ]  # fmt: skip
    for word, args in dockerfile():
        if word == "COPY":
            *sources, _ = shlex.split(args)
            for source in sources:
                assert (ROOT / source).exists(), source
                assert not any(fnmatch.fnmatch(source, p) for p in ignored), source
    assert ".env" in ignored  # the token never goes into an image


def test_compose_runs_the_bot_with_its_data_restart_and_health_check() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = compose["services"]["crosscheck"]
    assert "profiles" not in service  # `docker compose up -d` starts the bot alone
    assert service["build"] == "."
    assert service["restart"] == "unless-stopped"
    assert "./data:/data" in service["volumes"]
    assert service["environment"]["DATA_DIR"] == "/data"
    assert service["env_file"] == ".env"
    assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "bot", "health"]


def test_the_postgres_profile_adds_a_database_the_bot_waits_for() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    database = compose["services"]["postgres"]
    assert database["profiles"] == ["postgres"]
    assert database["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    [volume] = database["volumes"]
    assert volume.split(":")[0] in compose["volumes"]  # the data outlives the container
    waits = compose["services"]["crosscheck"]["depends_on"]["postgres"]
    assert waits == {"condition": "service_healthy", "required": False}
    # The URL compose.yaml tells users to set names the service, its user and its database.
    documented = (ROOT / "compose.yaml").read_text()
    env = database["environment"]
    host = f"@postgres:5432/{env['POSTGRES_DB']}"
    assert f"postgresql://{env['POSTGRES_USER']}:" in documented and host in documented
    assert "POSTGRES_PASSWORD" in (ROOT / ".env.example").read_text()


def test_the_health_command_the_containers_run_works(tmp_path: Path, monkeypatch) -> None:
    """The argv compose and the Dockerfile give, run as `python -m bot` would run it."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    argv = compose["services"]["crosscheck"]["healthcheck"]["test"][1:]
    assert argv[:3] == ["python", "-m", "bot"]
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(argv[3:]) == 1  # no heartbeat yet: unhealthy
    write_heartbeat(heartbeat_path(tmp_path))
    assert main(argv[3:]) == 0


def test_the_systemd_unit_runs_the_bot_and_keeps_data_in_its_state_directory() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # keys are case-sensitive
    unit.read_string((ROOT / "deploy" / "crosscheck.service").read_text())
    service = unit["Service"]
    assert service["ExecStart"].endswith("python -m bot run")
    assert service["User"] != "root"
    assert service["Environment"] == "DATA_DIR=/var/lib/crosscheck"
    assert service["StateDirectory"] == "crosscheck"
    assert service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
