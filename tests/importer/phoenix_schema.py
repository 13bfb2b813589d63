"""The original Phoenix app's database, as its Ecto migrations left it (original-system-facts.md §2),
and a set of rows like the owner's, quirks included.

Ecto's types: `:string` → varchar(255), `:map` → jsonb, `timestamps()` → `inserted_at`/`updated_at`
timestamp(0) without time zone NOT NULL (UTC by convention), `:utc_datetime` → timestamp(0) too.
"""

from __future__ import annotations

import json

import bcrypt

# The migrations in order; each statement as Ecto ran it.
DDL = """
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE schema_migrations (version bigint PRIMARY KEY, inserted_at timestamp(0));

-- 20230709181644_create_users_auth_tables
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email citext NOT NULL,
    hashed_password varchar(255) NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);
CREATE UNIQUE INDEX users_email_index ON users (email);
CREATE TABLE users_tokens (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token bytea NOT NULL,
    context varchar(255) NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL
);
CREATE INDEX users_tokens_user_id_index ON users_tokens (user_id);
CREATE UNIQUE INDEX users_tokens_context_token_index ON users_tokens (context, token);

-- 20230719125104_create_pastes
CREATE TABLE pastes (
    id bigserial PRIMARY KEY,
    title varchar(255) NOT NULL,
    content text NOT NULL,
    expire_at timestamp(0) without time zone NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL
);

-- 20230724172211_stats_table: no index, no unique constraint on slug
CREATE TABLE stats (
    id bigserial PRIMARY KEY,
    slug varchar(255) NOT NULL,
    views integer NOT NULL,
    likes integer NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);

-- 20230726174232_spotify: a key-value cache, no index on type
CREATE TABLE spotify (
    id bigserial PRIMARY KEY,
    type varchar(255) NOT NULL,
    data text NOT NULL,
    expire_at timestamp(0) without time zone NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);

-- 20230803114426_pastes-files
ALTER TABLE pastes ADD COLUMN files jsonb, ADD COLUMN storage_directory varchar(255);

-- 20230810142454_connection_info
ALTER TABLE users_tokens
    ADD COLUMN ip_address varchar(255), ADD COLUMN location varchar(255), ADD COLUMN device_info varchar(255);

-- 20240402190900_create_notes, 20240504173146_remove_files
CREATE TABLE notes (
    id bigserial PRIMARY KEY,
    text text,
    files jsonb,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);
ALTER TABLE notes DROP COLUMN files;

-- 20240505175513_notes_search
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX notes_searchable_idx ON notes USING GIN (text gin_trgm_ops);

-- 20240509155720_note_workspaces, with its data migration
CREATE TABLE workspaces (
    id bigserial PRIMARY KEY,
    title varchar(255),
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);
ALTER TABLE notes ADD COLUMN workspace_id bigint REFERENCES workspaces (id) ON DELETE CASCADE;
INSERT INTO workspaces (title, inserted_at, updated_at)
    VALUES ('default', '2024-05-09 15:57:20', '2024-05-09 15:57:20');
UPDATE notes SET workspace_id = (SELECT id FROM workspaces WHERE title = 'default');

-- 20240518174558_public_workspaces
ALTER TABLE workspaces ADD COLUMN is_public boolean DEFAULT false;

-- 20240531211843_extension-bookmarks
CREATE TABLE extension_bookmarks (
    id bigserial PRIMARY KEY,
    url text,
    title text,
    browser_id varchar(255),
    inserted_at timestamp(0) without time zone NOT NULL
);

-- 20250326073224_plants: every column nullable
CREATE TABLE plants (
    id bigserial PRIMARY KEY,
    name text,
    image varchar(255),
    info text,
    care text,
    watering_frequency text,
    watered_on date,
    next_water_on date,
    potting_notes text,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);

-- 20250531105337_create_comments
CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    content text NOT NULL,
    author varchar(255),
    blog_slug varchar(255) NOT NULL,
    parent_id bigint REFERENCES comments (id) ON DELETE CASCADE,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);
CREATE INDEX comments_blog_slug_index ON comments (blog_slug);
CREATE INDEX comments_parent_id_index ON comments (parent_id);

-- 20250819162131_create_contact_messages
CREATE TABLE contact_messages (
    id uuid PRIMARY KEY,
    message text NOT NULL,
    email varchar(255) NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);
CREATE INDEX contact_messages_inserted_at_index ON contact_messages (inserted_at);
CREATE INDEX contact_messages_email_index ON contact_messages (email);

-- 20251212215247_create_daily_stats
CREATE TABLE daily_stats (
    id bigserial PRIMARY KEY,
    slug varchar(255) NOT NULL,
    date date NOT NULL,
    views integer NOT NULL DEFAULT 0,
    likes integer NOT NULL DEFAULT 0,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);
CREATE UNIQUE INDEX daily_stats_slug_date_index ON daily_stats (slug, date);
CREATE INDEX daily_stats_slug_index ON daily_stats (slug);
CREATE INDEX daily_stats_date_index ON daily_stats (date);

-- 20251230185643_year_log
CREATE TABLE year_logs (
    id bigserial PRIMARY KEY,
    text text,
    logged_on date NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL
);
CREATE UNIQUE INDEX year_logs_logged_on_index ON year_logs (logged_on);

-- 20260127141746_blog_poll: no timestamps, no unique key
CREATE TABLE blog_polls (id bigserial PRIMARY KEY, key text, vote integer);

-- 20260220141121_create_daily_user_agent_stats
CREATE TABLE daily_user_agent_stats (
    id bigserial PRIMARY KEY,
    date date NOT NULL,
    browser varchar(255) NOT NULL,
    os varchar(255) NOT NULL,
    device varchar(255) NOT NULL,
    count integer NOT NULL DEFAULT 0,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL
);
CREATE UNIQUE INDEX daily_user_agent_stats_date_browser_os_device_index
    ON daily_user_agent_stats (date, browser, os, device);
CREATE INDEX daily_user_agent_stats_date_index ON daily_user_agent_stats (date);
"""

