"""``python -m emulator serve`` (placeholder until the standalone server is built)."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("the standalone emulator is not built yet", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
