"""The inventory cache cannot run code, cannot change results, and keeps its folder private."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import time

import pytest

from cathode_lca.inventory import cache as inventory_cache
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel

CHAIN_GWP = 0.5078  # by hand in tests/data/chain.yaml: 0.506 kg CO2 + 30 * 6e-5 kg CH4


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CATHODE_LCA_CACHE_DIR", str(folder))
    monkeypatch.delenv("CATHODE_LCA_NO_CACHE", raising=False)
    inventory_cache._warned.clear()
    return folder


def _gwp(inv, method) -> float:
    return float(LCAModel(inv).calculate({"c": 1}, methods=[method]).score.sel(lcia_method="test-gwp"))


class _Payload:
    """Unpickling this creates a marker file (what an attacker's pickle would do)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.slow
def test_planted_pickle_never_runs(cache_dir, data_dir, tmp_path, test_method):
    marker = tmp_path / "PWNED"
    evil = pickle.dumps({"inventory": _Payload(str(marker)), "files": []})
    key = inventory_cache.key_for([data_dir / "chain.yaml"])
    cache_dir.mkdir(mode=0o700)
    # at the name of the old pickle format, at the new entry name, and under every other name
    for name in (f"inventory-{key}.pickle", f"inventory-{key}.json", "inventory-x.json", ".inventory-y.tmp"):
        (cache_dir / name).write_bytes(evil)
    for _ in range(2):  # a miss (the planted entry is refused), then a genuine hit
        inv = load_inventory([data_dir / "chain.yaml"])
        assert _gwp(inv, test_method) == pytest.approx(CHAIN_GWP, rel=1e-9)
    assert not marker.exists()
    pickle.loads(evil)  # the payload is real: unpickled, it does create the marker
    assert marker.exists()


def _entry(cache_dir):
    (entry,) = cache_dir.glob("inventory-*.json")
    return entry


@pytest.mark.slow
def test_tampered_entry_is_ignored(cache_dir, data_dir, test_method):
    load_inventory([data_dir / "chain.yaml"])
    entry = _entry(cache_dir)
    head, _, payload = entry.read_bytes().partition(b"\n")
    assert b'"amount"' in payload and b"pickle" not in payload
    # change an emission (0.4 kg CO2/kWh -> 400) without fixing the payload hash
    poisoned = payload.replace(b'["amount",0.4]', b'["amount",400.0]', 1)
    assert poisoned != payload
    entry.write_bytes(head + b"\n" + poisoned)
    assert _gwp(load_inventory([data_dir / "chain.yaml"]), test_method) == pytest.approx(CHAIN_GWP, rel=1e-9)


def test_entry_claiming_another_inventory_hash_is_ignored(cache_dir, data_dir, test_method):
    first = load_inventory([data_dir / "chain.yaml"])
    entry = _entry(cache_dir)
    head, _, payload = entry.read_bytes().partition(b"\n")
    poisoned = payload.replace(first.content_hash.encode(), b"0" * 64)
    header = json.loads(head)
    header["sha256"] = hashlib.sha256(poisoned).hexdigest()  # a consistent, but false, entry
    entry.write_bytes(json.dumps(header).encode() + b"\n" + poisoned)
    again = load_inventory([data_dir / "chain.yaml"])
    assert again.content_hash == first.content_hash


def test_folder_writable_by_others_is_refused_with_a_warning(cache_dir, data_dir, capsys, test_method):
    cache_dir.mkdir()
    os.chmod(cache_dir, 0o777)
    inv = load_inventory([data_dir / "chain.yaml"])
    assert _gwp(inv, test_method) == pytest.approx(CHAIN_GWP, rel=1e-9)
    assert "writable by group or others" in capsys.readouterr().err
    assert list(cache_dir.iterdir()) == []  # nothing written to, or read from, the unsafe folder


def test_folder_of_another_user_is_refused(cache_dir, data_dir, capsys, monkeypatch, test_method):
    cache_dir.mkdir(mode=0o700)
    monkeypatch.setattr(inventory_cache.os, "getuid", lambda: os.stat(cache_dir).st_uid + 1)
    inv = load_inventory([data_dir / "chain.yaml"])
    assert _gwp(inv, test_method) == pytest.approx(CHAIN_GWP, rel=1e-9)
    assert "belongs to another user" in capsys.readouterr().err
    assert list(cache_dir.iterdir()) == []


def test_entry_writable_by_others_is_not_read(cache_dir, data_dir, monkeypatch):
    load_inventory([data_dir / "chain.yaml"])
    os.chmod(_entry(cache_dir), 0o666)
    calls = []
    monkeypatch.setattr(inventory_cache, "_loads", lambda payload: calls.append(1))
    load_inventory([data_dir / "chain.yaml"])
    assert calls == []


def test_folders_are_private_under_umask_000(cache_dir, data_dir, monkeypatch):
    nested = cache_dir / "a" / "b"
    monkeypatch.setenv("CATHODE_LCA_CACHE_DIR", str(nested))
    old = os.umask(0)
    try:
        load_inventory([data_dir / "chain.yaml"])
    finally:
        os.umask(old)
    for folder in (cache_dir, cache_dir / "a", nested):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(_entry(nested).stat().st_mode) == 0o600


def test_failed_write_leaves_no_temporary_file(cache_dir, data_dir, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(inventory_cache.os, "replace", full_disk)
    assert "c" in load_inventory([data_dir / "chain.yaml"]).datasets
    assert list(cache_dir.iterdir()) == []


def test_old_entries_and_stale_files_are_evicted(cache_dir, data_dir):
    cache_dir.mkdir(mode=0o700)
    now = time.time()
    for i in range(inventory_cache.MAX_ENTRIES + 3):
        path = cache_dir / f"inventory-{i:064d}.json"
        path.write_text("{}\n")
        os.utime(path, (now - 3600 * (i + 1), now - 3600 * (i + 1)))
    ancient = cache_dir / f"inventory-{'a' * 64}.json"
    ancient.write_text("{}\n")
    os.utime(ancient, (now - 90 * 86400, now - 90 * 86400))
    stale_tmp = cache_dir / ".inventory-killed.tmp"
    stale_tmp.write_text("partial")
    os.utime(stale_tmp, (now - 7200, now - 7200))
    fresh_tmp = cache_dir / ".inventory-running.tmp"  # another process may still be writing it
    fresh_tmp.write_text("partial")
    (cache_dir / "inventory-old.pickle").write_bytes(b"\x80")
    load_inventory([data_dir / "chain.yaml"])
    entries = sorted(p.name for p in cache_dir.glob("inventory-*.json"))
    assert len(entries) == inventory_cache.MAX_ENTRIES
    assert _entry_name(data_dir) in entries and ancient.name not in entries
    assert f"inventory-{0:064d}.json" in entries  # the most recent old ones are kept
    assert not stale_tmp.exists() and fresh_tmp.exists()
    assert not list(cache_dir.glob("*.pickle"))


def _entry_name(data_dir) -> str:
    return f"inventory-{inventory_cache.key_for([data_dir / 'chain.yaml'])}.json"


def test_round_trip_keeps_every_field(cache_dir, data_dir):
    from cathode_lca.inventory.formulas import Formula

    first = load_inventory([data_dir / "chain.yaml"])
    second = load_inventory([data_dir / "chain.yaml"])
    assert second is not first and second.content_hash == first.content_hash
    assert second.parameters.keys() == first.parameters.keys()
    for key, p in first.parameters.items():
        q = second.parameters[key]
        assert (p.value, p.where, p.distribution, p.unit, p.source) == (
            q.value,
            q.where,
            q.distribution,
            q.unit,
            q.source,
        )
    for key, ds in first.datasets.items():
        other = second.datasets[key]
        assert isinstance(other.exchanges, tuple) and len(other.exchanges) == len(ds.exchanges)
        for a, b in zip(ds.exchanges, other.exchanges, strict=True):
            assert (a.target, a.unit, a.where) == (b.target, b.unit, b.where)
            if isinstance(a.amount, Formula):
                assert isinstance(b.amount, Formula) and b.amount.text == a.amount.text
            else:
                assert a.amount == b.amount


def test_entry_naming_a_device_is_ignored_without_reading_it(cache_dir, data_dir):
    load_inventory([data_dir / "chain.yaml"])
    entry = _entry(cache_dir)
    head, _, payload = entry.read_bytes().partition(b"\n")
    header = json.loads(head)
    header["files"] = [["/dev/zero", "0" * 64]]  # hashing it would never end
    entry.write_bytes(json.dumps(header).encode() + b"\n" + payload)
    key = inventory_cache.key_for([data_dir / "chain.yaml"])
    assert inventory_cache.load(key) is None
