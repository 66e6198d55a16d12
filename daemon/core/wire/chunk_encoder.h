// Hand-written encoder for Datagram{chunk} — the one message sent at line
// rate. Writes exactly the bytes libprotobuf's SerializeToString produces for
// the same message (fields in number order, zero/empty fields omitted), into
// a caller buffer, without allocating. See codec.h for the module's rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace nxt::wire {

// Most bytes a Chunk datagram adds around its data: version 2 + session 9 +
// seq 11 + body tag 2 + body length 3 + transfer 9 + index 11 + sent_us 11 +
// data tag 1 + data length 3 = 62. A sender fits chunks into a datagram with
// chunk_size = max_datagram - kChunkDatagramMaxOverhead (1200 -> 1138).
inline constexpr size_t kChunkDatagramMaxOverhead = 62;
// Largest data one Chunk datagram may carry here (a UDP datagram's limit);
// it keeps both length prefixes at 3 bytes, which the overhead above assumes.
inline constexpr size_t kMaxChunkData = 65535;

// Exact encoded size of such a datagram.
size_t ChunkDatagramSize(uint64_t session, uint64_t seq, uint64_t transfer, uint64_t index,
                         uint64_t sent_us, size_t data_size);

// Writes Datagram{version=CURRENT, session, seq, chunk{transfer, index,
// sent_us, data}} to out[0, cap). Returns the bytes written, or 0 when `cap`
// is too small, data is empty (DecodeDatagram would reject it) or longer
// than kMaxChunkData.
size_t EncodeChunkDatagram(uint8_t* out, size_t cap, uint64_t session, uint64_t seq,
                           uint64_t transfer, uint64_t index, uint64_t sent_us,
                           std::span<const uint8_t> data);

}  // namespace nxt::wire
