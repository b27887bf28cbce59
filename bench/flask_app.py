"""The throughput baseline: a minimal Flask app on waitress answering with the emulator's bodies.

    python -m bench.flask_app PORT THREADS BODIES.json

``BODIES.json`` is ``{"get": …, "post": …, "token": "…"}`` as captured from the emulator, so both
serialise a document of the same size on every request.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request


def create(bodies: dict[str, Any]) -> Flask:
    """``GET /get``, ``POST /post`` (parses the JSON body, answers 201 + a token header), ``/health``."""
    app = Flask("bench-baseline")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok")

    @app.get("/get")
    def get() -> Response:
        return jsonify(bodies["get"])

    @app.post("/post")
    def post() -> tuple[Response, int, dict[str, str]]:
        request.get_json(force=True)
        return jsonify(bodies["post"]), 201, {"X-Subject-Token": bodies["token"]}

    return app


if __name__ == "__main__":
    import waitress

    port, threads, path = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    app = create(json.loads(path.read_text(encoding="utf-8")))
    waitress.serve(app, host="127.0.0.1", port=port, threads=threads)
