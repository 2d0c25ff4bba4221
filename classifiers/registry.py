"""The model registry: versioned, self-contained model directories checked by hash before loading.

A model directory holds ``model.pkl.gz`` and ``manifest.json`` (head,
version, labels, threshold, metrics, training-data sha256, artifact sha256),
and for heads of the usual shape ``features.npz`` and ``linear.npz``: the
same numbers as plain arrays (``classifiers.runtime``), which is what
classifying loads; the pickle is unpickled only when a caller asks for the
Pipeline (evaluation, reports). Every file is loaded only after its sha256
matches the manifest.
Installed default models ship in ``classifiers/models/<head>/``; trained and
promoted ones live under ``<var>/models/<head>/<version>/`` with a
``current`` pointer file that workers re-read, so a promotion needs no restart.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any


from pipeline.errors import StartupError

from . import runtime as runtime_

ARTIFACT = "model.pkl.gz"
MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_rows(rows: list[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass
class Model:
    head: str
    directory: Path
    manifest: dict[str, Any]
    runtime: runtime_.Runtime | None = None
    _pipeline: Any = None

    @property
    def pipeline(self) -> Any:
        """The scikit-learn Pipeline, unpickled on first use from bytes whose hash is checked again."""
        if self._pipeline is None:
            data = _checked(self.directory / ARTIFACT, self.manifest.get("artifact_sha256"))
            self._pipeline = pickle.loads(gzip.decompress(data))  # noqa: S301 - hash-checked
        return self._pipeline

    @property
    def version(self) -> str:
        return self.manifest["version"]

    @property
    def threshold(self) -> float | None:
        return self.manifest.get("threshold")


def save(directory: Path | str, head: str, pipeline: Any, *, labels: list[str], data_sha256: str,
         metrics: dict[str, Any] | None = None, threshold: float | None = None,
         extra: dict[str, Any] | None = None) -> Path:
    """Write a self-contained model directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # Plain pickle (C unpickler) + gzip: joblib's pure-Python unpickler took ≈0.4 s per head on the
    # vocabularies, pickle takes ≈0.05 s. Only files whose sha256 matches the manifest are unpickled.
    with gzip.open(directory / ARTIFACT, "wb", compresslevel=6) as fh:
        pickle.dump(pipeline, fh, protocol=5)
    hashes = {}
    exported = runtime_.export(pipeline)
    for name in (runtime_.FEATURES, runtime_.LINEAR):
        (directory / name).unlink(missing_ok=True)
    if exported is not None:
        for name, data in zip((runtime_.FEATURES, runtime_.LINEAR), exported):
            (directory / name).write_bytes(data)
            hashes[_hash_key(name)] = hashlib.sha256(data).hexdigest()
    manifest = {
        "head": head,
        "version": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "created_at": datetime.now(timezone.utc).isoformat(),
        "labels": labels,
        "threshold": threshold,
        "metrics": metrics or {},
        "data_sha256": data_sha256,
        "artifact_sha256": sha256_file(directory / ARTIFACT),
        **hashes,
        **(extra or {}),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return directory


def load(directory: Path | str) -> Model:
    """Load a model directory, refusing it if the artifact's hash differs from the manifest's."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StartupError(f"{directory} is not a model directory (no {MANIFEST}); "
                           f"train one with `yuqing train`") from None
    except ValueError as exc:
        raise StartupError(f"{directory / MANIFEST} is not valid JSON: {exc}") from None
    if not (directory / ARTIFACT).is_file():
        raise StartupError(f"{directory} has no {ARTIFACT}")
    if sha256_file(directory / ARTIFACT) != manifest.get("artifact_sha256"):
        raise _mismatch(directory / ARTIFACT)
    model = Model(manifest["head"], directory, manifest)
    if _hash_key(runtime_.FEATURES) in manifest:
        features = _checked(directory / runtime_.FEATURES, manifest[_hash_key(runtime_.FEATURES)])
        linear = _checked(directory / runtime_.LINEAR, manifest.get(_hash_key(runtime_.LINEAR)))
        try:
            model.runtime = runtime_.load(features, manifest[_hash_key(runtime_.FEATURES)], linear)
        except (ValueError, KeyError) as exc:
            raise StartupError(f"{directory}: unreadable {runtime_.FEATURES}/{runtime_.LINEAR}: {exc}") from None
    else:
        model.pipeline  # noqa: B018 - a model without the plain arrays is used through its Pipeline
    return model


def _hash_key(name: str) -> str:
    return name.split(".")[0] + "_sha256"


def _mismatch(path: Path) -> StartupError:
    return StartupError(f"{path} does not match the sha256 in its manifest; refusing to load it "
                        f"(retrain, or restore the file)")


def _checked(path: Path, expected: str | None) -> bytes:
    """The file's bytes, once their sha256 matches the manifest's."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StartupError(f"{path} is missing (its manifest lists it)") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise _mismatch(path)
    return data


def shipped_dir(head: str) -> Path:
    return Path(str(resources.files("classifiers"))) / "models" / head


def promoted_dir(var: Path, head: str) -> Path | None:
    pointer = var / "models" / head / "current"
    if pointer.is_file():
        target = var / "models" / head / pointer.read_text(encoding="utf-8").strip()
        if (target / MANIFEST).is_file():
            return target
    return None


def resolve(head: str, var: Path | None = None) -> Path:
    """The directory to use for a head: the promoted version, else the shipped default."""
    if var is not None:
        promoted = promoted_dir(var, head)
        if promoted is not None:
            return promoted
    shipped = shipped_dir(head)
    if not (shipped / MANIFEST).is_file():
        raise StartupError(f"no installed model for head '{head}'; train one with "
                           f"`yuqing train --head {head} …` or reinstall the package")
    return shipped


def register(var: Path, source: Path) -> Path:
    """Copy a trained model directory into the registry as a new version (not yet promoted)."""
    model = load(source)
    target = var / "models" / model.head / model.version
    if target.exists():
        raise StartupError(f"version {model.version} of {model.head} is already registered")
    shutil.copytree(source, target)
    return target


def promote(var: Path, head: str, version: str) -> None:
    base = var / "models" / head
    if not (base / version / MANIFEST).is_file():
        raise StartupError(f"no registered version {version} of {head} under {base}")
    load(base / version)  # hash check before anyone can use it
    history = base / "history"
    current = (base / "current").read_text(encoding="utf-8").strip() if (base / "current").is_file() else ""
    if current:
        with open(history, "a", encoding="utf-8") as fh:
            fh.write(current + "\n")
    tmp = base / "current.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(base / "current")


def rollback(var: Path, head: str) -> str:
    """Promote the previously current version again; returns it."""
    base = var / "models" / head
    history = base / "history"
    versions = [v for v in history.read_text(encoding="utf-8").split() if v] if history.is_file() else []
    if not versions:
        raise StartupError(f"{head} has no earlier promoted version to roll back to")
    previous = versions.pop()
    tmp = base / "current.tmp"
    tmp.write_text(previous + "\n", encoding="utf-8")
    tmp.replace(base / "current")
    history.write_text("".join(v + "\n" for v in versions), encoding="utf-8")
    return previous
