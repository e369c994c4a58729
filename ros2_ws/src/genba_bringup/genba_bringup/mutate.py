"""``genba mutate``: mutation testing of the pure safety and protocol cores with mutmut.

mutmut changes one operator, constant or call at a time in the modules of
``tests/mutation/config.yaml`` and runs the tests that reach the changed function against each
change (a *mutant*). A mutant the tests notice is killed; one they do not is a survivor: either a
missing test, or an *equivalent* mutant (one no test can notice: listed with its reason in
``tests/mutation/equivalent.yaml``). The score is killed over non-equivalent mutants.

The run happens in a staging folder (``build/mutation/`` by default) laid out as mutmut expects
(``src/<package>``, ``tests/``); mutmut keeps its results there, so a second run re-tests only the
functions that changed. ``--changed`` runs only the mutants on lines changed since a commit (the
last full run's, in ``tests/mutation/full_run.yaml``), a fixed sample of them: the fast subset that
``./genba test`` runs.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from genba_common.errors import ConfigError
from genba_common.yaml_file import check_keys, read_yaml_mapping

CONFIG = Path("tests/mutation/config.yaml")
EQUIVALENT = Path("tests/mutation/equivalent.yaml")
FULL_RUN = Path("tests/mutation/full_run.yaml")
STAGE = Path("build/mutation")
DETECTED = {"killed", "timeout", "segfault"}  # mutmut's verdicts that mean the tests noticed
# Folded into the staging folder beside the tests: the helpers tests import, the docs a test reads.
TEST_SUPPORT = ("tests/conftest.py", "tests/deployed.py", "tests/hostile_inputs.py", "tests/scan_shapes.py",
                "pytest.ini", "docs/safety.md")
# Generates the mutants in the staging folder and nothing else (mutmut's own first step of `run`).
_GENERATE = """
import os
from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants, setup_source_paths
from mutmut.__main__ import store_lines_covered_by_tests
os.makedirs("mutants", exist_ok=True)
copy_src_dir(); copy_also_copy_files(); setup_source_paths(); store_lines_covered_by_tests()
create_mutants(os.cpu_count() or 2)
"""


@dataclass(frozen=True)
class Equivalent:
    """A mutant no test can notice, and why (matched by function and the changed text)."""

    module: str
    function: str
    original: str
    mutant: str
    why: str


@dataclass(frozen=True)
class MutationConfig:
    modules: tuple[str, ...]  # repository paths of the modules mutated
    tests: tuple[str, ...]  # repository paths of the tests run against them
    examples: int  # Hypothesis examples per property test under mutation
    min_score: float  # a full run below this fails
    changed_max_mutants: int  # the fast subset's size at most
    equivalent: tuple[Equivalent, ...]

    def module_path(self, module: str) -> str | None:
        """The repository path of a dotted module name (``genba_safety.zones``)."""
        for path in self.modules:
            if _dotted(path) == module:
                return path
        return None


@dataclass(frozen=True)
class Mutant:
    name: str  # mutmut's: genba_safety.zones.x_time_to_collision__mutmut_7
    module: str
    function: str  # Class.method or function
    path: str  # repository path of the module
    line: int  # first line of the original the mutant changes (1-based, in the repository file)
    lines: tuple[int, ...]  # every original line it changes
    original: str  # the changed original text, stripped, lines joined by " / "
    mutated: str  # what it became

    def key(self) -> tuple[str, str, str, str]:
        return (self.module, self.function, self.original, self.mutated)


def _dotted(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[-2:])


def load_config(root: Path, path: Path | None = None, equivalent: Path | None = None) -> MutationConfig:
    """The mutation configuration and its equivalent-mutant list; one-line errors on bad files."""
    path = path or root / CONFIG
    raw = read_yaml_mapping(path, "mutation configuration")
    check_keys(raw, ("modules", "tests", "examples", "min_score", "changed_max_mutants"), str(path))
    try:
        modules = tuple(str(m) for m in raw["modules"])
        tests = tuple(str(t) for t in raw["tests"])
        examples, min_score = int(raw["examples"]), float(raw["min_score"])
        limit = int(raw["changed_max_mutants"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: needs modules, tests (lists), examples, min_score, changed_max_mutants "
                          f"({exc})") from None
    for rel in modules + tests:
        if not (root / rel).exists():
            raise ConfigError(f"{path}: {rel} does not exist")
    if not (1 <= examples <= 1000 and 0.0 <= min_score <= 1.0 and limit >= 1):
        raise ConfigError(f"{path}: examples in 1..1000, min_score in 0..1, changed_max_mutants >= 1")
    eq_path = equivalent or path.parent / EQUIVALENT.name
    entries: list[Equivalent] = []
    if eq_path.exists():
        eq = read_yaml_mapping(eq_path, "equivalent-mutant list")
        check_keys(eq, ("equivalent",), str(eq_path))
        for i, e in enumerate(eq.get("equivalent") or []):
            try:
                entries.append(Equivalent(*(str(e[k]) for k in ("module", "function", "original", "mutant",
                                                                  "why"))))
            except (KeyError, TypeError) as exc:
                raise ConfigError(f"{eq_path}: entry {i + 1} needs module, function, original, mutant, "
                                  f"why ({exc})") from None
    return MutationConfig(modules, tests, examples, min_score, limit, tuple(entries))


def stage(root: Path, cfg: MutationConfig, dest: Path) -> None:
    """Lay out ``dest`` as mutmut expects: each mutated module's package under ``src/``, the tests
    and what they read, and mutmut's configuration (``setup.cfg``). Files are copied only when they
    differ, so mutmut's cache of earlier results stays valid for unchanged modules."""
    packages = sorted({Path(m).parent for m in cfg.modules})
    wanted: dict[Path, Path] = {}
    for pkg in packages:
        for f in (root / pkg).rglob("*.py"):
            wanted[dest / "src" / pkg.name / f.relative_to(root / pkg)] = f
    for t in cfg.tests:
        src = root / t
        for f in ([src] if src.is_file() else src.rglob("*.py")):
            wanted[dest / f.relative_to(root)] = f
    for rel in TEST_SUPPORT:
        if (root / rel).exists():
            wanted[dest / rel] = root / rel
    for target in (dest / "src", dest / "tests", dest / "docs"):
        if target.exists():
            for f in target.rglob("*"):
                if f.is_file() and f not in wanted:
                    f.unlink()
    for target, src in wanted.items():
        if not target.exists() or target.read_bytes() != src.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    mutated = {f"src/{Path(m).parent.name}/{Path(m).name}" for m in cfg.modules}
    others = sorted(str(p.relative_to(dest)) for p in wanted if p.parts[len(dest.parts)] == "src"
                    and str(p.relative_to(dest)) not in mutated)
    lines = ["[mutmut]", "source_paths = src", "also_copy = docs", "   pytest.ini",
             "do_not_mutate = " + "\n   ".join(others),
             "pytest_add_cli_args_test_selection = " + "\n   ".join(cfg.tests), ""]
    text = "\n".join(lines)
    cfg_file = dest / "setup.cfg"
    if not cfg_file.exists() or cfg_file.read_text() != text:
        cfg_file.write_text(text)


