"""Shared checks for the fault tests (tests/faults): what a host has installed
and loaded, judged from the outside.

A host is *intact* when the plug-in it reports (nxtctl status) is the file its
`current` link points at, that file's SHA-256 is the one reported, and the
kernel has that very file mapped into nxt-clientd (/proc/PID/maps) — so the
check covers what is on disk *and* what runs, not just what the daemon says.
"""

import hashlib
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from nxt_harness import plugin, sha256_file, sha_hex  # noqa: E402


def make_seeded_plugin(path, size, rng, base="2_0"):
    """An in-tree plug-in padded with bytes from `rng` to `size` bytes: a new,
    loadable build (same version as `base`) whose content a seed determines."""
    shutil.copyfile(plugin(base), path)
    pad = size - os.path.getsize(path)
    with open(path, "ab") as f:
        f.write(rng.randbytes(pad))
    return path, sha256_file(path)


def mapped_files(pid):
    """Paths of the files mapped into process `pid`."""
    paths = set()
    try:
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    paths.add(parts[5].strip())
    except FileNotFoundError:
        pass
    return paths


def host_problems(status, state_dir, pid, expect_sha=None):
    """What is wrong with a host's installed and loaded plug-in; [] if it is intact
    (and, with `expect_sha`, running exactly that build)."""
    problems = []
    running = status.get("running") or {}
    reported = sha_hex(running)
    path = status.get("runningPath", status.get("running_path", ""))
    if not reported or not path:
        return ["reports no running plug-in"]
    try:
        on_disk = sha256_file(path)
    except OSError as e:
        return ["cannot read the running file %s: %s" % (path, e)]
    if on_disk != reported:
        problems.append("runs %s whose SHA-256 is %s, not the reported %s" % (path, on_disk[:12], reported[:12]))
    if status.get("runningSource", status.get("running_source")) == "current":
        link = os.path.join(state_dir, "current")
        if os.path.realpath(link) != os.path.realpath(path):
            problems.append("current -> %s but %s is loaded" % (os.path.realpath(link), path))
    if pid is not None and os.path.realpath(path) not in {os.path.realpath(p) for p in mapped_files(pid)}:
        problems.append("%s is not mapped into nxt-clientd (pid %d)" % (path, pid))
    if expect_sha and reported != expect_sha:
        problems.append("runs %s, expected %s" % (reported[:12], expect_sha[:12]))
    return problems


def preload_env(library):
    """Environment that preloads `library` into a daemon, also in an ASan build
    (whose runtime otherwise insists on coming first in the library list)."""
    asan = os.environ.get("ASAN_OPTIONS", "")
    return {"LD_PRELOAD": library,
            "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}


def seeded_rng(*parts):
    return random.Random(hashlib.sha256(repr(parts).encode()).digest())


def read_unsynced_log(path):
    """{(dev, ino): (synced_size or None, [(offset, length) written since])} from libnxt_unsynced.so's log."""
    files = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return files
    for line in lines:
        parts = line.split()
        if len(parts) < 4:
            continue  # a line cut short by the kill
        kind, key = parts[0], (int(parts[1]), int(parts[2]))
        synced, ranges = files.get(key, (None, []))
        if kind == "s":
            files[key] = (int(parts[3]), [])
        elif kind == "w" and len(parts) == 5:
            files[key] = (synced, ranges + [(int(parts[3]), int(parts[4]))])
        elif kind == "t":
            # A truncation is metadata: lost too, until the next sync. Grown
            # or shrunk, the file is at least cut back to its synced size.
            files[key] = (synced, ranges + [(int(parts[3]), 0)])
    return files


def power_cut_copy(src, dst, log_path):
    """Copies state directory `src` to `dst` as a power cut at this instant
    would leave it (see unsynced.c): bytes written since a file's last sync
    read back as zeros, and a file is cut back to its size at that sync, or to
    nothing if it was never synced. Returns what was changed, for the log."""
    unsynced = read_unsynced_log(log_path)
    # The sockets and logs are not state; SQLite rebuilds its -shm index.
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns("*.sock", "*.log", "*-shm"))
    changed = []
    for root, _, names in os.walk(dst):  # links into src (current, previous) now point into dst
        for name in names:
            link = os.path.join(root, name)
            if os.path.islink(link) and os.readlink(link).startswith(src + "/"):
                target = dst + os.readlink(link)[len(src):]
                os.unlink(link)
                os.symlink(target, link)
    for root, _, names in os.walk(src):
        for name in names:
            path = os.path.join(root, name)
            st = os.lstat(path)
            entry = unsynced.get((st.st_dev, st.st_ino))
            copy = os.path.join(dst, os.path.relpath(path, src))
            if entry is None or not os.path.isfile(copy) or os.path.islink(copy):
                continue
            synced, ranges = entry
            if synced is None:
                os.truncate(copy, 0)
                changed.append("%s: never synced, now empty" % os.path.relpath(path, src))
                continue
            if not ranges:
                continue
            with open(copy, "r+b") as f:
                for off, length in ranges:
                    if length and off < synced:
                        f.seek(off)
                        f.write(b"\0" * min(length, synced - off))
                f.truncate(synced)
            changed.append("%s: %d unsynced writes zeroed, cut to %d bytes" % (
                os.path.relpath(path, src), len(ranges), synced))
    return changed
