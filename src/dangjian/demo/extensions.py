"""Demo data of later apps: each app may have a module ``<app>/demo_data.py`` with
``build(federation, today, rng)`` that adds its part of the demo (inspections, findings, cases…).
They run in INSTALLED_APPS order, after the core demo federation is built."""

import importlib
import random

from django.apps import apps


def build_app_demo_data(federation, today, seed: int = 2019):
    for config in apps.get_app_configs():
        if not config.name.startswith("dangjian.") or config.label == "demo":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo_data")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo_data":
                raise
            continue
        module.build(federation, today, random.Random(f"{seed}:{config.label}"))
