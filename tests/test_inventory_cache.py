"""The parsed-inventory cache is reused only while every file read is unchanged."""

from __future__ import annotations

from cathode_lca.inventory.load import load_inventory


def test_cache_hit_and_invalidation(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("CATHODE_LCA_CACHE_DIR", str(tmp_path / "cache"))
    work = tmp_path / "inv"
    work.mkdir()
    (work / "flows.yaml").write_text((data_dir / "flows.yaml").read_text())
    (work / "chain.yaml").write_text((data_dir / "chain.yaml").read_text())
    first = load_inventory([work / "chain.yaml"])
    assert list((tmp_path / "cache").glob("inventory-*.json"))
    second = load_inventory([work / "chain.yaml"])
    assert second.content_hash == first.content_hash and set(second.datasets) == set(first.datasets)
    # change an included file: the cached entry must not be used
    (work / "flows.yaml").write_text((data_dir / "flows.yaml").read_text().replace("Methane", "Methane (edited)"))
    third = load_inventory([work / "chain.yaml"])
    assert third.flows["ch4"].name == "Methane (edited)"
    assert third.content_hash != first.content_hash


def test_cache_can_be_disabled(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("CATHODE_LCA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CATHODE_LCA_NO_CACHE", "1")
    load_inventory([data_dir / "chain.yaml"])
    assert not (tmp_path / "cache").exists()


def test_corrupt_cache_is_ignored(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("CATHODE_LCA_CACHE_DIR", str(tmp_path / "cache"))
    load_inventory([data_dir / "chain.yaml"])
    for entry in (tmp_path / "cache").glob("inventory-*.json"):
        entry.write_bytes(b"not a cache entry")
    assert "c" in load_inventory([data_dir / "chain.yaml"]).datasets
