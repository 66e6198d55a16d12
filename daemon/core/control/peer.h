// nxt_control peer credentials: who is on the other end of a control socket
// (SO_PEERCRED, captured by the kernel at connect time) and whether they may
// talk to the daemon. The socket file's mode 0660 + group nxt is the first
// gate; this check is the second, so a socket passed around or a wrong mode
// still cannot let an ordinary user push plug-ins.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace nxt::control {

struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

// SO_PEERCRED plus the supplementary groups (SO_PEERGROUPS, or
// /proc/<pid>/status on kernels without it).
Result<PeerCred> GetPeerCred(int fd);

// Ok lets the peer in; an error's message is sent to the peer as the
// RESULT_DENIED text, so it should say what is required.
using PeerPolicy = std::function<nxt::Status(const PeerCred&)>;

// The default: uid 0, the daemon's own uid, or membership (primary or
// supplementary) of `group`. The group is looked up at each check, so a group
// created after the daemon started (sysusers) works.
PeerPolicy RootSelfOrGroup(std::string group);

// The pure decision behind RootSelfOrGroup; `group_gid` is nullopt when the
// group does not exist. Denial text: "permission denied: uid N is not root or
// in group nxt".
nxt::Status CheckRootSelfOrGroup(const PeerCred& peer, uid_t self_uid,
                                 std::optional<gid_t> group_gid, std::string_view group);

// getgrnam_r: the group's id, Errc::kNotFound if there is no such group.
Result<gid_t> LookupGroup(const std::string& name);

}  // namespace nxt::control