def _env(cfg: MutationConfig) -> dict:
    env = dict(os.environ, GENBA_MUTATION_EXAMPLES=str(cfg.examples))
    env.pop("MUTANT_UNDER_TEST", None)
    return env


def _mutmut() -> str:
    exe = Path(sys.executable).with_name("mutmut")
    if not exe.exists():
        raise ConfigError("mutmut is not installed in this environment (it is in requirements-test.txt; "
                          "run ./genba setup)")
    return str(exe)


def generate(dest: Path, cfg: MutationConfig) -> None:
    """Create (or refresh) the mutants in ``dest/mutants``."""
    proc = subprocess.run([sys.executable, "-c", _GENERATE], cwd=dest, env=_env(cfg), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:]
        raise ConfigError(f"mutmut could not generate mutants in {dest}: {' '.join(tail)}")


def _def_lines(source: str) -> dict[str, int]:
    """Line of each function's ``def`` by mutmut's mangled name (``x_f``, ``xǁClassǁm``)."""
    out: dict[str, int] = {}
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[f"x_{node.name}"] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out[f"xǁ{node.name}ǁ{item.name}"] = item.lineno
    return out


def _body(lines: list[str], span: tuple[int, int], name: str) -> list[str]:
    body = lines[span[0] - 1:span[1]]
    while body and not body[0].strip():
        body = body[1:]
    return [re.sub(re.escape(name), "@", line, count=1) for line in body]


