// libFuzzer target for the control socket's input: the incremental frame
// decoder and the Request parser behind it (bytes from any local process
// that may connect). Never crashes; a failed decoder stays failed.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "control/framing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  nxt::control::FrameDecoder decoder(64 * 1024);
  // Feed in two pieces so frame boundaries fall anywhere.
  size_t half = size / 2;
  decoder.Feed(std::string_view(reinterpret_cast<const char*>(data), half));
  decoder.Feed(std::string_view(reinterpret_cast<const char*>(data) + half, size - half));
  for (int i = 0; i < 64; ++i) {
    auto frame = decoder.Pop();
    if (!frame.ok() || !frame->has_value()) break;
    (void)nxt::control::ParseRequest(**frame);
    (void)nxt::control::ParseResponse(**frame);
  }
  return 0;
}
