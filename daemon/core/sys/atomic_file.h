// nxt_sys durable files: the one place that makes writes survive a crash
// (DESIGN.md "State on disk"). A reader sees either the old or the new
// content, never a mix: write a temp file in the same directory, fsync it,
// rename it over the target, fsync the directory. Errors name the path and the
// syscall ("rename /x/y.tmp.ab12cd -> /x/y: No space left on device").
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nxt::sys {

// Replaces `path` with `data`, mode `mode` exactly (umask does not apply).
// The temp file is "<path>.tmp.XXXXXX" and is removed on failure.
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);
Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> data, mode_t mode = 0644);

// fsync(2) on a directory, so a rename or create inside it is durable.
Status FsyncDir(const std::string& dir);

// rename(2) then fsync of the destination's directory (and the source's, if
// different): e.g. staging/<sha>.part -> store/<sha>.so once it is verified.
Status RenameDurable(const std::string& from, const std::string& to);

// Points `linkpath` at `target` atomically: symlink to "<linkpath>.tmp.XXXXXX",
// rename over `linkpath`, fsync the directory. `target` is stored verbatim.
Status ReplaceSymlinkAtomic(const std::string& target, const std::string& linkpath);

// readlink(2) as a string.
Result<std::string> ReadSymlink(const std::string& linkpath);

// Whole file, refused (Errc::kCorrupt) if larger than max_bytes.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes);

// mkdir -p: creates missing components with `mode` (umask applies, as for
// mkdir(1)); fine if `path` is already a directory, an error if it is anything
// else. New directories are made durable by fsyncing their parent.
Status EnsureDir(const std::string& path, mode_t mode = 0755);

// The directory part of a path: "/a/b" -> "/a", "b" -> ".", "/b" -> "/".
std::string DirName(const std::string& path);

}  // namespace nxt::sys