def _function(mangled: str) -> str:
    if mangled.startswith("x_"):
        return mangled[2:]
    _, cls, meth = mangled.split("ǁ")
    return f"{cls}.{meth}"


def mutants_of(dest: Path, cfg: MutationConfig) -> list[Mutant]:
    """Every mutant in ``dest/mutants``, with the original line(s) it changes."""
    out: list[Mutant] = []
    for spans_file in sorted((dest / "mutants" / "src").rglob("*.py.spans")):
        mutated_file = spans_file.with_suffix("")
        rel = mutated_file.relative_to(dest / "mutants" / "src")
        module = ".".join(rel.with_suffix("").parts)
        repo_path = cfg.module_path(module)
        if repo_path is None:
            continue
        spans = json.loads(spans_file.read_text())["spans"]
        lines = mutated_file.read_text().splitlines()
        defs = _def_lines((dest / "src" / rel).read_text())
        originals: dict[str, list[str]] = {}  # each function's original body, read once
        for fn, span in spans.items():
            mangled, _, num = fn.partition("__mutmut_")
            if num == "orig" or not num.isdigit():
                continue
            orig_fn = f"{mangled}__mutmut_orig"
            if orig_fn not in spans or mangled not in defs:
                continue
            a = originals.get(orig_fn)
            if a is None:
                a = originals[orig_fn] = _body(lines, spans[orig_fn], orig_fn)
            b = _body(lines, span, fn)
            changed = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
                       if op[0] != "equal"]
            if not changed:
                continue
            i1, i2 = changed[0][1], max(op[2] for op in changed)
            j1, j2 = changed[0][3], max(op[4] for op in changed)
            first = defs[mangled] + i1
            touched = tuple(range(first, defs[mangled] + max(i2, i1 + 1)))
            out.append(Mutant(
                f"{module}.{fn}", module, _function(mangled), repo_path, first, touched,
                " / ".join(s.strip() for s in a[i1:i2]), " / ".join(s.strip() for s in b[j1:j2])))
    return out


def touched_lines(root: Path, base: str, paths: tuple[str, ...]) -> dict[str, set[int]]:
    """Lines of each path (in the working tree) that differ from commit ``base``."""
    proc = subprocess.run(["git", "diff", "-U0", "--no-color", base, "--", *paths], cwd=root,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise ConfigError(f"git diff against {base} failed: {proc.stderr.strip().splitlines()[-1:]}")
    out: dict[str, set[int]] = {}
    current = None
    for line in proc.stdout.splitlines():
        if line.startswith("+++ "):
            current = line[6:] if line.startswith("+++ b/") else None
            if current:
                out.setdefault(current, set())
        elif line.startswith("@@") and current:
            m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) or 1)
                out[current].update(range(start, start + count) if count else {start})
    return out


def on_touched_lines(mutants: list[Mutant], touched: dict[str, set[int]]) -> list[Mutant]:
    return [m for m in mutants if touched.get(m.path, set()).intersection(m.lines)]


def sample(mutants: list[Mutant], limit: int) -> list[Mutant]:
    """A deterministic sample of at most ``limit`` of ``mutants`` (by a hash of their names)."""
    order = sorted(mutants, key=lambda m: hashlib.sha256(m.name.encode()).hexdigest())
    return sorted(order[:limit], key=lambda m: m.name)


def run_mutants(dest: Path, cfg: MutationConfig, names: list[str], log: Path) -> int:
    """``mutmut run`` on ``names`` (all when empty), its output to ``log``, progress to stderr."""
    with log.open("w") as fh:
        proc = subprocess.Popen([_mutmut(), "run", *names], cwd=dest, env=_env(cfg), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        last = 0.0
        assert proc.stdout is not None
        for chunk in iter(lambda: proc.stdout.readline(), ""):
            fh.write(chunk)
            progress = re.findall(r"(\d+)/(\d+)\s+🎉 (\d+)", chunk)
            if progress and time.monotonic() - last > 10.0:
                done, total, killed = progress[-1]
                print(f"genba mutate: {done}/{total} mutants run, {killed} killed", file=sys.stderr,
                      flush=True)
                last = time.monotonic()
        return proc.wait()


def verdicts(dest: Path) -> dict[str, str]:
    """mutmut's verdict per mutant run so far (killed, survived, no tests, timeout, ...)."""
    out: dict[str, str] = {}
    for meta in (dest / "mutants" / "src").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        for name, code in data.get("exit_code_by_key", {}).items():
            out[name] = _STATUS.get(code, "suspicious")
    return out


# mutmut's own verdict of each worker exit code (mutmut.stats.status_by_exit_code, not imported: the
# robot's packages do not depend on mutmut, a test requirement)
_STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
           36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout", -11: "segfault",
           -9: "segfault", None: "not checked"}


