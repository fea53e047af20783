"""Who sent a command, as the engine core sees it: a principal's name, role, job types and
tenants, taken from the certificate the admin signed for it (broker/command_signing.py checks
the signatures; the core only reads this). Pure data: the core imports it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a principal may ask of the engine (docs/security.md, "Roles")."""

    ADMIN = "admin"
    """Anything; issues the other principals' certificates."""
    ENGINE = "engine"
    """The engine itself: commands between partitions."""
    OPERATOR = "operator"
    """Every command a user sends (deploy, create, cancel, modify, resolve, jobs)."""
    WORKER = "worker"
    """Activate, complete, fail, throw errors on and update jobs of its job types."""
    GATEWAY = "gateway"
    """An operator that names the end user it speaks for (`onBehalfOf`)."""
    EXPORTER = "exporter"
    """Reads the audit log; sends no commands."""
    READER = "reader"
    """Reads the audit log; sends no commands."""


DEFAULT_TENANTS = ("<default>",)


@dataclass(frozen=True, slots=True)
class Principal:
    """A principal whose signature on a command checked out."""

    name: str
    role: Role
    job_types: tuple[str, ...] = ()
    """The job types a worker serves (empty for every other role)."""
    tenants: tuple[str, ...] = DEFAULT_TENANTS
    """The tenants the principal is granted."""
    on_behalf_of: str = ""
    """The end user a gateway authenticated and speaks for; empty when the principal speaks
    for itself."""

    @property
    def audit_name(self) -> str:
        """The principal as the audit log names it: `gateway` or `gateway (for alice)`."""
        return f"{self.name} (for {self.on_behalf_of})" if self.on_behalf_of else self.name


@dataclass(frozen=True, slots=True)
class Unverified:
    """A command whose sender could not be established: the name it claimed (empty if none)
    and why it is refused."""

    claimed: str
    reason: str
