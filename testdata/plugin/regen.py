#!/usr/bin/env python3
"""Records what buf's own protoc plugins answer under protoc, for tests/suite/plugin_buf_golden.rs.

usage: testdata/plugin/regen.py [BUF_BIN_DIR]

BUF_BIN_DIR holds `buf`, `protoc-gen-buf-lint` and `protoc-gen-buf-breaking` (default: $BUF_BIN_DIR,
else /work/buf/node_modules/@bufbuild/buf-linux-x64/bin, where the npm package `@bufbuild/buf` puts them).
`protoc` comes from PATH. The inputs are buf's lint and breaking check cases in ../shared/conformance/buf
(read in place, never copied) and this folder's own fixtures. Writes testdata/plugin/buf_golden.json.

Each case is run as rules_buf runs the plugins: `protoc --plugin=protoc-gen-buf-plugin=PLUGIN
--buf-plugin_opt=JSON --buf-plugin_out=. FILES`, from the directory whose buf.yaml applies, with `-I` the
module roots (variant `include`) or `--descriptor_set_in` a set protoc wrote first (variants
`descriptor_set_in`, with source info, and `descriptor_set_in_no_source_info`, as Bazel's proto_library
writes them by default). Files protoc cannot compile (editions: protoc 3.21 has none; files it rejects) are
left out and listed; a breaking case with files left out runs with `limit_to_input_files` so that they do
not count as deleted. The against side of a breaking case is an image `buf build` wrote; the test gives
our plugin one `protoforge build` wrote (or the same buf image, for the cases marked so).

Recorded per run: protoc's exit code, whether the plugin itself failed, and the findings protoc printed
(`--buf-plugin_out: ...`): in full when short, else their SHA3-256 and one key per finding
(`{path: {TYPE: ["line:column", ...]}}`) to show what differs. Variants of a case that got the same answer
share one entry.
"""
import hashlib, json, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.normpath(os.path.join(REPO, "..", "shared", "conformance", "buf"))
OUT = os.path.join(HERE, "buf_golden.json")
FULL_TEXT_LIMIT = 400
PLUGIN_NAME = "buf-plugin"
AGAINST = "@AGAINST@"

bufbin = (sys.argv[1] if len(sys.argv) > 1 else
          os.environ.get("BUF_BIN_DIR", "/work/buf/node_modules/@bufbuild/buf-linux-x64/bin"))
BUF = os.path.join(bufbin, "buf")
PLUGINS = {"lint": os.path.join(bufbin, "protoc-gen-buf-lint"),
           "breaking": os.path.join(bufbin, "protoc-gen-buf-breaking")}
for p in [BUF, *PLUGINS.values()]:
    if not os.access(p, os.X_OK):
        sys.exit(f"not found: {p} (pass the directory of buf's binaries)")
if not shutil.which("protoc"):
    sys.exit("protoc is not on PATH (apt-get install protobuf-compiler)")
if not os.path.isdir(SHARED):
    sys.exit(f"the conformance cases are not at {SHARED}")
tmp = tempfile.mkdtemp(prefix="plugin-golden-")


def base_dir(root):
    return SHARED if root == "shared" else REPO


def protos(directory):
    out = []
    for dirpath, _, names in os.walk(directory):
        for n in names:
            if n.endswith(".proto"):
                out.append(os.path.relpath(os.path.join(dirpath, n), directory))
    return sorted(out)


def compiles(cwd, includes, files):
    args = ["protoc", *[f"-I{i}" for i in includes], f"--descriptor_set_out={os.devnull}", *files]
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    return p.returncode == 0, p.stderr


def compilable(cwd, includes, files):
    """The files protoc compiles (alone, with their imports), and why the others were left out."""
    ok, _ = compiles(cwd, includes, files)
    if ok:
        return files, {}
    kept, left_out = [], {}
    for f in files:
        good, err = compiles(cwd, includes, [f])
        if good:
            kept.append(f)
        else:
            lines = [l for l in err.splitlines() if "WARNING" not in l and l.strip()]
            left_out[f] = (lines[0] if lines else "protoc failed")[:200]
    return kept, left_out


def roots_of(buf_yaml):
    """`build.roots` of a v1beta1 buf.yaml (the only layout with roots among the cases)."""
    if not os.path.isfile(buf_yaml):
        return ["."]
    text = open(buf_yaml).read()
    m = re.search(r"^build:\s*\n\s+roots:\s*\n((?:\s+-\s*\S+\s*\n?)+)", text, re.M)
    if not m:
        return ["."]
    return re.findall(r"-\s*(\S+)", m.group(1))


