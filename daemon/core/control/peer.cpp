#include "control/peer.h"

#include <grp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

#include "sys/atomic_file.h"

namespace nxt::control {
namespace {

// The kernel's own view of the peer's groups, from connect time.
bool PeerGroupsFromSocket(int fd, std::vector<gid_t>& groups) {
  std::vector<gid_t> buf(64);
  for (int attempt = 0; attempt < 2; ++attempt) {
    socklen_t len = static_cast<socklen_t>(buf.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buf.data(), &len) == 0) {
      buf.resize(len / sizeof(gid_t));
      groups = std::move(buf);
      return true;
    }
    if (errno != ERANGE) return false;
    buf.resize(len / sizeof(gid_t) + 1);  // len now holds the size needed
  }
  return false;
}

// Fallback: "Groups:\t4 24 27 \n" from /proc/<pid>/status (racy: the pid may
// have exited, which then simply yields no supplementary groups).
std::vector<gid_t> PeerGroupsFromProc(pid_t pid) {
  std::vector<gid_t> groups;
  Result<std::string> status =
      sys::ReadFile("/proc/" + std::to_string(pid) + "/status", 64 * 1024);
  if (!status.ok()) return groups;
  std::istringstream in(*status);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Groups:", 0) != 0) continue;
    std::istringstream ids(line.substr(7));
    gid_t g;
    while (ids >> g) groups.push_back(g);
  }
  return groups;
}

}  // namespace

Result<PeerCred> GetPeerCred(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return ErrnoError("getsockopt SO_PEERCRED");
  PeerCred peer{cred.pid, cred.uid, cred.gid, {}};
  if (!PeerGroupsFromSocket(fd, peer.groups)) peer.groups = PeerGroupsFromProc(cred.pid);
  return peer;
}

Result<gid_t> LookupGroup(const std::string& name) {
  group grp{};
  group* found = nullptr;
  std::vector<char> buf(16 * 1024);
  for (;;) {
    int err = ::getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found);
    if (err == ERANGE && buf.size() < (size_t{1} << 20)) {
      buf.resize(buf.size() * 2);  // a group with very many members
      continue;
    }
    if (err != 0) return ErrnoError("getgrnam " + name, err);
    if (found == nullptr) return Error(Errc::kNotFound, "group '" + name + "' does not exist");
    return grp.gr_gid;
  }
}

nxt::Status CheckRootSelfOrGroup(const PeerCred& peer, uid_t self_uid,
                                 std::optional<gid_t> group_gid, std::string_view group) {
  if (peer.uid == 0 || peer.uid == self_uid) return Ok();
  if (group_gid && (peer.gid == *group_gid ||
                    std::find(peer.groups.begin(), peer.groups.end(), *group_gid) !=
                        peer.groups.end()))
    return Ok();
  return Error(Errc::kPermission, "permission denied: uid " + std::to_string(peer.uid) +
                                      " is not root or in group " + std::string(group));
}

PeerPolicy RootSelfOrGroup(std::string group) {
  return [group = std::move(group)](const PeerCred& peer) -> nxt::Status {
    std::optional<gid_t> gid;
    if (Result<gid_t> found = LookupGroup(group); found.ok()) gid = *found;
    return CheckRootSelfOrGroup(peer, ::geteuid(), gid, group);
  };
}

}  // namespace nxt::control
