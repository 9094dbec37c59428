"""Builds the dataset for a profile: deterministic from (profile, scale, seed, now)."""

from __future__ import annotations

from pipeline.sim.org.config import SimConfig
from pipeline.sim.org.model import Dataset


def build_dataset(cfg: SimConfig, base_url: str) -> Dataset:
    """The organisation for `cfg.profile` ("demo" or "bench"), with web URLs under `base_url`."""
    from pipeline.sim.org.bench import build_bench
    from pipeline.sim.org.demo import build_demo

    ds = Dataset(base_url=base_url, now=cfg.resolved_now(), noreply_domain=cfg.resolved_noreply())
    if cfg.profile == "demo":
        build_demo(ds, cfg.seed)
    elif cfg.profile == "bench":
        build_bench(ds, cfg.seed, cfg.scale)
    else:
        raise ValueError(f"unknown profile {cfg.profile!r}; use demo or bench")
    return ds
