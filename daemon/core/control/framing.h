// nxt_control framing: each message on a control socket is a 4-byte
// big-endian length followed by that many bytes of one serialized
// nxt.control.Request or Response. Pure code, no I/O, so the decoder can be
// fuzzed: any byte sequence yields frames, "need more bytes" or an error —
// never a crash and never an allocation the header alone asked for.
//
// Note: the generated protobuf classes share namespace nxt::control, and one
// of them is called Status, so code in this namespace spells the result type
// nxt::Status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "nxt/control.pb.h"

namespace nxt::control {

inline constexpr size_t kFrameHeaderBytes = 4;
// 16 MiB: far above any status or client list, small enough that a hostile
// length cannot make the daemon buffer much.
inline constexpr size_t kDefaultMaxFrameBytes = size_t{16} << 20;

// Appends header + payload to `out`; refuses payloads above the limit.
nxt::Status AppendFrame(std::string& out, std::string_view payload,
                        size_t max_frame_bytes = kDefaultMaxFrameBytes);

// Serializes `message` and frames it.
Result<std::string> EncodeFrame(const google::protobuf::MessageLite& message,
                                size_t max_frame_bytes = kDefaultMaxFrameBytes);

// Incremental decoder: Feed() whatever bytes arrived, then Pop() until it
// yields nothing. A frame whose header announces more than the limit is an
// error (Errc::kCorrupt) and the decoder stays failed: the stream cannot be
// resynchronised, so the connection must be closed.
class FrameDecoder {
 public:
  explicit FrameDecoder(size_t max_frame_bytes = kDefaultMaxFrameBytes)
      : max_frame_bytes_(max_frame_bytes) {}

  void Feed(std::string_view bytes);
  // The next complete payload, nullopt if more bytes are needed, or the error.
  Result<std::optional<std::string>> Pop();

  // Stream bytes used by the frames popped so far (headers included): the
  // popped frame ended at this offset.
  uint64_t consumed() const { return consumed_; }
  size_t buffered() const { return buf_.size() - pos_; }
  bool failed() const { return failed_; }
  size_t max_frame_bytes() const { return max_frame_bytes_; }

 private:
  size_t max_frame_bytes_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t consumed_ = 0;
  bool failed_ = false;
  uint32_t failed_length_ = 0;
};

// Payload -> message; Errc::kCorrupt if the bytes are not a valid message.
Result<Request> ParseRequest(std::string_view payload);
Result<Response> ParseResponse(std::string_view payload);

}  // namespace nxt::control
