"""Mutation testing of the rule modules (`make mutate`): would their tests fail if a rule changed?

mutmut changes one thing at a time in a rule module (`<` for `<=`, 5 for 4, `and` for `or`, a
string for another...) and runs that module's own tests against each change (a "mutant"). A mutant
the tests do not notice has survived: either a test is missing, or the change makes no difference
a user could see (an equivalent mutant; the README lists the ones judged so, and why).

Each module is mutated in a scratch copy of the project (var/mutate/<name>/), so that it is
tested only by its own test files and the work tree is never touched. Prints killed/total per
module and fails when any module has less than GOAL of its mutants killed. Not part of `make test`
or CI: it takes a while on one core.

    python tests/mutate.py            # every module
    python tests/mutate.py upn access  # some of them
    python tests/mutate.py --recheck access  # only the mutants the last run did not plainly kill

--recheck runs again only the mutants that survived, timed out or were not reached last time (after
adding tests, or to finish a run that was stopped) and keeps the other results of the last run; the
rule module must be unchanged since, or the mutants' names no longer mean the same change.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "var" / "mutate"
GOAL = 0.90

# name -> (the rule module, the test files that state its rules)
MODULES: dict[str, tuple[str, list[str]]] = {
    "upn": ("trellis/lib/upn.py", ["tests/test_upn.py"]),
    "on-track": (
        "trellis/plans/progress.py",
        [
            "tests/test_on_track.py",
            "tests/test_half_terms.py",
            "tests/test_horizontal_progress.py",
            "tests/test_dashboards_progress.py",
        ],
    ),
    "disclosure": ("trellis/lib/disclosure.py", ["tests/test_disclosure.py"]),
    "access": ("trellis/pupils/access.py", ["tests/test_access_rules.py"]),
    "evaluation": ("trellis/provision/evaluation.py", ["tests/test_provision_evaluation.py"]),
    "import-limits": ("trellis/transfer/limits.py", ["tests/test_upload_limits.py"]),
}

# mutmut's exit codes (mutmut.stats.status_by_exit_code): 1 and 3 are a kill; a timeout counts as
# one too (the change made the tests hang, which they would notice).
KILLED = {1, 3, 36, 24, -24, 152, 255}


REUSED_DATABASE = """

@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        settings.DATABASES["default"].setdefault("TEST", {{}})["NAME"] = {path!r}
"""


def _config(module: str, tests: list[str]) -> str:
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["trellis"]\n'
        f"only_mutate = [{json.dumps(module)}]\n"
        'also_copy = ["manage.py"]\n'
        "use_git_change_detection = false\n"
        # mutmut stops a mutant after (its tests' time + constant) x multiplier seconds of wall-clock time
        # (twice that of CPU time) and counts it as killed. Its default multiplier (15) let a mutant that
        # loops for ever hold a core for half an hour; 1 stopped honest mutants on a busy machine, where
        # the tests run three times slower than when mutmut timed them, and counted them killed.
        "timeout_constant = 10.0\n"
        "timeout_multiplier = 3.0\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "--reuse-db", "-m", "not browser and not fuzz"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
    )


# Exit codes of a test run that failed: a plain kill, not a timeout (which a busy machine can cause).
FAILED = {1, 3}


def run(name: str, *, recheck: bool = False) -> tuple[int, int, list[str]]:
    """Mutate one module in its scratch copy: (killed, total, the survivors' names)."""
    module, tests = MODULES[name]
    work = SCRATCH / name
    meta = work / "mutants" / f"{module}.meta"
    last = json.loads(meta.read_text())["exit_code_by_key"] if recheck and meta.exists() else {}
    again = sorted(key for key, code in last.items() if code not in FAILED)
    shutil.rmtree(work, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "var", "mutants")
    for part in ("trellis", "tests"):
        shutil.copytree(ROOT / part, work / part, ignore=ignore)
    shutil.copy2(ROOT / "manage.py", work / "manage.py")
    # Every mutant runs pytest afresh: a test database in a file, made once and reused, spares each
    # one the migrations (the copy's conftest only; the suite itself keeps its in-memory database).
    with (work / "tests" / "conftest.py").open("a") as conftest:
        conftest.write(REUSED_DATABASE.format(path=str(work / "test.sqlite3")))
    pyproject = (ROOT / "pyproject.toml").read_text()
    (work / "pyproject.toml").write_text(pyproject + _config(module, tests))
    mutmut = Path(sys.executable).with_name("mutmut")
    log = work / "mutmut.log"
    with log.open("w") as out:
        command = [str(mutmut), "run", "--max-children", "1", *again]
        subprocess.run(command, cwd=work, stdout=out, stderr=out, check=False)  # noqa: S603 (our own venv's mutmut)
    if not meta.exists():
        print(f"{name}: mutmut did not run; see {log.relative_to(ROOT)}")
        return 0, 0, []
    fresh = json.loads(meta.read_text())["exit_code_by_key"]
    codes = last | {key: fresh.get(key) for key in again} if last else fresh
    # Keep the merged results as the last run's, for the next --recheck.
    meta.write_text(json.dumps(json.loads(meta.read_text()) | {"exit_code_by_key": codes}))
    survivors = sorted(key for key, code in codes.items() if code not in KILLED)
    return len(codes) - len(survivors), len(codes), survivors


def main(names: list[str]) -> int:
    recheck = "--recheck" in names
    names = [n for n in names if n != "--recheck"]
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        print(f"Unknown module {', '.join(unknown)}; choose from {', '.join(MODULES)}")
        return 2
    results = {}
    for name in names or list(MODULES):
        print(f"Mutating {MODULES[name][0]} against {' '.join(MODULES[name][1])} ...", flush=True)
        results[name] = run(name, recheck=recheck)
    print()
    failed = False
    for name, (killed, total, survivors) in results.items():
        share = killed / total if total else 0.0
        failed |= share < GOAL
        print(f"{name:14} {killed:4}/{total:<4} killed  {share:6.1%}  {'ok' if share >= GOAL else 'BELOW GOAL'}")
        for survivor in survivors:
            print(f"    survived: {survivor}")
    print(f"\nGoal: {GOAL:.0%} of each module's mutants killed. To see a survivor's change:")
    print("    cd var/mutate/<module> && ../../../.venv/bin/mutmut show <name>")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
