"""The production compose file: structure rules, the documented variables, and Debian's docker-compose.

No Docker engine here, so nothing is started; `docker-compose config` validates and interpolates the file the
way a deployment does (project directory with .env.production copied from .env.production.example).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from lunch_app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.prod.yml"
ENV_EXAMPLE = ROOT / ".env.production.example"
DOCKERFILE = ROOT / "Dockerfile"

LONG_RUNNING = {"postgres", "redis", "kafka", "app", "nginx", "bot", "scheduler", "notifications", "recommendations"}
ONE_SHOTS = {"migrate", "kafka-topics"}
OUR_PROCESSES = {"app", "bot", "scheduler", "notifications", "recommendations"}
SECRET_WORDS = ("TOKEN", "KEY", "PASSWORD", "SECRET")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}; `$${...}` is a literal.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<rest>[^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _interpolations(text: str) -> list[re.Match[str]]:
    """Interpolations outside YAML comments (whole-line comments are all this file has)."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return list(INTERPOLATION.finditer(code))


def _required_variables() -> set[str]:
    return {m["name"] for m in _interpolations(COMPOSE_FILE.read_text()) if m["op"] in (":?", "?")}


def test_every_expected_service_is_defined(services: dict[str, Any]) -> None:
    assert set(services) == LONG_RUNNING | ONE_SHOTS


def test_every_service_has_a_health_check_or_is_a_one_shot(services: dict[str, Any]) -> None:
    for name, service in services.items():
        restart = str(service.get("restart", "no"))
        if name in ONE_SHOTS:
            assert restart == "no" or restart.startswith("on-failure"), f"{name}: a one-shot must not restart always"
            assert "healthcheck" not in service, f"{name}: a one-shot exits, it has no health"
            continue
        check = service.get("healthcheck")
        assert check and not check.get("disable"), f"{name} has no health check"
        test = check["test"]
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL"), f"{name}: health check must run a command"
        assert restart == "always", f"{name}: long-running services restart always"


def test_health_checks_use_tools_of_their_own_image(services: dict[str, Any]) -> None:
    def command(name: str) -> str:
        return " ".join(services[name]["healthcheck"]["test"][1:])

    assert "pg_isready" in command("postgres")
    assert "redis-cli" in command("redis") and "PONG" in command("redis")
    assert command("kafka").startswith("/opt/kafka/bin/")
    assert "wget" in command("nginx")  # busybox in the nginx alpine image; it has no curl guarantee
    for name in OUR_PROCESSES:  # our image has python, not curl
        test = services[name]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "/app/scripts/healthcheck.py"], name
    assert services["app"]["healthcheck"]["test"][3:] == ["http", "http://127.0.0.1:8000/api/health"]
    for name in OUR_PROCESSES - {"app"}:
        assert services[name]["healthcheck"]["test"][3:] == ["file", name], name


def test_dependencies_wait_for_health_or_completion(services: dict[str, Any]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on must name a condition for each dependency"
        for dependency, rule in depends.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            expected = "service_completed_successfully" if dependency in ONE_SHOTS else "service_healthy"
            assert rule == {"condition": expected}, f"{name} -> {dependency}: {rule}"


def test_processes_of_our_image_wait_for_migrations_and_their_infrastructure(services: dict[str, Any]) -> None:
    for name in OUR_PROCESSES:
        depends = services[name]["depends_on"]
        assert {"postgres", "redis", "kafka-topics", "migrate"} <= set(depends), name
    assert set(services["migrate"]["depends_on"]) == {"postgres"}
    assert set(services["kafka-topics"]["depends_on"]) == {"kafka"}
    assert set(services["nginx"]["depends_on"]) == {"app"}


def test_commands_of_our_image(services: dict[str, Any]) -> None:
    expected = {name: [name] for name in OUR_PROCESSES} | {"migrate": ["migrate"]}
    for name, command in expected.items():
        assert services[name]["command"] == command, name
        assert services[name]["image"].startswith("lunch-bot:"), name
        assert services[name]["build"] == {"context": ".", "target": "runtime"}, name
        assert services[name].get("init") is True, name
        env = services[name]["environment"]
        assert env["ENVIRONMENT"] == "production"
        assert env["TZ"] == env["APP_TIMEZONE"] == "${APP_TIMEZONE:-Europe/Moscow}"
        assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["REDIS_URL"].startswith("redis://")
        assert services[name]["env_file"] == ".env.production"
    assert services["app"]["environment"]["GRANIAN_WORKERS"] == "${APP_WORKERS:-2}"


def test_app_can_be_scaled(services: dict[str, Any]) -> None:
    app = services["app"]
    assert "container_name" not in app
    assert "ports" not in app, "a fixed host port would make a second replica fail to start"
    # nginx is the only service published on the host.
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}


def test_no_secret_has_a_default() -> None:
    text = COMPOSE_FILE.read_text()
    secrets = [m for m in _interpolations(text) if any(word in m["name"].upper() for word in SECRET_WORDS)]
    assert {m["name"] for m in secrets} >= {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "TELEGRAM_BOT_TOKEN"}
    for match in secrets:
        assert match["op"] in (None, ":?", "?"), f"secret with a default: {match.group(0)}"


def test_required_variables_are_enforced_with_a_message() -> None:
    required = _required_variables()
    assert required >= {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "TELEGRAM_BOT_TOKEN", "TELEGRAM_MINI_APP_URL"}
    assert "PUBLIC_URL" in required
    for match in _interpolations(COMPOSE_FILE.read_text()):
        if match["op"] in (":?", "?"):
            assert match["rest"].strip(), f"{match.group(0)} needs a message"


