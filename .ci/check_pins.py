"""Check, against the package registry, that the course installs where it says it does.

    python .ci/check_pins.py

1. Binder: runs ``repo2docker --no-build --debug`` on a clean clone of this repository's HEAD
   (which prints the Dockerfile Binder would build, without Docker), reads from it the Python
   repo2docker picked, its base image (so the glibc, so the manylinux wheels that fit) and the
   requirements files it installs, and checks that every ``==`` pin in them has a wheel for
   that Python on Linux, on one of the indexes the file names.
2. Learners: every pin of requirements.txt has a wheel for every Python the project claims
   (pyproject's "Programming Language :: Python :: 3.N" classifiers, from the oldest to the
   newest) on each platform the README names.

It asks the registry the way pip itself would (``pip index versions`` with
``--only-binary=:all:``, the target Python and platform; nothing is downloaded), ignoring this
machine's pip configuration, so the answer is the public index's. It needs the network, so it
runs outside the offline test run: ``.ci/run`` runs it before the README's test command, in a
virtual environment with jupyter-repo2docker (``.ci/requirements-check.txt``, which pins pip). It never skips:
any pin without a wheel, an index it cannot reach when no other index has the wheel, or a
repo2docker output it cannot read makes it exit non-zero with the reason.
"""

import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
PYPI = "https://pypi.org/simple"
# Ubuntu release of repo2docker's base image (buildpack-deps:<tag>) -> its glibc
GLIBC = {
    "20.04": (2, 31),
    "focal": (2, 31),
    "22.04": (2, 35),
    "jammy": (2, 35),
    "24.04": (2, 39),
    "noble": (2, 39),
}
CONDA_ARCH = {"linux-64": "x86_64", "linux-aarch64": "aarch64"}


def linux_platforms(glibc, arch):
    """pip ``--platform`` tags a Linux with ``glibc`` (major, minor) on ``arch`` accepts."""
    major, minor = glibc
    tags = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 4, -1)]
    legacy = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
    tags += [f"{name}_{arch}" for (ma, mi), name in legacy.items() if (ma, mi) <= glibc]
    return tags + [f"linux_{arch}"]


# The platforms the README names for a learner's own machine, and the tags that decide them.
LEARNER_PLATFORMS = {
    "Linux x86-64 (glibc 2.28+)": linux_platforms((2, 28), "x86_64"),
    "macOS 14+ on Apple silicon": ["macosx_14_0_arm64"],
    "Windows x86-64": ["win_amd64"],
}


def claimed_pythons(pyproject_text):
    """The Python versions the project claims, oldest first, from pyproject's classifiers;
    each must satisfy ``requires-python``."""
    project = tomllib.loads(pyproject_text)["project"]
    found = sorted(
        (
            tuple(int(p) for p in m.group(1).split("."))
            for c in project.get("classifiers", [])
            if (m := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c))
        ),
    )
    if not found:
        raise ValueError("pyproject.toml: no 'Programming Language :: Python :: 3.N' classifier")
    versions = [f"{a}.{b}" for a, b in found]
    spec = SpecifierSet(project.get("requires-python", ""))
    outside = [v for v in versions if Version(v) not in spec]
    if outside:
        raise ValueError(
            f"pyproject.toml: classifiers claim Python {', '.join(outside)}, "
            f"which requires-python {spec} excludes"
        )
    return versions


def parse_requirements(text):
    """``(pins, indexes, other)`` of a requirements file: ``pins`` the ``name==version`` lines,
    ``indexes`` the index URLs it names (PyPI first unless it replaces it), ``other`` the
    remaining requirement lines (``-e .``)."""
    pins, indexes, extra, other = [], [PYPI], [], []
    for raw in text.splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("--extra-index-url", "--index-url", "-i ")):
            option, _, url = line.replace("=", " ", 1).partition(" ")
            if option in ("--index-url", "-i"):
                indexes = [url.strip()]
            else:
                extra.append(url.strip())
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==\s*([^\s;]+)", line)
        if match:
            pins.append((match.group(1), match.group(2)))
        else:
            other.append(line)
    return pins, indexes + extra, other