def summarize(mutants: list[Mutant], verdict: dict[str, str], cfg: MutationConfig) -> dict:
    """Per module and in total: killed, survived, equivalent, not run; the score; each survivor."""
    equivalent = {(e.module, e.function, e.original, e.mutant): e for e in cfg.equivalent}
    modules: dict[str, dict] = {}
    survivors, equivalents = [], []
    for m in mutants:
        row = modules.setdefault(m.path, {"total": 0, "killed": 0, "survived": 0, "equivalent": 0,
                                          "not_run": 0})
        row["total"] += 1
        v = verdict.get(m.name, "not checked")
        if v in DETECTED:
            row["killed"] += 1
        elif v in ("not checked", "skipped"):
            row["not_run"] += 1
        elif m.key() in equivalent:
            row["equivalent"] += 1
            equivalents.append(dataclasses.asdict(m) | {"why": equivalent[m.key()].why})
        else:
            row["survived"] += 1
            survivors.append(dataclasses.asdict(m) | {"verdict": v})
    total = {k: sum(r[k] for r in modules.values()) for k in ("total", "killed", "survived", "equivalent",
                                                              "not_run")}
    for row in [*modules.values(), total]:
        judged = row["killed"] + row["survived"]
        row["score"] = round(row["killed"] / judged, 4) if judged else None
    killed = {m.key() for m in mutants if verdict.get(m.name) in DETECTED}
    stale = [dataclasses.asdict(e) for e in equivalent.values()
             if (e.module, e.function, e.original, e.mutant) in killed]
    return {"modules": modules, "total": total, "survivors": survivors, "equivalents": equivalents,
            "killed_equivalents": stale}