def run_plugin(kind, case):
    cwd = os.path.join(base_dir(case["root"]), case["cwd"])
    param = dict(case["parameter"])
    if param.get("against_input") == AGAINST:
        param["against_input"] = case["_against_path"]
    args = ["protoc", f"--plugin=protoc-gen-{PLUGIN_NAME}={PLUGINS[kind]}",
            f"--{PLUGIN_NAME}_opt={json.dumps(param, separators=(',', ':'))}",
            f"--{PLUGIN_NAME}_out={tmp}"]
    variant = case["_variant"]
    if variant == "include":
        args += [f"-I{i}" for i in case["includes"]]
    else:
        source_info = variant == "descriptor_set_in"
        dset = os.path.join(tmp, "set.binpb")
        build = ["protoc", *[f"-I{i}" for i in case["includes"]], "--include_imports",
                 f"--descriptor_set_out={dset}", *case["files"]]
        if source_info:
            build.insert(-len(case["files"]), "--include_source_info")
        subprocess.run(build, cwd=cwd, check=True, capture_output=True)
        args.append(f"--descriptor_set_in={dset}")
    args += case["files"]
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    marker = f"--{PLUGIN_NAME}_out: "
    payload = p.stderr.split(marker, 1)[1] if marker in p.stderr else ""
    payload = payload.rstrip("\n")
    failed = payload.startswith(f"protoc-gen-{PLUGIN_NAME}: Plugin failed")
    out = {"exit": p.returncode, "plugin_failed": failed}
    if failed:
        return out
    if len(payload) <= FULL_TEXT_LIMIT or case.get("full_text"):
        out["text"] = payload
    else:
        out["sha3_256"] = hashlib.sha3_256(payload.encode()).hexdigest()
        out["keys"] = keys(payload)
    out["findings"] = finding_count(payload, case["parameter"].get("error_format", ""))
    return out


def keys(payload):
    """JSON-lines findings as {path: {TYPE: ["line:column", ...]}}."""
    out = {}
    for line in payload.splitlines():
        try:
            f = json.loads(line)
        except ValueError:
            return {}
        if not isinstance(f, dict):
            return {}
        at = f"{f.get('start_line', 0)}:{f.get('start_column', 0)}"
        out.setdefault(f.get("path", ""), {}).setdefault(f.get("type", ""), []).append(at)
    return out


def finding_count(payload, error_format):
    if not payload:
        return 0
    if error_format in ("", "json", "text", "gcc", "msvs", "github-actions"):
        return len(payload.splitlines())
    return None


def build_against(case):
    """buf's image of the against directory."""
    src = os.path.join(base_dir(case["root"]), case["against"])
    image = os.path.join(tmp, "against.binpb")
    subprocess.run([BUF, "build", src, "-o", image], check=True, capture_output=True)
    return image


cases = []


def add(kind, root, name, cwd, includes, files, left_out, parameter, variants=("include",),
        against=None, buf_image=None, full_text=False):
    cases.append({"id": name, "kind": kind, "root": root, "cwd": cwd, "includes": includes,
                  "files": files, "left_out": left_out, "parameter": parameter,
                  "variants": list(variants), "against": against, "buf_image": buf_image,
                  "full_text": full_text})


SET_VARIANTS = ("include", "descriptor_set_in")

# buf's lint cases: everything under the case, from the case directory (its buf.yaml applies).
for name in sorted(os.listdir(os.path.join(SHARED, "lint"))):
    cwd = f"lint/{name}"
    files, left_out = compilable(os.path.join(SHARED, cwd), ["."], protos(os.path.join(SHARED, cwd)))
    add("lint", "shared", cwd, cwd, ["."], files, left_out, {"error_format": "json"}, SET_VARIANTS)

# The v2 workspace case once more, module by module (`module` picks the module by path).
for module in ("ignores1", "ignores2", "ignores3"):
    cwd = "lint/v2/ignores"
    files = protos(os.path.join(SHARED, cwd, module))
    add("lint", "shared", f"lint/v2 module={module}", cwd, [module], files, {},
        {"module": module, "error_format": "json"})

# Every error format on one case, and the config inline.
for fmt in ("text", "gcc", "msvs", "junit", "github-actions", "gitlab-code-quality",
            "config-ignore-yaml"):
    add("lint", "shared", f"lint/service_suffix error_format={fmt}", "lint/service_suffix",
        ["."], ["a.proto"], {}, {"error_format": fmt}, full_text=True)
