// Structural bounds on a parsed Datagram (internal to nxt_wire; see codec.h
// for the limits). Checked after parsing so later code can index and
// allocate by field sizes without re-checking them.
#pragma once

#include <cstddef>

#include "base/result.h"
#include "nxt/wire.pb.h"

namespace nxt::wire {

// Ok, or Errc::kCorrupt naming the offending field ("ack.seen is 65 bytes (max 64)").
Status CheckBounds(const Datagram& d, size_t max_size);

}  // namespace nxt::wire