def markdown(summary: dict, command: str, elapsed_s: float) -> str:
    """The readable report: a table per module, then every survivor with its line and change."""
    out = [f"# Mutation testing: `{command}`", "", f"{elapsed_s:.0f} s on {os.cpu_count()} cores.", "",
           "| module | mutants | killed | survived | equivalent | not run | score |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    rows = list(summary["modules"].items()) + [("**total**", summary["total"])]
    for path, r in rows:
        score = "-" if r["score"] is None else f"{100 * r['score']:.1f} %"
        out.append(f"| {path} | {r['total']} | {r['killed']} | {r['survived']} | {r['equivalent']} | "
                   f"{r['not_run']} | {score} |")
    out += ["", f"## Survivors ({len(summary['survivors'])})", ""]
    if not summary["survivors"]:
        out.append("None.")
    for s in sorted(summary["survivors"], key=lambda s: (s["path"], s["line"])):
        out += [f"- `{s['path']}:{s['line']}` in `{s['function']}` ({s['verdict']}; `{s['name']}`)",
                f"  - was: `{s['original']}`", f"  - now: `{s['mutated']}`"]
    if summary["killed_equivalents"]:
        out += ["", "## Listed as equivalent, yet killed (remove from equivalent.yaml)", ""]
        out += [f"- `{e['module']}` `{e['function']}`: `{e['original']}` -> `{e['mutant']}`"
                for e in summary["killed_equivalents"]]
    return "\n".join(out) + "\n"


def full_run_commit(root: Path) -> str:
    """The commit the last full run was measured on (``tests/mutation/full_run.yaml``)."""
    raw = read_yaml_mapping(root / FULL_RUN, "full mutation run record")
    commit = str(raw.get("commit", ""))
    if not re.fullmatch(r"[0-9a-f]{7,40}", commit):
        raise ConfigError(f"{root / FULL_RUN}: 'commit' must be a commit hash")
    return commit


def mutate(root: Path, *, config: Path | None = None, dest: Path | None = None, changed: str | None = None,
           modules: tuple[str, ...] = (), max_mutants: int | None = None, survivors: bool = False,
           out: Path | None = None) -> int:
    """Stage, generate, select, run, report. Exit 0 when the run meets its bar (``--changed``: no
    non-equivalent survivor; otherwise the configured minimum score), else 1. ``survivors``: run
    again only the mutants that survived (or had no test) in the staging folder's last results,
    after tests were added; a killed mutant stays killed as long as no test was weakened."""
    started = time.monotonic()
    cfg = load_config(root, config)
    if changed is not None:
        base = changed or full_run_commit(root)
        touched = touched_lines(root, base, cfg.modules)
        if not any(touched.values()):  # nothing to mutate: no staging, no generation
            print(f"genba mutate: no line of a mutated module changed since {base[:12]}; nothing to run",
                  file=sys.stderr)
            return 0
    dest = (dest or root / STAGE).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    stage(root, cfg, dest)
    generate(dest, cfg)
    mutants = mutants_of(dest, cfg)
    if modules:
        def named(x: Mutant, m: str) -> bool:
            return x.module == m or x.module.endswith("." + m)

        unknown = [m for m in modules if not any(named(x, m) for x in mutants)]
        if unknown:
            raise ConfigError(f"--module {', '.join(unknown)}: not a configured module "
                              f"({', '.join(sorted({_dotted(p) for p in cfg.modules}))})")
        mutants = [x for x in mutants if any(named(x, m) for m in modules)]
    command = "genba mutate" + "".join(f" --module {m}" for m in modules)
    names: list[str] = [m.name for m in mutants]
    if survivors:
        before = verdicts(dest)
        names = [m.name for m in mutants if before.get(m.name) in ("survived", "no tests")]
        command += " --survivors"
        print(f"genba mutate: running the {len(names)} earlier survivors again", file=sys.stderr, flush=True)
        if not names:
            print("genba mutate: no survivors to run", file=sys.stderr)
    if changed is not None:
        picked = on_touched_lines(mutants, touched)
        limit = cfg.changed_max_mutants if max_mutants is None else max_mutants
        mutants = sample(picked, limit)
        command += f" --changed {base}"
        print(f"genba mutate: {len(picked)} mutants on lines changed since {base[:12]}; "
              f"running {len(mutants)} (at most {limit})", file=sys.stderr, flush=True)
        names = [m.name for m in mutants]
        if not names:
            print("genba mutate: nothing to run", file=sys.stderr)
            return 0
    out = out or dest
    out.mkdir(parents=True, exist_ok=True)
    selective = changed is not None or modules or survivors
    # a full run names no mutant: mutmut then runs those without a result for their current code
    code = 0
    if names or not selective:
        code = run_mutants(dest, cfg, names if selective else [], out / "mutmut.log")
    verdict = verdicts(dest)
    summary = summarize(mutants, verdict, cfg)
    elapsed = time.monotonic() - started
    report = markdown(summary, command, elapsed)
    (out / "report.md").write_text(report)
    (out / "results.json").write_text(json.dumps({"command": command, "elapsed_s": round(elapsed, 1),
                                                  "cores": os.cpu_count(), **summary}, indent=1) + "\n")
    t = summary["total"]
    score = "-" if t["score"] is None else f"{100 * t['score']:.1f} %"
    print(f"genba mutate: {t['killed']} killed, {t['survived']} survived, {t['equivalent']} equivalent "
          f"of {t['total']} (score {score}) in {elapsed:.0f} s; report: {out / 'report.md'}", file=sys.stderr)
    for s in summary["survivors"][:20]:
        print(f"  survivor {s['path']}:{s['line']} {s['function']}: {s['original']!r} -> {s['mutated']!r}",
              file=sys.stderr)
    if code != 0 and t["killed"] + t["survived"] == 0:
        print(f"genba mutate: mutmut failed (exit {code}); see {out / 'mutmut.log'}", file=sys.stderr)
        return 1
    if changed is not None:
        return 1 if summary["survivors"] else 0
    return 0 if t["score"] is not None and t["score"] >= cfg.min_score else 1