add("lint", "shared", "lint/enum_pascal_case input_config=object", "lint/enum_pascal_case", ["."],
    ["a.proto"], {}, {"input_config": {"version": "v2", "lint": {"use": ["ENUM_PASCAL_CASE"]}}})
for name in ("comments", "enum_pascal_case"):
    add("lint", "shared", f"lint/{name} no source info", f"lint/{name}", ["."],
        protos(os.path.join(SHARED, f"lint/{name}")), {}, {"error_format": "json"},
        ("descriptor_set_in_no_source_info",))

# buf's breaking cases: the current side from its directory, against buf's image of the previous side.
for name in sorted(os.listdir(os.path.join(SHARED, "breaking"))):
    case_dir = os.path.join(SHARED, "breaking", name)
    cwd = f"breaking/{name}/current"
    includes = roots_of(os.path.join(case_dir, "current", "buf.yaml"))
    all_files = [f for r in includes for f in protos(os.path.join(case_dir, "current", r))]
    files, left_out = compilable(os.path.join(SHARED, cwd), includes, all_files)
    parameter = {"against_input": AGAINST, "error_format": "json"}
    if left_out:
        parameter["limit_to_input_files"] = True
    add("breaking", "shared", f"breaking/{name}", cwd, includes, files, left_out, parameter,
        SET_VARIANTS, against=f"breaking/{name}/previous")

# Every error format of the breaking plugin on one case.
for fmt in ("text", "msvs", "junit", "github-actions", "gitlab-code-quality"):
    add("breaking", "shared", f"breaking/breaking_rpc_no_delete error_format={fmt}",
        "breaking/breaking_rpc_no_delete/current", ["."], ["1.proto", "2.proto"], {},
        {"against_input": AGAINST, "error_format": fmt}, against="breaking/breaking_rpc_no_delete/previous",
        full_text=True)

# Imports (this folder's fixture): compared by default, left out with exclude_imports; the against
# image narrowed to the targets with limit_to_input_files. Run with buf's image as well as ours.
for exclude in (False, True):
    for limit in (False, True):
        add("breaking", "repo", f"imports exclude_imports={exclude} limit_to_input_files={limit}",
            "testdata/plugin/imports/current", ["."], ["a.proto"], {},
            {"against_input": AGAINST, "exclude_imports": exclude, "limit_to_input_files": limit},
            against="testdata/plugin/imports/previous",
            buf_image="testdata/plugin/imports/previous.buf.binpb")
add("breaking", "repo", "imports against a JSON image", "testdata/plugin/imports/current", ["."],
    ["a.proto"], {}, {"against_input": AGAINST}, against="testdata/plugin/imports/previous",
    buf_image="testdata/plugin/imports/previous.buf.json")

results = []
for case in cases:
    entry = {k: v for k, v in case.items() if k != "full_text"}
    if not case["files"]:
        results.append({**entry, "skipped": "protoc compiles none of the files"})
        continue
    if case["kind"] == "breaking":
        if case["buf_image"]:
            image = os.path.join(REPO, case["buf_image"])
            src = os.path.join(base_dir(case["root"]), case["against"])
            subprocess.run([BUF, "build", src, "-o", image], check=True, capture_output=True)
            case["_against_path"] = image
        else:
            case["_against_path"] = build_against(case)
    answers = []  # (answer, variants)
    for variant in case["variants"]:
        case["_variant"] = variant
        got = run_plugin(case["kind"], case)
        same = next((a for a in answers if a[0] == got), None)
        if same:
            same[1].append(variant)
        else:
            answers.append((got, [variant]))
        print(f"{case['id']} [{variant}]: exit {got['exit']}, findings {got.get('findings')}",
              file=sys.stderr)
    for got, variants in answers:
        results.append({**entry, "variants": variants, **got})

version = subprocess.run(["protoc", "--version"], capture_output=True, text=True).stdout.strip()
buf_version = subprocess.run([BUF, "--version"], capture_output=True, text=True).stdout.strip()
with open(OUT, "w") as f:
    # One run per line, so that a regeneration shows as a readable diff.
    head = json.dumps({"protoc": version, "buf": buf_version, "plugin_name": PLUGIN_NAME})
    f.write(head[:-1] + ', "cases": [\n')
    f.write(",\n".join(json.dumps(r, separators=(",", ":")) for r in results))
    f.write("\n]}\n")
shutil.rmtree(tmp)
print(f"wrote {os.path.relpath(OUT, REPO)}: {len(results)} runs", file=sys.stderr)
