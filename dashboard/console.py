"""The operators' console (运维): model versions with their metrics, promote and roll back, the
relabel queue ordered by uncertainty, editors for monitoring schemes and the user dictionary with a
test box, source health. Saved files are what the workers read; they pick them up within a minute."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import yaml
from flask import flash, g, redirect, render_template, request, url_for

from classifiers import registry, schemes
from classifiers.classify import HEADS
from pipeline import keys
from pipeline.errors import InputError, StartupError

from . import audit
from .auth import role_required

_classifier: dict[str, Any] = {}


def versions(var: Path) -> list[dict[str, Any]]:
    """Every head's versions (shipped and registered), newest first, with metrics and which is in use."""
    out = []
    for head in HEADS:
        in_use = registry.resolve(head, var)
        rows = []
        dirs = [registry.shipped_dir(head)] + sorted((var / "models" / head).glob("*/"), reverse=True) \
            if (var / "models" / head).is_dir() else [registry.shipped_dir(head)]
        for d in dirs:
            manifest_path = d / registry.MANIFEST
            if not manifest_path.is_file():
                continue
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            rows.append({"version": manifest["version"], "shipped": d == registry.shipped_dir(head),
                         "in_use": d.resolve() == in_use.resolve(), "created_at": manifest.get("created_at"),
                         "metrics": manifest.get("metrics") or {}, "threshold": manifest.get("threshold"),
                         "labels": manifest.get("labels") or []})
        out.append({"head": head, "versions": rows})
    return out


def uncertain(conn, limit: int = 30, scan: int = 2000) -> list[dict[str, Any]]:
    """Recent items whose rumour score is nearest its threshold (0.5 when calibrated), not yet relabelled:
    the labels that would teach the model most (active learning by uncertainty)."""
    ids = [i.decode() for i in conn.zrevrange(keys.ITEMS_BY_TIME, 0, scan - 1)]
    labelled = {k.decode() for k in conn.hkeys(f"{keys.PREFIX}:labels:rumor")}
    items = [json.loads(r) for r in conn.mget([keys.item(i) for i in ids]) if r] if ids else []
    scored = []
    for item in items:
        rumor = (item.get("classification") or {}).get("rumor") or {}
        if item["id"] in labelled or "score" not in rumor:
            continue
        scored.append((abs(rumor["score"] - 0.5), item))
    scored.sort(key=lambda pair: pair[0])
    return [{"id": i["id"], "title": i.get("title") or i.get("text", "")[:60], "source": i.get("source"),
             "score": (i.get("classification") or {}).get("rumor", {}).get("score"),
             "domain": (i.get("classification") or {}).get("domain")} for _, i in scored[:limit]]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def install(app, conn_factory: Callable, settings) -> None:
    var = settings.var_dir
    schemes_path = Path(settings.schemes_file) if settings.schemes_file else var / "schemes.yaml"
    userdict_path = var / "userdict.txt"

    def classifier():
        if "c" not in _classifier:
            from classifiers.classify import Classifier

            _classifier["c"] = Classifier.from_settings(settings)
        return _classifier["c"]

    @app.get("/console")
    @role_required("operator")
    def console_page():
        from importlib import resources

        from pipeline.status import _sources

        schemes_text = schemes_path.read_text(encoding="utf-8") if schemes_path.is_file() else \
            resources.files("classifiers").joinpath("data", "schemes.yaml").read_text(encoding="utf-8")
        userdict = userdict_path.read_text(encoding="utf-8") if userdict_path.is_file() else ""
        test = request.args.get("test", "")
        result = None
        if test:
            from classifiers.tokenizer import tokenize

            classified = classifier().classify([{"id": "test", "title": "", "text": test}])[0]
            result = {"tokens": tokenize(test[:2000]), "classification": classified,
                      "schemes": schemes.evaluate(schemes.load(schemes_path if schemes_path.is_file() else None), test)}
        conn = conn_factory()
        sources = _sources(conn)
        from .tasks import recent

        return render_template("dashboard/console.html", heads=versions(var), queue=uncertain(conn), tasks=recent(conn),
                               schemes_text=schemes_text, userdict=userdict, test=test, result=result,
                               sources=sources, schemes_path=str(schemes_path), userdict_path=str(userdict_path))

    @app.post("/console/models/<head>/<action>")
    @role_required("operator")
    def console_model(head: str, action: str):
        try:
            if action == "promote":
                registry.promote(var, head, request.form.get("version", ""))
                done = f"{head} 已切换到 {request.form.get('version')}"
            elif action == "rollback":
                done = f"{head} 已回退到 {registry.rollback(var, head)}"
            else:
                raise InputError("unknown action")
        except (StartupError, InputError) as exc:
            flash(f"未能完成：{exc}")
        else:
            audit.record(conn_factory(), g.user["name"], f"model_{action}", head, done, request.remote_addr or "")
            flash(done + "（处理进程一分钟内生效）")
        return redirect(url_for("console_page"))

    @app.post("/console/schemes")
    @role_required("operator")
    def console_schemes():
        text = request.form.get("text", "").replace("\r\n", "\n")
        try:
            schemes.parse(yaml.safe_load(text), "schemes")
        except (yaml.YAMLError, StartupError) as exc:
            flash(f"未保存：{str(exc).splitlines()[0]}")
            return redirect(url_for("console_page"))
        _write(schemes_path, text)
        _classifier.clear()
        audit.record(conn_factory(), g.user["name"], "schemes_save", str(schemes_path), "", request.remote_addr or "")
        flash("监测方案已保存（处理进程一分钟内生效）。")
        return redirect(url_for("console_page"))

    @app.post("/console/userdict")
    @role_required("operator")
    def console_userdict():
        text = request.form.get("text", "").replace("\r\n", "\n")
        bad = [n for n, line in enumerate(text.splitlines(), 1)
               if line.strip() and not line.startswith("#") and (len(line.split()) > 3 or len(line.split()[0]) > 30)]
        if bad:
            flash(f"未保存：第{bad[0]}行格式应为“词 [词频] [词性]”")
            return redirect(url_for("console_page"))
        _write(userdict_path, text if text.endswith("\n") or not text else text + "\n")
        from classifiers.tokenizer import reload_if_changed

        reload_if_changed()
        audit.record(conn_factory(), g.user["name"], "userdict_save", str(userdict_path), "", request.remote_addr or "")
        flash("用户词典已保存（处理进程一分钟内生效）。")
        return redirect(url_for("console_page"))
