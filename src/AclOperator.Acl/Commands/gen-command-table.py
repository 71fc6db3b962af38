#!/usr/bin/env python3
"""Generate src/AclOperator.Acl/Commands/redis-commands.json from Redis's command JSON files.

Usage:
    python3 src/AclOperator.Acl/Commands/gen-command-table.py <redis-dir> [--redis-version 7.4.1] [--commit 74b289a0] [-o OUT]

<redis-dir> may be the Redis checkout root (with src/commands/*.json), its src directory (with commands/*.json),
or the commands directory itself. The Redis version is read from src/version.h when it exists, otherwise it must
be given with --redis-version. The commit is taken from --commit (or left null).

The output is deterministic: one JSON object with a header, then one command per line, in command-table order
(top-level commands sorted by name, each followed by its subcommands sorted by name). Commands that only exist in
sentinel mode (flag ONLY_SENTINEL, and everything inside such a container) are skipped, as a standalone server
skips them in populateCommandStructure. reply_schema and function are dropped; everything else used by COMMAND
INFO / COMMAND DOCS is kept verbatim (names are lowercased).

Only the Python standard library is used.
"""

import argparse
import hashlib
import json
import os
import re
import sys

FORMAT_VERSION = 1

# Output field order for each command. Values are copied verbatim from the source JSON (except the name).
DOC_FIELDS = (
    "summary",
    "since",
    "group",
    "complexity",
    "deprecated_since",
    "replaced_by",
    "doc_flags",
    "command_tips",
    "arguments",
    "history",
)

# Fields of the source JSON we know about; anything else is an error so new Redis fields are not silently lost.
KNOWN_FIELDS = {
    "container",
    "arity",
    "command_flags",
    "acl_categories",
    "key_specs",
    "get_keys_function",
    "function",
    "reply_schema",
    *DOC_FIELDS,
}

KEY_SPEC_FIELDS = ("notes", "flags", "begin_search", "find_keys")


def find_commands_dir(root):
    for candidate in (os.path.join(root, "src", "commands"), os.path.join(root, "commands"), root):
        if os.path.isdir(candidate) and any(n.endswith(".json") for n in os.listdir(candidate)):
            return candidate
    raise SystemExit(f"error: no command JSON files under {root!r} (tried src/commands, commands, and the dir itself)")


def find_version(commands_dir):
    src_dir = os.path.dirname(os.path.abspath(commands_dir))
    version_h = os.path.join(src_dir, "version.h")
    if os.path.isfile(version_h):
        with open(version_h, encoding="utf-8") as f:
            m = re.search(r'#define\s+REDIS_VERSION\s+"([^"]+)"', f.read())
            if m:
                return m.group(1)
    return None


def load_sources(commands_dir):
    """Returns ({file name: parsed json}, sha256 of all inputs in file-name order)."""
    digest = hashlib.sha256()
    sources = {}
    for fname in sorted(n for n in os.listdir(commands_dir) if n.endswith(".json")):
        with open(os.path.join(commands_dir, fname), "rb") as f:
            raw = f.read()
        digest.update(fname.encode("utf-8") + b"\0" + raw + b"\0")
        sources[fname] = json.loads(raw.decode("utf-8"))
    return sources, digest.hexdigest()


def build_entry(name, container, src, fname):
    unknown = set(src) - KNOWN_FIELDS
    if unknown:
        raise SystemExit(f"error: {fname}: unknown fields {sorted(unknown)}")
    if "arity" not in src:
        raise SystemExit(f"error: {fname}: no arity")
    entry = {
        "name": name,
        "container": container,
        "arity": src["arity"],
        "command_flags": list(src.get("command_flags", [])),
        "acl_categories": list(src.get("acl_categories", [])),
        "key_specs": [
            {k: spec[k] for k in KEY_SPEC_FIELDS if k in spec} for spec in src.get("key_specs", [])
        ],
        "get_keys_function": src.get("get_keys_function"),
    }
    for spec in src.get("key_specs", []):
        extra = set(spec) - set(KEY_SPEC_FIELDS)
        if extra:
            raise SystemExit(f"error: {fname}: unknown key-spec fields {sorted(extra)}")
    for field in DOC_FIELDS:
        entry[field] = src.get(field)
    return entry


def generate(commands_dir, version, commit):
    sources, sha = load_sources(commands_dir)

    top = {}  # name -> (entry, flags)
    subs = {}  # container name -> {name: (entry, flags)}
    for fname, doc in sources.items():
        if len(doc) != 1:
            raise SystemExit(f"error: {fname}: expected exactly one command")
        ((declared, src),) = doc.items()
        name = declared.lower()
        container = src.get("container")
        container = container.lower() if container is not None else None
        entry = build_entry(name, container, src, fname)
        bucket = top if container is None else subs.setdefault(container, {})
        if name in bucket:
            raise SystemExit(f"error: {fname}: duplicate command {container or ''}|{name}")
        bucket[name] = (entry, set(entry["command_flags"]))

    # A standalone (non-sentinel) server drops ONLY_SENTINEL commands and, with them, their subcommands;
    # it also drops ONLY_SENTINEL subcommands of a kept container.
    ordered = []
    skipped = []
    for name in sorted(top):
        entry, flags = top[name]
        if "ONLY_SENTINEL" in flags:
            skipped.append(name)
            skipped.extend(f"{name}|{s}" for s in sorted(subs.get(name, {})))
            continue
        ordered.append(entry)
        for sub_name in sorted(subs.get(name, {})):
            sub_entry, sub_flags = subs[name][sub_name]
            if "ONLY_SENTINEL" in sub_flags:
                skipped.append(f"{name}|{sub_name}")
                continue
            ordered.append(sub_entry)

    orphans = sorted(set(subs) - set(top))
    if orphans:
        raise SystemExit(f"error: subcommands of unknown containers: {orphans}")

    top_count = sum(1 for e in ordered if e["container"] is None)
    header = {
        "format": FORMAT_VERSION,
        "redis_version": version,
        "redis_commit": commit,
        "generator": "src/AclOperator.Acl/Commands/gen-command-table.py",
        "source_sha256": sha,
        "top_level_count": top_count,
        "count": len(ordered),
        "skipped_sentinel_only": skipped,
    }

    def dump(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = ["{"]
    for key, value in header.items():
        lines.append(f"{dump(key)}:{dump(value)},")
    lines.append('"commands":[')
    for i, entry in enumerate(ordered):
        lines.append(dump(entry) + ("," if i + 1 < len(ordered) else ""))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("redis_dir", help="Redis root, its src dir, or its src/commands dir")
    parser.add_argument("--redis-version", help="Redis version (default: from src/version.h)")
    parser.add_argument("--commit", help="Redis git commit the sources come from")
    parser.add_argument("-o", "--output", help="output file (default: stdout)")
    args = parser.parse_args()

    commands_dir = find_commands_dir(args.redis_dir)
    version = args.redis_version or find_version(commands_dir)
    if version is None:
        raise SystemExit("error: no src/version.h next to the commands; pass --redis-version")

    text = generate(commands_dir, version, args.commit)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.reconfigure(encoding="utf-8", newline="\n")
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