def _unescape(name):
    """repo2docker names copied build files by escaping their path (``-2e`` for ``.``)."""
    return re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def parse_dockerfile(dockerfile):
    """What repo2docker's Dockerfile says: the Python, its exact conda build when the lock file
    can be read, the base image, its glibc, the CPU architecture and the requirements files."""
    base = re.search(r"^FROM\s+(\S+)", dockerfile, re.M)
    lock = re.search(
        r"^COPY\s.*?build_script_files/(\S+)\s+/tmp/env/environment\.lock", dockerfile, re.M
    )
    if not base or not lock:
        raise ValueError("repo2docker's Dockerfile: no FROM line or no conda environment lock file")
    lock_path = _unescape(re.sub(r"-[0-9a-f]{6}$", "", lock.group(1)))  # less its hash suffix
    picked = re.search(r"environment\.py-(\d+\.\d+)-", Path(lock_path).name)
    if not picked:
        raise ValueError(f"repo2docker's Dockerfile: no Python in the lock file name {lock_path!r}")
    tag = base.group(1).rsplit(":", 1)[-1]
    if tag not in GLIBC:
        raise ValueError(f"repo2docker's base image {base.group(1)}: its glibc is not known here")
    platform = re.search(r"^ENV CONDA_PLATFORM=(\S+)", dockerfile, re.M)
    arch = CONDA_ARCH.get(platform.group(1) if platform else "linux-64")
    if arch is None:
        raise ValueError(f"repo2docker's conda platform {platform.group(1)!r} is not known here")
    exact = None
    lock_file = Path(lock_path)
    if lock_file.is_file():
        found = re.search(r"/python-(\d+\.\d+\.\d+)-[^/]*cpython", lock_file.read_text())
        exact = found.group(1) if found else None
    files = re.findall(r"pip install [^\n]*?-r \"?([^\s\"]+)\"?", dockerfile)
    return {
        "python": picked.group(1),
        "python_exact": exact,
        "base_image": base.group(1),
        "glibc": GLIBC[tag],
        "arch": arch,
        "requirements": files,
    }


class Unreachable(Exception):
    """The index could not be reached."""


def pip_env():
    """This environment less pip's settings, and no pip configuration file: ask the public index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k == "PIP_CERT"}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


@functools.cache
def _pip_has_json():
    """Whether this pip's ``pip index versions`` has ``--json`` (pip 25 and later)."""
    help_text = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "--help"],
        capture_output=True,
        text=True,
        env=pip_env(),
        timeout=120,
    ).stdout
    return "--json" in help_text


def wheel_versions(name, python, platforms, index):
    """Versions of ``name`` that have a wheel for CPython ``python`` on one of ``platforms``
    (or a pure-Python wheel) on ``index``, as pip sees them; raises Unreachable."""
    if not _pip_has_json():
        raise RuntimeError(
            "this pip is too old: its `pip index versions` has no --json and lists versions "
            "without a wheel; install .ci/requirements-check.txt (pip 26.3)"
        )
    cmd = [sys.executable, "-m", "pip", "index", "versions", name, "--json"]
    cmd += ["--python-version", python, "--only-binary=:all:", "--index-url", index]
    cmd += ["--retries", "2", "--timeout", "30"]
    for tag in platforms:
        cmd += ["--platform", tag]
    result = subprocess.run(cmd, capture_output=True, text=True, env=pip_env(), timeout=300)
    return read_pip_answer(name, result.returncode, result.stdout, result.stderr)


def read_pip_answer(name, returncode, stdout, stderr):
    """The versions in ``pip index versions --json``'s answer; [] for "no matching
    distribution"; Unreachable when pip could not reach the index; any other failure raises."""
    if returncode == 0:
        return json.loads(stdout)["versions"]
    connection = re.compile(
        r"Retrying|NameResolution|Max retries|Could not fetch URL|ConnectionError|timed out"
    )
    failures = [line for line in stderr.splitlines() if connection.search(line)]
    if failures:
        reason = re.search(r"Failed to resolve '[^']+'|Max retries exceeded|timed out", failures[0])
        raise Unreachable(reason.group(0) if reason else failures[0].strip()[:160])
    if "No matching distribution found" in stderr:
        return []
    raise RuntimeError(f"pip index versions {name}: {stderr.strip()[-300:]}")


def has_version(versions, pinned):
    """Whether a ``==pinned`` requirement accepts one of ``versions`` (``2.13.0+cpu`` counts)."""
    spec = SpecifierSet(f"=={pinned}")
    for v in versions:
        try:
            if Version(v) in spec:
                return True
        except InvalidVersion:
            continue
    return False


