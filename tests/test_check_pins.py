"""The registry check .ci/check_pins.py (run by .ci/run, outside the offline test run): its
reading of repo2docker's Dockerfile, of requirements files and of pyproject, and its verdicts,
tested here offline with the registry replaced by a table."""

import re
from pathlib import Path

import _scripts
import pytest

ROOT = Path(__file__).resolve().parent.parent
check_pins = _scripts.load(".ci/check_pins.py")

# The lines of `repo2docker --no-build --debug` output that the check reads (repo2docker
# 2026.4.0 on this repository with binder/runtime.txt saying python-3.11), abridged.
DOCKERFILE = """FROM docker.io/library/buildpack-deps:24.04

ENV CONDA_PLATFORM=linux-64
COPY --chown=0:0 build_script_files/-2fvenv-2flib-2fpython3-2e11-2fsite-2dpackages-2frepo2docker-2fbuildpacks-2fconda-2fenvironment-2epy-2d3-2e11-2dlinux-2d64-2elock-25c7c4 /tmp/env/environment.lock
COPY --chown=0:0 src/binder/requirements.txt ${REPO_DIR}/binder/requirements.txt
USER ${NB_USER}
RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"
RUN ./binder/postBuild
"""


def test_dockerfile_gives_python_base_image_glibc_and_requirements():
    found = check_pins.parse_dockerfile(DOCKERFILE)
    assert found["python"] == "3.11"
    assert found["base_image"] == "docker.io/library/buildpack-deps:24.04"
    assert found["glibc"] == (2, 39) and found["arch"] == "x86_64"
    assert found["requirements"] == ["binder/requirements.txt"]
    assert found["python_exact"] is None  # the lock file is not on this machine


def test_the_exact_python_comes_from_repo2dockers_lock_file(tmp_path):
    lock = tmp_path / "environment.py-3.11-linux-64.lock"
    lock.write_text(
        "@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/noarch/python_abi-3.11-8_cp311.conda\n"
        "https://conda.anaconda.org/conda-forge/linux-64/python-3.11.14-hfe2f287_1_cpython.conda\n"
    )
    escaped = "".join(c if c.isalnum() else f"-{ord(c):02x}" for c in str(lock))
    text = re.sub(r"build_script_files/\S+", f"build_script_files/{escaped}-25c7c4", DOCKERFILE)
    found = check_pins.parse_dockerfile(text)
    assert found["python"] == "3.11" and found["python_exact"] == "3.11.14"


def test_dockerfile_python_follows_the_lock_file_repo2docker_copies():
    text = DOCKERFILE.replace("3-2e11-2dlinux", "3-2e10-2dlinux")
    assert check_pins.parse_dockerfile(text)["python"] == "3.10"


@pytest.mark.parametrize(
    "broken, message",
    [
        (DOCKERFILE.replace("FROM", "FRUM"), "no FROM line"),
        (DOCKERFILE.replace("/tmp/env/environment.lock", "/tmp/env/x"), "lock file"),
        (DOCKERFILE.replace(":24.04", ":99.04"), "glibc is not known"),
        (DOCKERFILE.replace("linux-64", "osx-arm64"), "conda platform"),
    ],
)
def test_dockerfile_it_cannot_read_is_an_error_not_a_pass(broken, message):
    with pytest.raises(ValueError, match=message):
        check_pins.parse_dockerfile(broken)


def test_requirements_pins_indexes_and_the_rest():
    text = (
        "# comment\n--extra-index-url https://example.org/whl/cpu\ntorch==2.13.0\n"
        "jupyterlab_widgets == 3.0.17  # pinned together\n-e .\n"
    )
    pins, indexes, other = check_pins.parse_requirements(text)
    assert pins == [("torch", "2.13.0"), ("jupyterlab_widgets", "3.0.17")]
    assert indexes == [check_pins.PYPI, "https://example.org/whl/cpu"]
    assert other == ["-e ."]
    assert check_pins.parse_requirements("--index-url https://mirror/simple\nx==1\n")[1] == [
        "https://mirror/simple"
    ]


def test_the_repository_files_parse():
    for rel in ("requirements.txt", "binder/requirements.txt"):
        pins, indexes, other = check_pins.parse_requirements((ROOT / rel).read_text())
        assert ("torch", "2.13.0") in pins and indexes[0] == check_pins.PYPI
    assert check_pins.parse_requirements((ROOT / "binder/requirements.txt").read_text())[1] == [
        check_pins.PYPI,
        "https://download.pytorch.org/whl/cpu",
    ]


