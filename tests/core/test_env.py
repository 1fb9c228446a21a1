"""dangjian.env: the typed readers of DANGJIAN_* variables."""

import os
import stat

import pytest

from dangjian import env


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on "])
def test_envbool_true(monkeypatch, raw):
    monkeypatch.setenv("DJ_TEST_BOOL", raw)
    assert env.envbool("DJ_TEST_BOOL") is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_envbool_false(monkeypatch, raw):
    monkeypatch.setenv("DJ_TEST_BOOL", raw)
    assert env.envbool("DJ_TEST_BOOL", default=True) is False


def test_envbool_default_and_refusal(monkeypatch):
    monkeypatch.delenv("DJ_TEST_BOOL", raising=False)
    assert env.envbool("DJ_TEST_BOOL", default=True) is True
    monkeypatch.setenv("DJ_TEST_BOOL", "maybe")
    with pytest.raises(ValueError, match="DJ_TEST_BOOL must be a boolean"):
        env.envbool("DJ_TEST_BOOL")


def test_envint(monkeypatch):
    monkeypatch.delenv("DJ_TEST_INT", raising=False)
    assert env.envint("DJ_TEST_INT", 7) == 7
    monkeypatch.setenv("DJ_TEST_INT", "  ")
    assert env.envint("DJ_TEST_INT", 7) == 7
    monkeypatch.setenv("DJ_TEST_INT", "42")
    assert env.envint("DJ_TEST_INT", 7) == 42
    monkeypatch.setenv("DJ_TEST_INT", "4x")
    with pytest.raises(ValueError, match="DJ_TEST_INT must be an integer, got '4x'"):
        env.envint("DJ_TEST_INT", 7)


def test_envstr_and_envlist(monkeypatch):
    monkeypatch.delenv("DJ_TEST_STR", raising=False)
    assert env.envstr("DJ_TEST_STR", "d") == "d"
    monkeypatch.delenv("DJ_TEST_LIST", raising=False)
    assert env.envlist("DJ_TEST_LIST", ["a"]) == ["a"]
    monkeypatch.setenv("DJ_TEST_LIST", " a.example , ,b.example,")
    assert env.envlist("DJ_TEST_LIST", []) == ["a.example", "b.example"]


def test_envsecret_from_the_variable_or_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv("DJ_TEST_SECRET", raising=False)
    monkeypatch.delenv("DJ_TEST_SECRET_FILE", raising=False)
    assert env.envsecret("DJ_TEST_SECRET") is None
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("DJ_TEST_SECRET_FILE", str(secret_file))
    assert env.envsecret("DJ_TEST_SECRET") == "from-file"
    monkeypatch.setenv("DJ_TEST_SECRET", "direct")
    assert env.envsecret("DJ_TEST_SECRET") == "direct"


def test_persistent_secret_is_made_once_and_private(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = env.persistent_secret(path)
    assert len(first) >= 50 and env.persistent_secret(path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_sqlite_urls():
    relative = env.database_from_url("sqlite:///var/db.sqlite3")
    assert relative["ENGINE"] == "django.db.backends.sqlite3"
    assert relative["NAME"] == "var/db.sqlite3"
    assert relative["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert relative["TEST"]["NAME"].endswith(f"dangjian-test-{os.getpid()}.sqlite3")
    assert env.database_from_url("sqlite:////srv/db.sqlite3")["NAME"] == "/srv/db.sqlite3"
    memory = env.database_from_url("sqlite://")
    assert memory["NAME"] == ":memory:" and memory["TEST"]["NAME"] is None


def test_postgres_url_with_escaped_password():
    db = env.database_from_url("postgres://dj:p%40ss%2Fw@db.local:5433/dangjian")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("dangjian", "dj", "p@ss/w")
    assert (db["HOST"], db["PORT"]) == ("db.local", "5433")
    assert db["TEST"]["NAME"] == f"test_dangjian_{os.getpid()}"
    assert env.database_from_url("postgresql://h/x")["PORT"] == ""


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unsupported scheme 'mysql'"):
        env.database_from_url("mysql://h/x")


def test_postgres_connections_compile_no_jit():
    """The pages' counts cross PostgreSQL's JIT cost threshold at 10^5 units; compiling them
    cost more than it saved (bench/RESULTS.md)."""
    assert env.database_from_url("postgres://h/x")["OPTIONS"]["options"] == "-c jit=off"


@pytest.mark.django_db
def test_the_running_database_has_jit_off_on_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite has no JIT; the PostgreSQL pass of the suite checks the setting
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_postgres_connections_come_from_a_pool(monkeypatch):
    """A rules run's worker threads take a connection from the process's pool instead of
    opening one each run; without a pool (0), each thread keeps its own for a minute."""
    monkeypatch.delenv("DANGJIAN_DATABASE_POOL", raising=False)
    pooled = env.database_from_url("postgres://h/x")
    assert pooled["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 16}
    assert pooled["CONN_MAX_AGE"] == 0  # Django refuses persistent connections beside a pool
    monkeypatch.setenv("DANGJIAN_DATABASE_POOL", "0")
    single = env.database_from_url("postgres://h/x")
    assert "pool" not in single["OPTIONS"] and single["CONN_MAX_AGE"] == 60
    assert single["OPTIONS"]["options"] == "-c jit=off"


@pytest.mark.django_db(transaction=True)
def test_threads_take_the_connections_others_gave_back_on_postgres():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return  # SQLite has no pool; the PostgreSQL pass of the suite checks it
    settings = []

    def work():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT current_setting('jit')")
            settings.append(cursor.fetchone()[0])
        connections.close_all()  # back to the pool, as each rules worker does at its end

    def one_after_another(count):
        for _ in range(count):
            thread = threading.Thread(target=work)
            thread.start()
            thread.join()

    assert connection.pool is not None  # DANGJIAN_DATABASE_POOL's default: a pool
    one_after_another(1)  # the pool open, with what it keeps ready
    opened = connection.pool.get_stats()["connections_num"]
    one_after_another(4)
    assert connection.pool.get_stats()["connections_num"] == opened  # not one more opened
    assert settings == ["off"] * 5  # each configured as a connection of its own would be
