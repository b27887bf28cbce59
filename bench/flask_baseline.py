"""The baseline: a minimal Flask app on waitress returning the same JSON bodies as the emulator.

Run as a script in its own process: ``python bench/flask_baseline.py PORT THREADS BODIES.json``.
``BODIES.json`` holds ``{"get": <GET server body>, "post": <token body>, "token": "<header>"}``
captured from the emulator, so both sides serialise the same-sized document on every request.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request


def create_baseline_app(bodies: dict[str, Any]) -> Flask:
    """``GET /get`` and ``POST /post`` answer with the given bodies; ``/health`` says ok."""
    app = Flask("bench-baseline")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok")

    @app.get("/get")
    def get_document() -> Response:
        return jsonify(bodies["get"])

    @app.post("/post")
    def post_document() -> tuple[Response, int, dict[str, str]]:
        # Parse the request body like the emulator must, then answer 201 with a header.
        request.get_json(force=True)
        return jsonify(bodies["post"]), 201, {"X-Subject-Token": bodies["token"]}

    return app


def main(argv: list[str]) -> int:
    """Serve the baseline on 127.0.0.1:PORT with THREADS waitress threads until killed."""
    from waitress import serve

    # The same logging set-up as ``python -m emulator serve`` (waitress warns on queue depth).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    port, threads, bodies_path = int(argv[0]), int(argv[1]), Path(argv[2])
    bodies = json.loads(bodies_path.read_text(encoding="utf-8"))
    serve(create_baseline_app(bodies), host="127.0.0.1", port=port, threads=threads, _quiet=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
