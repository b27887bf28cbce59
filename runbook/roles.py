"""Whether the token's roles may stop a server — known at step 2, refused by step 3.

FJcloud-O's documentation available to this project (shared/reference/fjcloud-o.md) says the token
body lists ``roles``, but no page found states which roles may stop a server. What follows is an
*inference* from the roles' names and is shown to the operator as such: ``cpf_systemowner`` (the
contract's system owner) and ``cpf_operator`` may operate servers; ``cpf_observer`` only reads. A
role outside these three is not judged: the stop itself (a 403) will say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

STOP_ROLES = ("cpf_systemowner", "cpf_operator")
READ_ONLY_ROLES = ("cpf_observer",)
NOT_DOCUMENTED = (
    "FJcloud-O's documentation does not state which roles may stop a server; the runbook infers it "
    "from the role names"
)
FORBIDDEN_HINT = (
    f"the token's user may not do this in the project: stopping a server needs the role "
    f"{' or '.join(STOP_ROLES)} on the server's project (not {READ_ONLY_ROLES[0]}, which only reads). "
    f"Ask the contract's system owner to grant it, or run as a user who has it ({NOT_DOCUMENTED})"
)


@dataclass(frozen=True)
class StopPermission:
    """What the token's roles say about stopping a server: True, False, or None (not known)."""

    roles: tuple[str, ...]
    may_stop: bool | None

    def summary(self) -> str:
        """``roles cpf_observer: may not stop servers (…)`` — the line step 2 prints."""
        names = ", ".join(self.roles) or "(none)"
        if self.may_stop is True:
            verdict = "may stop servers"
        elif self.may_stop is False:
            verdict = f"may NOT stop servers (needs {' or '.join(STOP_ROLES)})"
        else:
            verdict = "not known whether they may stop servers (step 4's answer will tell)"
        return f"roles {names}: {verdict} — {NOT_DOCUMENTED}"


def stop_permission(roles: Iterable[str]) -> StopPermission:
    """Judge ``roles`` (names from the token body) for the stop of step 4."""
    names = tuple(roles)
    if any(role in STOP_ROLES for role in names):
        return StopPermission(names, True)
    if names and all(role in READ_ONLY_ROLES for role in names):
        return StopPermission(names, False)
    return StopPermission(names, None)