def test_every_image_is_pinned(services: dict[str, Any]) -> None:
    for name, service in services.items():
        image = service["image"]
        reference = image.rsplit("/", 1)[-1]
        assert ":" in reference, f"{name}: {image} has no tag"
        tag = reference.split(":", 1)[1]
        assert tag and tag != "latest" and "latest" not in tag, f"{name}: {image} is not pinned"
        if "build" not in service:  # third-party images: an exact version, not a floating major
            assert re.fullmatch(r"\d+(\.\d+){1,2}(-[a-z0-9.]+)?", tag), f"{name}: {image} is not an exact version"
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("ARG") and "_IMAGE=" in line:
            image = line.split("=", 1)[1]
            assert re.search(r":\d+\.\d+\.\d+", image), f"Dockerfile base image not pinned: {image}"


def test_resource_limits_on_every_service(services: dict[str, Any]) -> None:
    for name, service in services.items():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert limits.get("memory") and limits.get("cpus"), f"{name} has no resource limits"


def test_named_volumes_keep_the_data(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    assert {"postgres-data", "redis-data", "kafka-data"} <= declared
    for name, target in (
        ("postgres", "/var/lib/postgresql/data"),
        ("redis", "/data"),
        ("kafka", "/var/lib/kafka/data"),
    ):
        volumes = services[name]["volumes"]
        assert any(v.endswith(f":{target}") and v.split(":")[0] in declared for v in volumes), name


def test_redis_appends_to_its_log_and_kafka_is_kraft(services: dict[str, Any]) -> None:
    command = services["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["environment"]["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    topics_script = services["kafka-topics"]["command"][0]
    assert "--partitions 6" in topics_script and "--if-not-exists" in topics_script
    for setting in ("KAFKA_TOPIC_DEADLINES", "KAFKA_TOPIC_NOTIFICATIONS", "KAFKA_TOPIC_DAILY_TASKS"):
        assert setting in topics_script


def test_nginx_serves_the_built_frontend_and_optional_certificates(services: dict[str, Any]) -> None:
    nginx = services["nginx"]
    assert nginx["build"]["target"] == "nginx"
    assert nginx["build"]["args"]["REFLEX_API_URL"].startswith("${PUBLIC_URL:?")
    assert "./nginx/ssl:/etc/nginx/ssl:ro" in nginx["volumes"]
    assert {port.split(":")[-1] for port in nginx["ports"]} == {"80", "443"}


def test_env_example_documents_every_setting_and_compose_variable() -> None:
    documented = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", ENV_EXAMPLE.read_text()))
    settings = {name.upper() for name in Settings.model_fields}
    missing_settings = settings - documented
    assert not missing_settings, f".env.production.example does not mention {sorted(missing_settings)}"
    compose_variables = {m["name"] for m in _interpolations(COMPOSE_FILE.read_text())}
    missing_compose = compose_variables - documented
    assert not missing_compose, f".env.production.example does not mention {sorted(missing_compose)}"
    assigned = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))
    assert _required_variables() <= assigned, "every required variable needs a line to fill in"


def test_env_example_secrets_are_placeholders_refused_in_production() -> None:
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))
    for name, value in values.items():
        if any(word in name for word in ("TOKEN", "PASSWORD", "SECRET")):
            assert "change-me" in value, f"{name} in the example must be an obvious placeholder"
    assert values["DEMO_MODE"] == "0"


def test_dockerfile_uses_the_scripts_ci_runs() -> None:
    text = DOCKERFILE.read_text()
    assert "RUN bash scripts/build_frontend.sh" in text
    assert 'ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]' in text
    assert "USER lunch" in text
    assert "COPY --from=build /src/.web/build/client /etc/nginx/html" in text
    for target in ("AS build", "AS runtime", "AS nginx"):
        assert target in text


# --- Debian's docker-compose --------------------------------------------------------------------------------


def _docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is missing in CI: `apt-get install -y docker-compose`")
        pytest.skip("docker-compose not installed (apt-get install -y docker-compose); CI runs this check")
    return binary


def _project(tmp_path: Path, env_text: str) -> Path:
    shutil.copy(COMPOSE_FILE, tmp_path / COMPOSE_FILE.name)
    (tmp_path / ".env.production").write_text(env_text)
    return tmp_path


def _config(binary: str, project: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in _required_variables()}
    return subprocess.run(
        [binary, "--env-file", ".env.production", "-f", COMPOSE_FILE.name, "config"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_docker_compose_validates_the_file_with_the_example_env(tmp_path: Path) -> None:
    binary = _docker_compose()
    result = _config(binary, _project(tmp_path, ENV_EXAMPLE.read_text()))
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    app_env = rendered["services"]["app"]["environment"]
    assert app_env["DATABASE_URL"] == ("postgresql+asyncpg://lunch:change-me-openssl-rand-hex-32@postgres:5432/lunch")
    assert app_env["ENVIRONMENT"] == "production"
    assert app_env["TELEGRAM_BOT_TOKEN"] == "123456:change-me-token-from-botfather"
    assert rendered["services"]["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("variable", ["POSTGRES_PASSWORD", "REDIS_PASSWORD", "TELEGRAM_BOT_TOKEN", "PUBLIC_URL"])
def test_docker_compose_refuses_a_missing_secret(tmp_path: Path, variable: str) -> None:
    binary = _docker_compose()
    lines = [line for line in ENV_EXAMPLE.read_text().splitlines() if not line.startswith(f"{variable}=")]
    result = _config(binary, _project(tmp_path, "\n".join(lines) + "\n"))
    assert result.returncode != 0
    assert variable in result.stderr
