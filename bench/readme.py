"""The README's headline figures: a block between markers that a full ``make bench`` refreshes."""

from __future__ import annotations

from bench.checks import Report, all_checks, verdict_text

README_BEGIN = "<!-- BEGIN bench-figures -->"
README_END = "<!-- END bench-figures -->"


def readme_block(report: Report, doc_link: str = "docs/BENCHMARKS.md") -> str:
    """The README's headline ratios, between the bench-figures markers."""
    checks = [c for c in all_checks(report) if c.met is not None]
    met = sum(1 for c in checks if c.met)
    lines = [
        README_BEGIN,
        f"**Performance** ([`{doc_link}`]({doc_link}), written by `make bench`; every figure "
        "is a ratio against a baseline measured in the same run on the same 2-core machine; "
        f"{met} of {len(checks)} targets met in the last run):",
        "",
        "| figure | target | last run |",
        "|---|---|---|",
    ]
    for check in checks:
        headline = check.measured.split(" (", 1)[0]
        lines.append(
            f"| {check.figure} | {check.target} | {headline} — {verdict_text(check.met)} |"
        )
    for part in report.failures:
        lines.append(f"| {part} | — | not run |")
    lines.append(README_END)
    return "\n".join(lines)


def update_readme(readme: str, block: str) -> str:
    """Replace the bench-figures block, or add it right after ``<!-- BEGIN figures -->``."""
    if README_BEGIN in readme and README_END in readme:
        head, rest = readme.split(README_BEGIN, 1)
        tail = rest.split(README_END, 1)[1]
        return head + block + tail
    anchor = "<!-- BEGIN figures -->\n"
    if anchor not in readme:
        raise ValueError("README.md has no <!-- BEGIN figures --> marker")
    return readme.replace(anchor, anchor + block + "\n", 1)
