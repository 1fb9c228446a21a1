"""No code outside a fact app's services writes that app's facts (issue 10, item 1).

An AST scan of ``src/``: manager writes (``Model.objects.create/update/delete/bulk_create/
bulk_update/get_or_create/update_or_create``, also after ``filter(...)``), writes through a
related manager (``org.coverages.update(...)``), and ``.save()`` / ``.delete()`` on a variable
bound to a fact model (built with ``Model(...)``, read with ``Model.objects...``, or annotated
with the model's type), outside the app's ``services``/``bulk`` modules, its models and its
migrations. A write added in a view, a form or a workflow fails this test; call the app's
service instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import django.apps

SRC = Path(__file__).resolve().parents[1] / "src" / "dangjian"
FACT_APPS = ("registry", "party", "orglife", "governance", "dues")
WRITES = {
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
INSTANCE_WRITES = {"save", "delete"}

# path (relative to src/dangjian) → why it may write fact models directly.
ALLOWED = {
    "demo/synthetic.py": "the demo's raw bulk path: builds 10^5-10^7 synthetic rows for the "
    "benchmarks at insert speed; no audit trail is wanted for generated data",
    "ledgers/handlers/members.py": "new members and their employments go on the import's raw "
    "path (core.bulk: reserved ids, COPY / executemany; the scan does not see it), about 6x "
    "faster than party.bulk.create_members_bulk's bulk_create at 100,000 rows and audited by "
    "the import's one event; every change to a stored member or employment calls party.bulk",
}


def _fact_models():
    models = {}
    for app in FACT_APPS:
        for model in django.apps.apps.get_app_config(app).get_models():
            models[model.__name__] = app
    return models


def _related_names(fact_models) -> dict[str, str]:
    """Reverse accessors of the fact models (``org.coverages``) → the model they yield."""
    names = {}
    for app in FACT_APPS:
        for model in django.apps.apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if field.is_relation and field.auto_created and not field.concrete:
                    accessor = field.get_accessor_name()
                    if accessor and accessor != "+" and field.related_model.__name__ in fact_models:
                        names[accessor] = field.related_model.__name__
    return names


def _root(node):
    """The name a chain like ``A.objects.filter(x).update`` starts from, and the attributes."""
    attrs = []
    while True:
        if isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    name = node.id if isinstance(node, ast.Name) else None
    return name, list(reversed(attrs))


def _model_of(expr, fact_models, bound, related) -> str | None:
    name, attrs = _root(expr)
    if name in fact_models and (not attrs or attrs[0] == "objects"):
        return name
    if name in bound and not attrs:
        return bound[name]
    for attr in reversed(attrs):  # org.coverages.filter(...) yields coverages
        if attr in related:
            return related[attr]
    return None


def _annotation_model(annotation, fact_models) -> str | None:
    if annotation is None:
        return None
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id in fact_models:
            return node.id
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for part in node.value.replace("|", " ").split():
                if part in fact_models:
                    return part
    return None


def _scan(path: Path, fact_models, related) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit_function(func, bound):
        bound = dict(bound)
        for arg in [*func.args.args, *func.args.kwonlyargs, *func.args.posonlyargs]:
            model = _annotation_model(arg.annotation, fact_models)
            if model:
                bound[arg.arg] = model
        for node in ast.walk(func):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                model = _model_of(value, fact_models, bound, related) if value is not None else None
                if isinstance(node, ast.AnnAssign):
                    model = model or _annotation_model(node.annotation, fact_models)
                for target in targets:
                    if isinstance(target, ast.Name) and model:
                        bound[target.id] = model
            elif isinstance(node, ast.For):
                model = _model_of(node.iter, fact_models, bound, related)
                if model and isinstance(node.target, ast.Name):
                    bound[node.target.id] = model
        return bound

    bound_by_func = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            bound_by_func[node] = visit_function(node, {})

    def check_call(call, bound):
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        name, attrs = _root(func.value)
        method = func.attr
        where = f"{path.relative_to(SRC)}:{call.lineno}"
        if method in WRITES and name in fact_models and attrs[:1] == ["objects"]:
            found.append(f"{where} {name}.objects...{method}()")
        elif (
            method in WRITES
            or (method in {"set", "add", "remove", "clear"} and attrs and attrs[-1] in related)
        ) and any(a in related for a in attrs):
            found.append(f"{where} related manager {'.'.join(attrs)}.{method}()")
        elif method in INSTANCE_WRITES and not attrs and name in bound:
            found.append(f"{where} {bound[name]} instance {name}.{method}()")

    funcs = sorted(bound_by_func, key=lambda f: f.lineno)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            owner = None
            for func in funcs:
                if func.lineno <= node.lineno <= (func.end_lineno or func.lineno):
                    owner = func  # the innermost (last starting) function holding the call
            check_call(node, bound_by_func.get(owner, {}))
    return found


def _exempt(rel: Path) -> bool:
    parts = rel.parts
    if "migrations" in parts:
        return True
    if parts[0] in FACT_APPS and rel.name in ("services.py", "bulk.py", "models.py"):
        return True
    if parts[0] in FACT_APPS and len(parts) == 3 and parts[1] == "services":
        return True  # a services package (party/services/members.py …)
    return str(rel) in ALLOWED


def violations() -> list[str]:
    fact_models = _fact_models()
    related = _related_names(fact_models)
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if not _exempt(rel):
            found += _scan(path, fact_models, related)
    return found


def test_fact_models_are_written_only_through_their_services():
    assert violations() == []


def test_allow_list_entries_exist_and_say_why():
    for rel, why in ALLOWED.items():
        assert (SRC / rel).exists(), rel
        assert len(why) > 20, rel


def test_the_scan_catches_a_write_in_a_view(tmp_path, monkeypatch):
    fact_models = _fact_models()
    related = _related_names(fact_models)
    view = SRC / "registry" / "_probe_view.py"
    view.write_text(
        "from dangjian.party.models import Coverage, PartyMember\n"
        "from dangjian.registry.models import Organization\n"
        "def view(request, pk):\n"
        "    org = Organization.objects.get(pk=pk)\n"
        "    org.name = request.POST['name']\n"
        "    org.save()\n"
        "    Coverage.objects.filter(organization=org).update(valid_to=None)\n"
        "    PartyMember.objects.create(name='x')\n"
        "    org.coverages.all().delete()\n"
        "    for coverage in org.coverages.filter(valid_to=None):\n"
        "        coverage.save()\n"
        "def other(member: PartyMember):\n"
        "    member.delete()\n",
        encoding="utf-8",
    )
    try:
        found = _scan(view, fact_models, related)
    finally:
        view.unlink()
    assert len(found) == 6, found
