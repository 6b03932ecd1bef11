"""Properties of any actions file, good and bad rows mixed.

- With ``accept_partial``: rows read = imported + rejected, the layer holds the imported rows
  and the rejects file the rejected ones.
- Without it: a file with one bad row fails and leaves the workspace byte-for-byte unchanged;
  a file without any imports every row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.io.importing import import_file
from territory.io.workspace import Workspace

HEADER = ["Date", "Type d'action", "Jeunes rencontrés", "Code INSEE", "Code ML", "Lieu"]
GOOD = {
    "date": st.sampled_from(["04/03/2021", "2021-03-04", "4/3/21", "31/12/2019",
                             "29/02/2020", "15 juin 2022"]),
    "kind": st.sampled_from(["Maraude", "Bus / permanence mobile", "Événement", "evenement",
                             "Structure partenaire", "MARAUDE"]),
    "met": st.integers(0, 60).map(str),
    "code": st.sampled_from(["33063", "33522", "33550", "33318"]),
    "ml": st.sampled_from(["ML-N", "ML-S", ""]),
}
BAD = {
    "date": st.sampled_from(["31/02/2021", "hier", "", "12/13/2021", "01/01/2099",
                             "1975-01-01"]),
    "kind": st.sampled_from(["Atelier", "", "???"]),
    "met": st.sampled_from(["-1", "2,5", "beaucoup", ""]),
    "code": st.sampled_from(["33000", "3306", "31555", "", "33999", "ABCDE"]),
    "ml": st.sampled_from(["ML-X", "Mission Locale"]),
}
LABEL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


@st.composite
def action_row(draw: st.DrawFn) -> tuple[list[str], bool]:
    """A row and whether it is good; each field is bad with probability about 1/8."""
    cells, good = [], True
    for field in ("date", "kind", "met", "code", "ml"):
        bad = draw(st.integers(0, 7)) == 0
        good = good and not bad
        cells.append(draw((BAD if bad else GOOD)[field]))
    return [*cells, draw(LABEL)], good


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([HEADER, *rows])
    return out.getvalue()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def module_workspace(covered_workspace_file: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    path = tmp_path_factory.mktemp("properties") / "territoire.gpkg"
    shutil.copyfile(covered_workspace_file, path)
    return Workspace(path)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(action_row(), min_size=1, max_size=12))
def test_rows_read_are_imported_plus_rejected(module_workspace: Workspace,
                                              rows: list[tuple[list[str], bool]]) -> None:
    folder = module_workspace.path.parent
    path = folder / "actions.csv"
    rejects = folder / "actions.rejets.csv"
    rejects.unlink(missing_ok=True)
    path.write_text(_csv([r for r, _ in rows]), encoding="utf-8-sig")
    before = _sha(module_workspace.path)
    good = sum(ok for _, ok in rows)
    try:
        report = import_file("actions", path, workspace=module_workspace, accept_partial=True)
    except InputError as error:
        assert good == 0, error
        assert _sha(module_workspace.path) == before
        return
    assert report.rows_read == len(rows)
    assert report.rows_read == report.imported + report.rejected
    assert report.imported == good
    if not report.unchanged:
        assert len(module_workspace.read("actions")) == report.imported
        written = rejects.read_text(encoding="utf-8-sig") if report.rejected else ""
        assert len(list(csv.reader(io.StringIO(written), delimiter=";"))) == (
            report.rejected + 1 if report.rejected else 0)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(action_row(), min_size=1, max_size=12),
       st.sampled_from([";", ",", "\t"]), st.sampled_from(["utf-8", "cp1252"]))
def test_a_failed_import_leaves_the_workspace_unchanged(
    module_workspace: Workspace, rows: list[tuple[list[str], bool]], sep: str, encoding: str,
) -> None:
    folder = module_workspace.path.parent
    path = folder / "strict.csv"
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows([HEADER, *(r for r, _ in rows)])
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    before = _sha(module_workspace.path)
    if all(ok for _, ok in rows):
        report = import_file("actions", path, workspace=module_workspace, dry_run=True)
        assert report.imported == len(rows)
    else:
        with pytest.raises(InputError) as caught:
            import_file("actions", path, workspace=module_workspace)
        assert "nothing was imported" in caught.value.problems[0].message
        assert len(caught.value.problems) > 1
    assert _sha(module_workspace.path) == before
    assert not (folder / "strict.rejets.csv").exists()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300),
    st.lists(st.lists(st.sampled_from([*HEADER, "33063", "04/03/2021", "Maraude", "3", "",
                                       "X", "Y", "-0,58", "44,84", '"', ";"]), max_size=7),
             max_size=6).map(lambda rows: "\n".join(";".join(r) for r in rows)),
))
def test_any_file_is_imported_or_refused_cleanly(module_workspace: Workspace,
                                                 content: str | bytes) -> None:
    path = module_workspace.path.parent / "any.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = _sha(module_workspace.path)
    try:
        report = import_file("actions", path, workspace=module_workspace, dry_run=True,
                             accept_partial=True)
    except InputError as error:
        assert error.problems and all(p.file == "any.csv" for p in error.problems)
    else:
        assert report.rows_read == report.imported + report.rejected
    assert _sha(module_workspace.path) == before
