"""Reading a fleet's list (``--servers FILE``): lines with comments, or YAML; bad entries refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook.fleet_list import read_servers_file

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


def test_yaml_after_a_leading_comment_is_read_as_yaml(tmp_path: Path) -> None:
    # A list file that starts with a comment, as most do, was read line by line: '- web-1' became
    # a server name, refused only at step 3, after the password was sent.
    path = tmp_path / "servers.txt"
    path.write_text(f"# wave 1\n\n- web-1\n- {{id: {UUID}}}\n", "utf-8")

    assert [s.text for s in read_servers_file(path)] == ["web-1", UUID]


def test_a_yaml_or_yml_file_is_yaml_whatever_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "servers.yml"
    path.write_text("# the shop\nservers:\n  - {name: db-1}\n", "utf-8")

    assert [s.text for s in read_servers_file(path)] == ["db-1"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("dbf93607-f105-4e86-842c", "looks like a server id but is not a whole UUID"),
        ("dbf93607f1054e86842c02ae504efe36", "looks like a server id but is not a whole UUID"),
        ("web\x01-1", r"contains U\+0001"),
        ("web\u200b-1", r"contains U\+200B \(ZERO WIDTH SPACE\)"),
        ("w" * 256, "is 256 characters long: a Nova server name has at most 255"),
    ],
    ids=["uuid-cut-short", "uuid-without-dashes", "control-character", "zero-width", "too-long"],
)
def test_a_line_that_is_neither_a_uuid_nor_a_nova_name_is_refused(
    tmp_path: Path, line: str, problem: str
) -> None:
    # Nova's names (nova/api/validation/parameter_types.py, `name`): 1-255 printable characters.
    path = tmp_path / "servers.txt"
    path.write_text(f"web-1\n{line}\n", "utf-8")

    with pytest.raises(pytest.UsageError, match=rf"servers\.txt line 2: .*{problem}"):
        read_servers_file(path)


def test_names_nova_allows_are_kept_as_given(tmp_path: Path) -> None:
    path = tmp_path / "servers.txt"
    path.write_text("web 1\nサーバ-01\ncafe-babe\n" + "w" * 255 + "\n", "utf-8")

    assert [s.text for s in read_servers_file(path)] == [
        "web 1",
        "サーバ-01",
        "cafe-babe",
        "w" * 255,
    ]


def test_a_yaml_id_that_is_not_a_uuid_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "servers.yaml"
    path.write_text("- {id: web-1}\n", "utf-8")

    with pytest.raises(pytest.UsageError, match=r"entry 1: 'web-1' is not a server id .* `name:`"):
        read_servers_file(path)


def test_a_yaml_boolean_is_no_server(tmp_path: Path) -> None:
    path = tmp_path / "servers.yaml"
    path.write_text("- web-1\n- yes\n", "utf-8")

    with pytest.raises(pytest.UsageError, match=r"entry 2 \(True\) is neither a UUID nor a name"):
        read_servers_file(path)


def test_a_list_saved_with_a_byte_order_mark_and_crlf_is_read_as_written(tmp_path: Path) -> None:
    # Windows' Notepad and Excel ("CSV UTF-8") start a UTF-8 file with a BOM and end lines CRLF.
    path = tmp_path / "servers.txt"
    path.write_bytes(f"\ufeffweb-1\r\n{UUID}\r\n".encode())

    assert [s.text for s in read_servers_file(path)] == ["web-1", UUID]