OLD_PASSWORD = "the old phoenix password"
JUKEBOX_DIR = "9b059c42-eefc-4620-81f1-12e7e8e06c3a"
EXPIRED_DIR = "0d1e2f30-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
MISSING_DIR = "77777777-8888-4999-aaaa-bbbbbbbbbbbb"
SONG = b"ID3" + bytes(range(256)) * 40  # stands for an mp3
COVER = b"\x89PNG\r\n\x1a\n" + b"not really a png, but bytes all the same"


def _file(directory: str, name: str, mime: str, file_id: str) -> dict[str, str]:
    return {
        "id": file_id,
        "name": name,
        "type": mime,
        "access_path": f"/uploads/{directory}/{name}",
        "storage_path": f"/data/{directory}/{name}",
    }


def rows_sql() -> list[tuple[str, dict]]:
    """The owner's data: (statement, parameters) pairs."""
    password_hash = bcrypt.hashpw(OLD_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    jukebox_files = [
        _file(JUKEBOX_DIR, "song one.mp3", "audio/mpeg", "5f0c4a36-1d1e-4c55-9d44-2f7a3c1e0a01"),
        _file(JUKEBOX_DIR, "cover.png", "image/png", "5f0c4a36-1d1e-4c55-9d44-2f7a3c1e0a02"),
        # The original let two uploads of the same name overwrite each other: one file, two entries.
        _file(JUKEBOX_DIR, "cover.png", "image/png", "5f0c4a36-1d1e-4c55-9d44-2f7a3c1e0a03"),
    ]
    expired_files = [_file(EXPIRED_DIR, "old.txt", "text/plain", "6a6a6a6a-0000-4000-8000-000000000001")]
    missing_files = [_file(MISSING_DIR, "gone.pdf", "application/pdf", "6a6a6a6a-0000-4000-8000-000000000002")]
    return [
        (
            "INSERT INTO users (id, email, hashed_password, inserted_at, updated_at) "
            "VALUES (1, 'Owner@Example.com', :hash, '2023-07-10 08:00:00', '2023-07-10 08:00:00')",
            {"hash": password_hash},
        ),
        (
            "INSERT INTO users_tokens (user_id, token, context, inserted_at, ip_address) "
            "VALUES (1, '\\x0102', 'session', '2026-03-01 10:00:00', '203.0.113.9')",
            {},
        ),
        # Page totals: a duplicated slug (no unique key), a post whose first event was a like
        # (the row was inserted with views=1, likes=0), the battleship counter, and an odd slug.
        (
            "INSERT INTO stats (id, slug, views, likes, inserted_at, updated_at) VALUES "
            "(1, 'main', 1200, 0, '2023-07-24 00:00:00', '2026-03-01 00:00:00'),"
            "(2, 'battleship', 40, 0, '2023-08-01 00:00:00', '2026-03-01 00:00:00'),"
            "(3, 'blog:hello-world', 300, 12, '2023-07-25 00:00:00', '2026-03-01 00:00:00'),"
            "(4, 'blog:hello-world', 5, 1, '2023-07-25 00:00:00', '2026-03-01 00:00:00'),"
            "(5, 'blog:liked-first', 1, 0, '2025-12-21 00:00:00', '2025-12-21 00:00:00'),"
            "(6, 'guestbook', 3, 0, '2023-09-01 00:00:00', '2023-09-01 00:00:00')",
            {},
        ),
        # Daily buckets (UTC dates); the like of a post never viewed that day.
        (
            "INSERT INTO daily_stats (id, slug, date, views, likes, inserted_at, updated_at) VALUES "
            "(1, 'main', '2025-12-20', 10, 0, now(), now()),"
            "(2, 'blog:hello-world', '2025-12-20', 4, 1, now(), now()),"
            "(3, 'blog:liked-first', '2025-12-21', 0, 1, now(), now()),"
            "(4, 'main', '2025-12-21', 7, 0, now(), now())",
            {},
        ),
        (
            "INSERT INTO daily_user_agent_stats (id, date, browser, os, device, count, inserted_at, updated_at) VALUES "
            "(1, '2026-02-21', 'Chrome', 'Windows', 'Unknown', 5, now(), now()),"
            "(2, '2026-02-21', 'Mobile Safari', 'iOS', 'iPhone', 3, now(), now()),"
            "(3, '2026-02-22', 'Chrome', 'Windows', 'Unknown', 2, now(), now())",
            {},
        ),
        # Workspaces: "default" (id 1) came from the migration above.
        (
            "INSERT INTO workspaces (id, title, is_public, inserted_at, updated_at) VALUES "
            "(2, 'Garden', true, '2024-05-20 09:00:00', '2024-05-20 09:00:00'),"
            "(3, 'Diary', false, '2024-05-21 09:00:00', '2024-05-21 09:00:00'),"
            "(4, 'Recipes', NULL, '2024-06-01 09:00:00', '2024-06-01 09:00:00')",
            {},
        ),
        ("SELECT setval('workspaces_id_seq', 4)", {}),
        (
            "INSERT INTO notes (id, text, workspace_id, inserted_at, updated_at) VALUES "
            "(1, :todo, 1, '2024-04-02 19:09:00', '2024-04-03 08:00:00'),"
            "(2, 'Tomatoes planted', 2, '2024-05-20 09:05:00', '2024-05-20 09:05:00'),"
            "(3, :garden, 2, '2024-06-01 18:30:00', '2024-06-01 18:30:00'),"
            "(4, 'Dear diary', 3, '2024-05-21 22:00:00', '2024-05-21 22:00:00'),"
            "(5, NULL, 3, '2024-05-22 22:00:00', '2024-05-22 22:00:00'),"
            "(6, 'lost in no workspace', NULL, '2024-05-23 22:00:00', '2024-05-23 22:00:00')",
            {
                "todo": 'Todo:\n- water the "ferns"\n- repot -- later...',
                "garden": "Harvest:\n- tomatoes\n  - cherry\n  - plum\n- basil",
            },
        ),
        (
            "INSERT INTO pastes (id, title, content, expire_at, inserted_at, files, storage_directory) VALUES "
            "(1, 'jukebox', 'songs for the blog', '2099-01-01 00:00:00', '2025-01-01 00:00:00', "
            "CAST(:jukebox AS jsonb), :jukebox_dir),"
            "(2, 'old logs', 'gone already', '2020-01-02 00:00:00', '2020-01-01 00:00:00', "
            "CAST(:expired AS jsonb), :expired_dir),"
            "(3, 'private snippet', 'SELECT 1;', '2099-06-01 00:00:00', '2026-01-01 00:00:00', NULL, NULL),"
            "(4, 'lost attachment', 'see file', '2099-06-01 00:00:00', '2026-01-02 00:00:00', "
            "CAST(:missing AS jsonb), :missing_dir)",
            {
                "jukebox": json.dumps(jukebox_files),
                "jukebox_dir": f"/data/{JUKEBOX_DIR}",
                "expired": json.dumps(expired_files),
                "expired_dir": f"/data/{EXPIRED_DIR}",
                "missing": json.dumps(missing_files),
                "missing_dir": f"/data/{MISSING_DIR}",
            },
        ),
        (
            "INSERT INTO plants (id, name, image, info, care, watering_frequency, watered_on, next_water_on, "
            "potting_notes, inserted_at, updated_at) VALUES "
            "(1, 'Fern', '/uploads/plants/fern.png', 'Boston fern', 'Keep humid', 'weekly', '2026-02-20', "
            "'2026-02-27', 'Repotted in spring', '2025-03-26 10:00:00', '2025-03-26 10:00:00'),"
            "(2, 'Cactus', NULL, NULL, 'Little water', 'upper soil dry', '2026-02-01', NULL, NULL, "
            "'2025-03-27 10:00:00', '2025-03-27 10:00:00'),"
            "(3, 'Mystery', NULL, NULL, NULL, 'when it droops', NULL, NULL, NULL, "
            "'2025-03-28 10:00:00', '2025-03-28 10:00:00'),"
            "(4, 'Basil', NULL, NULL, NULL, '3 days', '2026-02-25', '2026-02-28', NULL, "
            "'2025-04-01 10:00:00', '2025-04-01 10:00:00')",
            {},
        ),
        (
            "INSERT INTO spotify (id, type, data, expire_at, inserted_at, updated_at) VALUES "
            "(1, 'refresh_token', 'AQD-old-refresh-token', '2999-01-01 00:00:00', "
            "'2023-07-26 17:42:00', '2023-07-26 17:42:00'),"
            "(2, 'access_token', 'BQ-access', '2026-03-01 01:00:00', '2026-03-01 00:00:00', '2026-03-01 00:00:00'),"
            "(3, 'now_playing', '{\"name\":\"Song\"}', '2026-03-01 00:00:30', '2026-03-01 00:00:00', "
            "'2026-03-01 00:00:00')",
            {},
        ),
        (
            "INSERT INTO comments (id, content, author, blog_slug, parent_id, inserted_at, updated_at) VALUES "
            "(1, 'Nice post', 'Ann', 'hello-world', NULL, '2025-06-01 10:00:00', now()),"
            "(2, 'Thanks!', NULL, 'hello-world', 1, '2025-06-01 10:05:00', now()),"
            "(3, 'A *reply* to the reply <script>x</script>', 'Cy', 'hello-world', 2, '2025-06-01 10:06:00', now()),"
            "(4, 'Deeper still', 'Di', 'hello-world', 3, '2025-06-01 10:07:00', now()),"
            "(5, 'On another post', 'Ed', 'second-post', NULL, '2025-06-02 09:00:00', now())",
            {},
        ),
        (
            "INSERT INTO contact_messages (id, message, email, inserted_at, updated_at) VALUES "
            "('3f1a2b3c-0000-4000-8000-000000000001', 'Hello', 'a@example.com', now(), now())",
            {},
        ),
        ("INSERT INTO year_logs (text, logged_on, inserted_at) VALUES ('ran 5k', '2026-01-02', now())", {}),
        ("INSERT INTO blog_polls (key, vote) VALUES ('phx', 10), ('next', 4)", {}),
    ]
