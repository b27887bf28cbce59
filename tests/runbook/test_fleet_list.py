"""Reading a fleet's list (``--servers FILE``): lines with comments, or YAML; bad entries refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook.fleet import read_servers_file

UUID = "dbf93607-f105-4e86-842c-02ae504efe36"


def test_one_per_line_with_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "servers.txt"
    path.write_text(f"# wave 1\nweb-1\n\n  {UUID.upper()}  # the database\nweb-2\n", "utf-8")

    selectors = read_servers_file(path)

    assert [s.text for s in selectors] == ["web-1", UUID, "web-2"]  # a UUID in lower case
    assert [s.is_id for s in selectors] == [False, True, False]
    assert selectors[1].origin == f"{path} line 4"


def test_yaml_list_or_servers_key_with_ids_and_names(tmp_path: Path) -> None:
    path = tmp_path / "servers.yaml"
    path.write_text(f"servers:\n  - web-1\n  - {{id: {UUID}}}\n  - {{name: db-1}}\n", "utf-8")

    assert [s.text for s in read_servers_file(path)] == ["web-1", UUID, "db-1"]


def test_a_yaml_entry_that_is_neither_id_nor_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "servers.yaml"
    path.write_text("- web-1\n- {flavor: S-2}\n", "utf-8")

    with pytest.raises(pytest.UsageError, match=r"entry 2 .* is neither a UUID nor a name"):
        read_servers_file(path)


def test_a_missing_file_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(pytest.UsageError, match=r"nosuch\.txt: cannot read it"):
        read_servers_file(tmp_path / "nosuch.txt")
