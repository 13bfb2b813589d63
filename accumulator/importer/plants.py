"""Import the plants: a watering rule from the original's free text, the other texts as care notes,
the last watering as history, and the image as the plant's photo."""

from __future__ import annotations

from accumulator.db import session_scope
from accumulator.importer.ledger import PLANNED, Entry, Run, record, save_bytes
from accumulator.importer.mapping import Unmappable, one_line, plant_image_name, plant_notes, utc, watering_rule
from accumulator.plants.models import NAME_MAX, CareEvent, Plant
from accumulator.plants.photos import normalise_photo
from accumulator.plants.service import WATERED, PlantError


def _photo(run: Run, plant_source_id: str, image: str | None) -> str | None:
    """The plant's image as a photo here (a resized JPEG), or None with the reason reported."""
    try:
        name = plant_image_name(image)
        if name is None:
            return None
        data = run.original_file(name).read_bytes()
        jpeg = normalise_photo(data)
    except (Unmappable, FileNotFoundError, PlantError) as exc:
        run.report.fail("plant_photo", plant_source_id, str(exc))
        return None
    except OSError as exc:
        run.report.fail("plant_photo", plant_source_id, f"cannot be read: {exc.strerror or exc}")
        return None
    return PLANNED if run.dry_run else save_bytes(run.photo_store, jpeg)


def import_plants(run: Run) -> None:
    kind, report = "plant", run.report
    rows = run.source.rows("plants")
    report.read(kind, len(rows))
    report.read("plant_photo", sum(1 for row in rows if row["image"]))
    done, photos_done = run.done(kind), run.done("plant_photo")
    for row in rows:
        source_id = str(row["id"])
        if source_id in done:
            report.already(kind)
            if row["image"] and source_id in photos_done:
                report.already("plant_photo")
            elif row["image"]:
                _late_photo(run, source_id, done[source_id].target_id, row["image"])
            continue
        name, cut = one_line(row["name"], NAME_MAX)
        if not name:
            report.fail(kind, source_id, "the plant has no name")
            if row["image"]:
                report.skip("plant_photo", source_id, "its plant was not imported")
            continue
        if cut:
            report.remark(kind, source_id, f"name shortened to {NAME_MAX} characters")
        rule = watering_rule(row["watering_frequency"])
        if not rule.understood:
            report.remark(kind, source_id, f"{name}: {rule.remark}; check it")
        elif rule.check_soil:
            report.remark(kind, source_id, f"{name}: soil checked every {rule.interval_days} days, watered when dry")
        photo_id = _photo(run, source_id, row["image"])
        plant = Plant(
            name=name,
            notes=plant_notes(
                info=row["info"],
                care=row["care"],
                potting=row["potting_notes"],
                watering=None if rule.understood else row["watering_frequency"],
            ),
            interval_days=rule.interval_days,
            check_soil=rule.check_soil,
            last_watered_on=row["watered_on"],
            photo_id=None if photo_id == PLANNED else photo_id,
            created_at=utc(row["inserted_at"]) or run.now,
        )
        report.imported(kind)
        if photo_id is not None:
            report.imported("plant_photo")
        if run.dry_run:
            continue
        try:
            with session_scope(run.engine) as session:
                session.add(plant)
                session.flush()
                if plant.last_watered_on is not None:
                    session.add(CareEvent(plant_id=plant.id, kind=WATERED, on_date=plant.last_watered_on))
                record(session, kind, [Entry(source_id, str(plant.id))], run.now)
                if photo_id is not None:
                    record(session, "plant_photo", [Entry(source_id, photo_id)], run.now)
        except BaseException:
            if photo_id is not None:
                run.photo_store.delete(photo_id)
            raise


def _late_photo(run: Run, source_id: str, plant_id: str, image: str) -> None:
    """A plant imported before without its photo (no --files then): add the photo if it has none."""
    with run.session() as session:
        plant = session.get(Plant, int(plant_id))
    if plant is None or plant.photo_id:
        reason = "its plant was deleted here" if plant is None else "the plant has a photo here already"
        run.report.skip("plant_photo", source_id, reason)
        return
    photo_id = _photo(run, source_id, image)
    if photo_id is None:
        return
    run.report.imported("plant_photo")
    if run.dry_run:
        return
    with session_scope(run.engine) as session:
        plant = session.get(Plant, int(plant_id))
        plant.photo_id = photo_id
        session.add(plant)
        record(session, "plant_photo", [Entry(source_id, photo_id)], run.now)