def test_linux_platform_tags_follow_glibc():
    tags = check_pins.linux_platforms((2, 28), "x86_64")
    assert tags[0] == "manylinux_2_28_x86_64" and "manylinux_2_17_x86_64" in tags
    assert "manylinux2014_x86_64" in tags and "manylinux1_x86_64" in tags
    assert "manylinux_2_29_x86_64" not in tags and tags[-1] == "linux_x86_64"


def test_a_local_version_matches_its_pin():
    assert check_pins.has_version(["2.14.0", "2.13.0+cpu"], "2.13.0")
    assert not check_pins.has_version(["2.14.0", "2.12.0"], "2.13.0")
    assert not check_pins.has_version([], "2.13.0")


def fake_registry(table, unreachable=()):
    def lookup(name, python, platforms, index):
        if index in unreachable:
            raise check_pins.Unreachable("name resolution failed")
        return table.get((index, name, python), [])

    return lookup


def test_check_pin_verdicts():
    pypi, cpu = check_pins.PYPI, "https://example.org/cpu"
    table = {(pypi, "numpy", "3.11"): ["2.4.6"], (cpu, "torch", "3.11"): ["2.13.0+cpu"]}
    ok, note = check_pins.check_pin("numpy", "2.4.6", "3.11", [], [pypi], fake_registry(table))
    assert ok and pypi in note
    ok, note = check_pins.check_pin("numpy", "2.4.6", "3.10", [], [pypi], fake_registry(table))
    assert not ok and note.startswith("no wheel")
    ok, _ = check_pins.check_pin("torch", "2.13.0", "3.11", [], [pypi, cpu], fake_registry(table))
    assert ok  # a wheel on any index of the file will do, as for pip
    # an index that cannot be reached is said, and decides nothing by itself
    seen = {}
    lookup = fake_registry(table, unreachable={cpu})
    ok, note = check_pins.check_pin("numpy", "2.4.6", "3.11", [], [pypi, cpu], lookup, seen)
    assert ok and "not reachable" in note and cpu in seen
    ok, note = check_pins.check_pin("torch", "2.13.0", "3.11", [], [pypi, cpu], lookup, seen)
    assert not ok and "not reachable" in note


def test_claimed_pythons_come_from_the_classifiers_and_agree_with_requires_python():
    text = (ROOT / "pyproject.toml").read_text()
    assert check_pins.claimed_pythons(text) == ["3.11", "3.12", "3.13", "3.14"]
    bad = text.replace('requires-python = ">=3.11"', 'requires-python = ">=3.12"')
    with pytest.raises(ValueError, match="requires-python"):
        check_pins.claimed_pythons(bad)
    none = "\n".join(line for line in text.splitlines() if ":: 3." not in line)
    with pytest.raises(ValueError, match="classifier"):
        check_pins.claimed_pythons(none)


def test_pip_is_asked_without_this_machines_pip_configuration(monkeypatch):
    monkeypatch.setenv("PIP_FIND_LINKS", "/somewhere")
    monkeypatch.setenv("PIP_CERT", "/etc/ssl/certs/ca-certificates.crt")
    env = check_pins.pip_env()
    assert "PIP_FIND_LINKS" not in env and env["PIP_CERT"].endswith(".crt")
    assert env["PIP_CONFIG_FILE"] == __import__("os").devnull


UNREACHABLE = (
    "WARNING: Retrying (Retry(total=1, connect=None, read=None, redirect=None, status=None)) "
    "after connection broken by 'NameResolutionError(\"HTTPSConnection(host='download.pytorch.org',"
    " port=443): Failed to resolve 'download.pytorch.org' ([Errno -2] Name or service not known)\")"
    "': /whl/cpu/torch/\nERROR: No matching distribution found for torch\n"
)


def test_pips_answers_are_read():
    assert check_pins.read_pip_answer("x", 0, '{"name": "x", "versions": ["2.0", "1.0"]}', "") == [
        "2.0",
        "1.0",
    ]
    stderr = "ERROR: No matching distribution found for numpy\n"
    assert check_pins.read_pip_answer("numpy", 1, "", stderr) == []
    with pytest.raises(check_pins.Unreachable, match="Failed to resolve 'download.pytorch.org'"):
        check_pins.read_pip_answer("torch", 1, "", UNREACHABLE)
    with pytest.raises(RuntimeError, match="no such option"):
        check_pins.read_pip_answer("x", 2, "", "no such option: --frobnicate")


def test_an_old_pip_is_refused_not_believed(monkeypatch):
    """pip before 25 lists versions that have no wheel even with --only-binary=:all:."""
    monkeypatch.setattr(check_pins, "_pip_has_json", lambda: False)
    with pytest.raises(RuntimeError, match="too old"):
        check_pins.wheel_versions("numpy", "3.11", ["win_amd64"], check_pins.PYPI)
