"""By default an archive holds no session, no key: a restore logs everyone out and makes new keys."""

from __future__ import annotations

import gzip
import tarfile

from accumulator.backup.archive import SECRET_KEY_MEMBER
from accumulator.backup.load import check_known_revision
from accumulator.backup.reading import open_verified
from tests.backup.conftest import cli, fill, installation, only_archive, reloaded, rows_by_table
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD, api_client


def everything_in(path) -> bytes:
    """The archive's bytes, its tables decompressed: what anyone holding it could read."""
    parts = []
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            parts.append(gzip.decompress(data) if member.name.endswith(".gz") else data)
    return b"\n".join(parts)


def test_sessions_and_keys_stay_out_of_an_archive_unless_asked(tmp_path, tmp_path_factory) -> None:
    with installation("sqlite", tmp_path_factory) as source, installation("sqlite", tmp_path_factory) as target:
        cookie = fill(source)
        rows = rows_by_table(source)
        token_hash = rows["owner_session"][0][2]
        vapid = dict((name, value) for name, value, _ in rows["app_secret"])
        assert cli(source, "backup", "--to", str(tmp_path / "plain")).returncode == 0
        archive = only_archive(tmp_path / "plain")

        readable = everything_in(archive)
        assert token_hash.encode() not in readable
        assert vapid["vapid_private_key"].split("\n")[1].encode() not in readable
        assert source.settings.secret_key.encode() not in readable
        opened = open_verified(archive, check_revision=check_known_revision)
        for table in ("owner_session", "app_secret", "push_subscription"):
            assert opened.tables[table]["rows"] == 0 and opened.tables[table]["left_out"]
        assert SECRET_KEY_MEMBER not in opened.manifest["members"]
        opened.close()

        restored = cli(target, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        assert "everyone is logged out" in restored.stdout
        with api_client(reloaded(target)) as client:
            client.cookies.set("acc_session", cookie)
            assert client.get("/api/auth/me").status_code == 401
            login = client.post("/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
            assert login.status_code == 200
            assert client.get("/api/plants/push/key").status_code == 200
        new_keys = dict((name, value) for name, value, _ in rows_by_table(target)["app_secret"])
        assert new_keys["vapid_public_key"] != vapid["vapid_public_key"]

        assert cli(source, "backup", "--to", str(tmp_path / "all"), "--include-secrets").returncode == 0
        assert token_hash.encode() in everything_in(only_archive(tmp_path / "all"))
