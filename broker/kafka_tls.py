"""A certificate authority and one TLS key store per node for a secure local cluster, made with
the JDK's keytool (Kafka needs a JDK anyway, so no new Python dependency holds private keys).

Everything lives under `<cluster>/tls/`: `ca.p12` (the CA's key, never given to a client),
`ca.pem` (its certificate: what clients trust, `ssl.ca.location`), `truststore.p12` and one
`node-<id>.p12` per node (its key and a certificate signed by the CA for 127.0.0.1 and
localhost, good for TLS servers and clients: nodes authenticate to each other's controller
listener with it). Files are readable by their owner only.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from broker.errors import ClusterError

VALIDITY_DAYS = 3650
# RSA 2048 is what keytool, librdkafka and Python's ssl all take without a second thought.
_KEY = ["-keyalg", "RSA", "-keysize", "2048"]
_SAN = "SAN=ip:127.0.0.1,dns:localhost"


@dataclass(frozen=True)
class ClusterTls:
    directory: Path
    password: str
    """Of every key store here (the nodes read it from their server.properties, mode 0600)."""

    @property
    def ca_pem(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def truststore(self) -> Path:
        return self.directory / "truststore.p12"

    def keystore(self, node_id: int) -> Path:
        return self.directory / f"node-{node_id}.p12"

    @staticmethod
    def node_principal(node_id: int) -> str:
        """The principal Kafka gives node `node_id` on a TLS listener (its certificate's DN)."""
        return f"User:CN=honeyflow-node-{node_id}"


def _keytool(java: str) -> str:
    keytool = Path(java).parent / "keytool"
    if not keytool.exists():
        raise ClusterError(f"keytool not found beside {java}: a secure cluster needs a full JDK")
    return str(keytool)


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ClusterError(f"keytool could not {what}: {(result.stderr or result.stdout).strip()}")


def make_tls(
    directory: Path, password: str, node_ids: list[int], java: str, node_host: str | None = None
) -> ClusterTls:
    """Create the CA (once) and the key store of every node in `node_ids` that has none.
    `node_host` (e.g. "kafka-{}"): a host name per node, formatted with its id, that its
    certificate also names (the nodes of docker-compose.secure.yml reach each other by it)."""
    tool = _keytool(java)
    tls = ClusterTls(directory, password)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    store = ["-storetype", "PKCS12", "-storepass", password]
    ca = directory / "ca.p12"
    if not ca.exists():
        _run(
            [tool, "-genkeypair", "-alias", "ca", *_KEY, "-dname", "CN=Honeyflow local CA",
             "-ext", "bc:c", "-validity", str(VALIDITY_DAYS), "-keystore", str(ca), *store],
            "create the cluster's CA",
        )  # fmt: skip
        _run(
            [tool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", str(ca), *store,
             "-file", str(tls.ca_pem)],
            "export the CA certificate",
        )  # fmt: skip
        _run(
            [tool, "-importcert", "-noprompt", "-alias", "ca", "-file", str(tls.ca_pem),
             "-keystore", str(tls.truststore), *store],
            "write the trust store",
        )  # fmt: skip
    for node_id in node_ids:
        keystore = tls.keystore(node_id)
        if keystore.exists():
            continue
        san = _SAN + (f",dns:{node_host.format(node_id)}" if node_host else "")
        csr = directory / f"node-{node_id}.csr"
        crt = directory / f"node-{node_id}.crt"
        _run(
            [tool, "-genkeypair", "-alias", "node", *_KEY,
             "-dname", tls.node_principal(node_id).removeprefix("User:"), "-ext", san,
             "-validity", str(VALIDITY_DAYS), "-keystore", str(keystore), *store],
            f"create the key of node {node_id}",
        )  # fmt: skip
        _run(
            [tool, "-certreq", "-alias", "node", "-keystore", str(keystore), *store,
             "-file", str(csr)],
            f"write the certificate request of node {node_id}",
        )  # fmt: skip
        _run(
            [tool, "-gencert", "-rfc", "-alias", "ca", "-keystore", str(ca), *store,
             "-infile", str(csr), "-outfile", str(crt), "-ext", san,
             "-ext", "ku:c=digitalSignature,keyEncipherment", "-ext", "eku=serverAuth,clientAuth",
             "-validity", str(VALIDITY_DAYS)],
            f"sign the certificate of node {node_id}",
        )  # fmt: skip
        for alias, path in (("ca", tls.ca_pem), ("node", crt)):
            _run(
                [tool, "-importcert", "-noprompt", "-alias", alias, "-file", str(path),
                 "-keystore", str(keystore), *store],
                f"import the certificates of node {node_id}",
            )  # fmt: skip
        csr.unlink()
        crt.unlink()
    for path in directory.iterdir():
        os.chmod(path, 0o600)
    # Clients must be able to read the CA certificate (nothing secret in it).
    os.chmod(tls.ca_pem, 0o644)
    return tls
