"""The Apache Kafka distribution Honeyflow runs locally: jars fetched from Maven Central.

There is no Kafka tarball on our machines, only Maven Central; so the broker is assembled
from `org.apache.kafka:kafka_2.13` and its runtime dependencies (plus the SLF4J binding the
POMs leave out, so the broker logs), and the console tools from `org.apache.kafka:kafka-tools`
on a classpath of their own. Maven resolves and checks (strict checksums) the jars once; we
record their SHA-256 in a manifest and cache them outside the repository, so a second start
needs no network.

Why Kafka 4.1.1: Kafka 4 is KRaft-only (no ZooKeeper), and 4.1.1 is a patch release of the
4.1 line that aiokafka 0.14 (and so faust-streaming 0.15), confluent-kafka 2.16 and Debian's
kcat 1.7 (librdkafka 2.0) were each tested against in this repository's tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from broker.errors import KafkaSetupError

KAFKA_VERSION = "4.1.1"
SCALA_VERSION = "2.13"
# Kafka 4.x logs through SLF4J 1.7 API calls; log4j-slf4j2-impl binds SLF4J 2 (backwards
# compatible with 1.7 callers) to Log4j 2, the logging Kafka 4 itself ships with.
LOG4J_VERSION = "2.24.3"
SLF4J_VERSION = "2.0.17"

_BINDING = [
    ("org.apache.logging.log4j", "log4j-slf4j2-impl", LOG4J_VERSION),
    ("org.apache.logging.log4j", "log4j-core", LOG4J_VERSION),
    ("org.slf4j", "slf4j-api", SLF4J_VERSION),
]
# Each classpath: the Maven coordinates whose runtime closure it holds.
CLASSPATHS: dict[str, list[tuple[str, str, str]]] = {
    "server": [("org.apache.kafka", f"kafka_{SCALA_VERSION}", KAFKA_VERSION), *_BINDING],
    "tools": [("org.apache.kafka", "kafka-tools", KAFKA_VERSION), *_BINDING],
}
MANIFEST = "manifest.json"


def cache_root() -> Path:
    """Where fetched jars live: $HONEYFLOW_CACHE, else $XDG_CACHE_HOME/honeyflow, else ~/.cache."""
    if env := os.environ.get("HONEYFLOW_CACHE"):
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "honeyflow"


@dataclass(frozen=True)
class KafkaDistribution:
    """A fetched, checked Kafka: one directory of jars per classpath."""

    root: Path

    def classpath(self, name: str) -> str:
        jars = sorted((self.root / name).glob("*.jar"))
        return os.pathsep.join(str(j) for j in jars)

    @property
    def version(self) -> str:
        return KAFKA_VERSION


def _pom(coordinates: list[tuple[str, str, str]]) -> str:
    deps = "\n".join(
        f"    <dependency><groupId>{g}</groupId><artifactId>{a}</artifactId>"
        f"<version>{v}</version></dependency>"
        for g, a, v in coordinates
    )
    return f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.honeyflow</groupId>
  <artifactId>kafka-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
{deps}
  </dependencies>
</project>
"""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_manifest(root: Path) -> None:
    entries = {
        f"{cp}/{jar.name}": _sha256(jar) for cp in CLASSPATHS for jar in (root / cp).glob("*.jar")
    }
    manifest = {"kafka": KAFKA_VERSION, "classpaths": sorted(CLASSPATHS), "jars": entries}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))


def verify(root: Path, *, full: bool = False) -> list[str]:
    """Problems with a cached distribution (empty list: it is whole).

    A quick check compares names and sizes; `full` recomputes every SHA-256.
    """
    manifest_path = root / MANIFEST
    if not manifest_path.exists():
        return [f"no manifest at {manifest_path}"]
    try:
        manifest = json.loads(manifest_path.read_text())
        jars: dict[str, str] = manifest["jars"]
    except (ValueError, KeyError) as e:
        return [f"unreadable manifest {manifest_path}: {e}"]
    problems = []
    for cp in CLASSPATHS:
        if not any(name.startswith(f"{cp}/") for name in jars):
            problems.append(f"classpath '{cp}' is empty")
    for name, digest in jars.items():
        jar = root / name
        if not jar.is_file() or jar.stat().st_size == 0:
            problems.append(f"missing jar {jar}")
        elif full and _sha256(jar) != digest:
            problems.append(f"checksum mismatch for {jar}")
    return problems


def require_java() -> str:
    """The java executable (JAVA_HOME first, then PATH), checked to be Java 17 or newer."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    java = str(candidate) if candidate and candidate.exists() else shutil.which("java")
    if not java:
        raise KafkaSetupError(
            "Java not found: Kafka needs Java 17 or newer. Install it (e.g. apt-get install "
            "openjdk-17-jre-headless) or set JAVA_HOME."
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    text = out.stderr + out.stdout
    major = _java_major(text)
    if major is None or major < 17:
        raise KafkaSetupError(f"{java} is not Java 17 or newer (it says: {text.strip()[:200]})")
    return java


def _java_major(version_text: str) -> int | None:
    # `openjdk version "17.0.15" 2025-04-15` / `java version "1.8.0_412"`
    start = version_text.find('"')
    end = version_text.find('"', start + 1)
    if start < 0 or end < 0:
        return None
    parts = version_text[start + 1 : end].split(".")
    try:
        major = int(parts[0])
        return int(parts[1]) if major == 1 and len(parts) > 1 else major
    except ValueError:
        return None


def fetch(*, root: Path | None = None, log: Path | None = None) -> KafkaDistribution:
    """Return the cached distribution, fetching it with Maven first if it is not whole."""
    root = root or cache_root() / f"kafka-{KAFKA_VERSION}"
    if not verify(root):
        return KafkaDistribution(root)
    mvn = shutil.which("mvn")
    if not mvn:
        raise KafkaSetupError(
            f"Kafka {KAFKA_VERSION} is not cached at {root} and Maven (mvn) is not installed "
            "to fetch it. Install Maven (apt-get install maven) and try again."
        )
    require_java()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=root.parent))
    try:
        for cp, coordinates in CLASSPATHS.items():
            workdir = staging / f"pom-{cp}"
            workdir.mkdir(parents=True)
            (workdir / "pom.xml").write_text(_pom(coordinates))
            cmd = [
                mvn,
                "-B",
                "-q",
                "--strict-checksums",
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging / cp}",
            ]
            result = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                log_path = log or staging / f"mvn-{cp}.log"
                log_path.write_text(result.stdout + result.stderr)
                raise KafkaSetupError(
                    f"Maven could not fetch Kafka {KAFKA_VERSION} ({cp} classpath); "
                    f"see {log_path}: {_last_error_line(result.stdout + result.stderr)}"
                )
        _write_manifest(staging)
        if problems := verify(staging, full=True):
            raise KafkaSetupError(f"fetched Kafka is incomplete: {'; '.join(problems)}")
        if root.exists():
            shutil.rmtree(root)
        for leftover in staging.glob("pom-*"):
            shutil.rmtree(leftover)
        staging.rename(root)
    finally:
        if staging.exists() and not any(staging.glob("mvn-*.log")):
            shutil.rmtree(staging, ignore_errors=True)
    return KafkaDistribution(root)


def _last_error_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if "ERROR" in ln] or output.splitlines() or [""]
    return lines[-1].strip()[:300]