def check_pin(name, version, python, platforms, indexes, lookup=wheel_versions, unreachable=None):
    """``(ok, note)``: a wheel of ``name==version`` on one of ``indexes``? ``note`` says where,
    and which indexes could not be reached (remembered in ``unreachable``, a dict index ->
    reason, so that each is tried once)."""
    unreachable = {} if unreachable is None else unreachable
    found, notes = [], []
    for index in indexes:
        if index in unreachable:
            notes.append(f"{index} not reachable")
            continue
        try:
            if has_version(lookup(name, python, platforms, index), version):
                found.append(index)
        except Unreachable as err:
            unreachable[index] = str(err)
            notes.append(f"{index} not reachable")
    if found:
        return True, "; ".join([f"wheel on {', '.join(found)}"] + notes)
    return False, "; ".join(["no wheel on " + ", ".join(indexes)] + notes)


def run_repo2docker(root):
    """``(dockerfile, log, commit)`` of ``repo2docker --no-build --debug`` on a clean clone."""
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True
    ).stdout.strip()
    if dirty:
        print("note: uncommitted changes are not in the clone; this checks the committed HEAD")
    repo2docker = Path(sys.executable).parent / "repo2docker"
    with tempfile.TemporaryDirectory(prefix="check-pins-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", commit], check=True)
        result = subprocess.run(
            [str(repo2docker), "--no-build", "--debug", str(clone)],
            capture_output=True,
            text=True,
            timeout=600,
        )
    if result.returncode != 0:
        raise RuntimeError(f"repo2docker failed ({result.returncode}): {result.stderr[-500:]}")
    return result.stdout, result.stderr, commit


def main():
    problems = []
    pythons = claimed_pythons((ROOT / "pyproject.toml").read_text())
    version = subprocess.run(
        [str(Path(sys.executable).parent / "repo2docker"), "--version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    dockerfile, log, commit = run_repo2docker(ROOT)
    binder = parse_dockerfile(dockerfile)
    exact = f" (conda-forge python {binder['python_exact']})" if binder["python_exact"] else ""
    print(
        f"repo2docker {version} on a clean clone of {commit[:12]}: Python {binder['python']}{exact}, "
        f"base image {binder['base_image']} (glibc {binder['glibc'][0]}.{binder['glibc'][1]}, "
        f"{binder['arch']}), installs {', '.join(binder['requirements']) or 'no requirements file'}"
    )
    for line in log.splitlines():
        if "Python version" in line or "python=" in line:
            print(f"  repo2docker says: {line.strip()}")
    if binder["python"] not in pythons:
        problems.append(
            f"Binder's Python {binder['python']} is not one the project claims ({pythons})"
        )
    if not binder["requirements"]:
        problems.append("repo2docker installs no requirements file")
    platforms = linux_platforms(binder["glibc"], binder["arch"])
    jobs = []
    for rel in binder["requirements"]:
        pins, indexes, _ = parse_requirements((ROOT / rel).read_text())
        for name, pinned in pins:
            label = f"{rel}: {name}=={pinned} on Binder (Python {binder['python']}, Linux {binder['arch']})"
            jobs.append((label, name, pinned, binder["python"], platforms, indexes))
    pins, indexes, other = parse_requirements((ROOT / "requirements.txt").read_text())
    for python in pythons:
        for where, tags in LEARNER_PLATFORMS.items():
            for name, pinned in pins:
                label = f"requirements.txt: {name}=={pinned} on Python {python}, {where}"
                jobs.append((label, name, pinned, python, tags, indexes))
    unreachable = {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: check_pin(*job[1:], unreachable=unreachable), jobs))
    for index, reason in unreachable.items():
        print(f"  note: {index} could not be reached from here ({reason})")
    for (label, *_), (ok, note) in zip(jobs, results, strict=True):
        if not ok:
            problems.append(f"{label}: {note}")
        elif label.startswith(tuple(binder["requirements"])) or "not reachable" in note:
            print(f"  ok   {label}: {note}")
    learner = [
        ok
        for (label, *_), (ok, _) in zip(jobs, results, strict=True)
        if label.startswith("requirements.txt")
    ]
    print(
        f"requirements.txt: {len(pins)} pins x Python {', '.join(pythons)} x "
        f"{len(LEARNER_PLATFORMS)} platforms ({'; '.join(LEARNER_PLATFORMS)}): "
        f"{sum(learner)} of {len(learner)} have a wheel; not a pin, so not asked about: "
        f"{', '.join(other) or 'none'}"
    )
    if problems:
        print(f"\nFAILED: {len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("OK: every pin has a wheel where the project says it installs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
