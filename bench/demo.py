"""The default seed's demo project, server and credentials, as the benchmarks send them.

No imports: ``bench/inproc.py`` times cold starts from its own first line.
"""

PROJECT_ID = "790f1c092038413a8dd6771a033b17f5"
SERVER_ID = "dbf93607-f105-4e86-842c-02ae504efe36"
AUTH_BODY = {
    "auth": {
        "identity": {
            "methods": ["password"],
            "password": {
                "user": {
                    "name": "demo-user",
                    "domain": {"name": "demo0001"},
                    "password": "demo-password",  # the default seed's demo credential
                }
            },
        },
        "scope": {"project": {"id": PROJECT_ID}},
    }
}
