"""The Docker contract: docker-compose.yml, Dockerfile and odoo.conf agree with each other and
with the addons in addons/. Plain pytest (PyYAML), no Docker and no Odoo needed."""

import ast
import configparser
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ADDONS = REPO / "addons"


def _manifests(include_test_addons=False):
    """Installable addons; test-only `test_*` addons only when asked for."""
    result = {}
    for path in sorted(ADDONS.glob("*/__manifest__.py")):
        manifest = ast.literal_eval(path.read_text(encoding="utf-8"))
        name = path.parent.name
        wanted = include_test_addons or not name.startswith("test_")
        if manifest.get("installable", True) and wanted:
            result[name] = manifest
    return result


def _requirements(path):
    """{normalized name: the rest of the line} of a requirements file."""
    result = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name = re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0]
            result[_normalize(name)] = line[len(name) :].replace(" ", "")
    return result


def _requirement_names(path):
    return set(_requirements(path))


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _volumes(service):
    """(source, target, read_only) for short ("src:dst[:ro]") and long volume syntax."""
    result = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            parts = volume.split(":")
            result.append((parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")))
        else:
            result.append((volume.get("source"), volume["target"], bool(volume.get("read_only"))))
    return result


def _env(service):
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def db(compose):
    return compose["services"]["db"]


@pytest.fixture(scope="module")
def odoo(compose):
    return compose["services"]["odoo"]


@pytest.fixture(scope="module")
def odoo_conf():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(REPO / "odoo.conf", encoding="utf-8")
    return parser["options"]


@pytest.fixture(scope="module")
def odoo_command(odoo):
    command = odoo["command"]
    return command.split() if isinstance(command, str) else list(command)


def test_dockerfile_extends_the_official_image():
    lines = [
        line.strip()
        for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines[0] == "FROM odoo:18.0"
    assert lines[-1] == "USER odoo", "the image must not run Odoo as root"
    text = "\n".join(lines)
    assert "--break-system-packages" in text
    for name in ("requirements.txt", "requirements-oca.txt"):
        assert f"-r /tmp/wfmon/{name}" in text, f"the Dockerfile must install {name}"


def test_docker_build_context_holds_the_requirements():
    """.dockerignore keeps everything out of the build context except what COPY needs."""
    allowed = [
        line.strip()[1:]
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("!")
    ]
    assert sorted(allowed) == ["requirements-oca.txt", "requirements.txt"]


def test_oca_addons_are_wheels_of_the_18_0_series():
    for name, spec in _requirements(REPO / "requirements-oca.txt").items():
        assert name.startswith("odoo-addon-"), f"{name}: OCA addons come as odoo-addon-* wheels"
        assert ">=18.0" in spec and "<18.1" in spec, f"{name}: pin it to the 18.0 series"


def test_db_service_is_official_postgres_with_healthcheck(db):
    assert db["image"].split(":")[0] in ("postgres", "library/postgres", "docker.io/postgres")
    test = db["healthcheck"]["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))
    assert _env(db).get("POSTGRES_USER") not in (None, "postgres"), "Odoo refuses the postgres role"


def test_odoo_service_builds_our_image_and_waits_for_a_healthy_db(odoo):
    assert "build" in odoo
    assert odoo["image"] == "wfmon-odoo:18.0"
    assert odoo["depends_on"]["db"]["condition"] == "service_healthy"


def test_odoo_port_bound_to_loopback(odoo):
    assert "127.0.0.1:8069:8069" in [str(port) for port in odoo["ports"]]


def test_addons_and_config_mounted_read_only(odoo):
    volumes = {target: (source, read_only) for source, target, read_only in _volumes(odoo)}
    assert volumes["/mnt/extra-addons"] == ("./addons", True)
    assert volumes["/etc/odoo/odoo.conf"] == ("./odoo.conf", True)
    assert "/var/lib/odoo" in volumes, "filestore must survive container restarts"


def test_command_installs_every_addon(odoo_command):
    assert odoo_command[0] == "odoo"
    assert "-i" in odoo_command, "the command must install the suite with -i"
    installed = set(odoo_command[odoo_command.index("-i") + 1].split(","))
    missing = sorted(set(_manifests()) - installed)
    assert not missing, f"add {missing} to the -i list of the odoo command in docker-compose.yml"
    test_only = sorted(name for name in installed if name.startswith("test_"))
    assert not test_only, f"test-only addons {test_only} do not belong in the Docker database"
    database = odoo_command[odoo_command.index("-d") + 1]
    assert database == "wfmon"


def test_odoo_conf_matches_compose(odoo_conf, db, odoo):
    assert "/mnt/extra-addons" in [p.strip() for p in odoo_conf["addons_path"].split(",")]
    assert odoo_conf["db_host"] == "db"
    db_env = _env(db)
    assert odoo_conf["db_user"] == db_env["POSTGRES_USER"]
    assert odoo_conf["db_password"] == db_env["POSTGRES_PASSWORD"]
    odoo_env = _env(odoo)
    # The image's entrypoint reads HOST/USER/PASSWORD when odoo.conf does not set them.
    assert odoo_env.get("HOST", "db") == "db"
    assert odoo_env.get("USER", db_env["POSTGRES_USER"]) == db_env["POSTGRES_USER"]
    assert odoo_env.get("PASSWORD", db_env["POSTGRES_PASSWORD"]) == db_env["POSTGRES_PASSWORD"]
    assert odoo_conf.get("without_demo", "False").strip().lower() in ("false", "0", "")


def test_external_python_dependencies_are_installed_everywhere():
    runtime = _requirement_names(REPO / "requirements.txt")
    local = _requirement_names(REPO / "requirements-test.txt")
    for module, manifest in _manifests(include_test_addons=True).items():
        for name in manifest.get("external_dependencies", {}).get("python", []):
            assert _normalize(name) in runtime, f"{module}: add {name} to requirements.txt"
            assert _normalize(name) in local, f"{module}: add {name} to requirements-test.txt"
