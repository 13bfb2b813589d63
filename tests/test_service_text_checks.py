"""Every service that takes text refuses text it could not store (a lone surrogate, NUL) with its
own error, which is an `InputError`, and a message naming the field: whichever adapter calls it
(an HTTP route, a Reflex handler, the CLI) gets the same refusal and nothing is written."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from accumulator import push
from accumulator.auth import service as auth
from accumulator.auth.models import Owner
from accumulator.db import utcnow
from accumulator.inputs import InputError
from accumulator.notes import service as notes
from accumulator.notes.models import Note, Workspace
from accumulator.pastes import service as pastes
from accumulator.plants import service as plants

LONE = "\ud800"
UNSTORABLE = [f"a{LONE}b", "a\x00b"]


def count(session: Session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("bad", UNSTORABLE, ids=["surrogate", "nul"])
@pytest.mark.parametrize(
    ("field", "label"), [("name", "name"), ("species", "species"), ("location", "location"), ("notes", "notes")]
)
def test_a_plant_field_that_cannot_be_stored_is_refused(field: str, label: str, bad: str) -> None:
    with pytest.raises(plants.PlantError, match=label) as caught:
        plants.parse_input({"name": "Fern", field: bad})
    assert isinstance(caught.value, InputError)


def test_a_plant_name_keeps_being_tidied_to_one_line() -> None:
    assert plants.parse_input({"name": "  Big \n Fern "}).name == "Big Fern"
    with pytest.raises(plants.PlantError, match="control characters"):
        plants.parse_input({"name": "Fern\x1b[2J"})


@pytest.mark.parametrize("bad", UNSTORABLE, ids=["surrogate", "nul"])
def test_a_workspace_name_or_note_that_cannot_be_stored_is_refused_and_nothing_is_written(
    session: Session, bad: str
) -> None:
    workspaces = count(session, Workspace)  # the migrations may have made a first one
    with pytest.raises(notes.NotesError, match="workspace name"):
        notes.create_workspace(session=session, title=bad)
    workspace = notes.create_workspace(session=session, title="Journal")
    with pytest.raises(notes.NotesError, match="workspace name"):
        notes.rename_workspace(session=session, workspace_id=workspace.id, title=bad)
    with pytest.raises(notes.NotesError, match="note"):
        notes.add_note(session=session, workspace_id=workspace.id, text=bad, now=utcnow())
    note = notes.add_note(session=session, workspace_id=workspace.id, text="fine", now=utcnow())
    with pytest.raises(notes.NotesError, match="note"):
        notes.edit_note(session=session, note_id=note.id, text=bad, now=utcnow())
    session.commit()
    assert count(session, Workspace) == workspaces + 1 and count(session, Note) == 1
    assert session.get(Workspace, workspace.id).title == "Journal" and session.get(Note, note.id).text == "fine"


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        (f"owner{LONE}@example.com", "a long owner password", "e-mail"),
        ("owner\x00@example.com", "a long owner password", "e-mail"),
        ("owner@example.com", f"a long {LONE} password", "password"),
        ("owner@example.com", "a long \x00 password", "password"),
    ],
)
def test_an_owner_with_text_that_cannot_be_stored_is_refused(
    session: Session, email: str, password: str, message: str
) -> None:
    with pytest.raises(auth.AuthError, match=message):
        auth.set_owner(session=session, email=email, password=password)
    assert count(session, Owner) == 0


def test_authenticate_answers_none_for_text_no_password_can_be(session: Session) -> None:
    auth.set_owner(session=session, email="owner@example.com", password="a long owner password")
    assert (
        auth.authenticate(session=session, email=f"owner{LONE}@example.com", password="a long owner password") is None
    )
    assert auth.authenticate(session=session, email="owner@example.com", password=f"a long {LONE}") is None
    assert auth.authenticate(session=session, email="owner@example.com", password="a long owner password")


@pytest.mark.parametrize("name", ["a\ud800.txt", "a\x00.txt", "x\u202etxt.exe", "x\u2066.pdf", "a\u200d\u202e"])
def test_a_file_name_that_cannot_be_stored_or_disguises_itself_is_refused(name: str) -> None:
    with pytest.raises(pastes.PasteError, match="file name"):
        pastes.check_file_name(name)


def test_the_paste_checks_name_the_field() -> None:
    base = {"title": "t", "content": "c", "language": "auto"}
    for field in ("title", "content", "language"):
        with pytest.raises(pastes.PasteError, match=f"(?i)the {field}"):
            pastes.parse_input({**base, field: f"x{LONE}"})


def test_a_push_endpoint_that_cannot_be_stored_is_refused(session: Session) -> None:
    with pytest.raises(push.PushError, match="endpoint"):
        push.parse_subscription({"endpoint": f"https://push.example.com/{LONE}", "keys": {}})
    assert push.remove_subscription(session, "https://push.example.com/\x00") is False
