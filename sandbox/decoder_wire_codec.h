// The decoder protocol's messages (decoder_wire.proto) to and from
// MediaFingerprinter's types. A request is two frames: the DecodeRequest
// (options, no media) then the media's bytes as they are; the answer is one
// DecodeResult frame.
#ifndef CLEARMATCH_SANDBOX_DECODER_WIRE_CODEC_H_
#define CLEARMATCH_SANDBOX_DECODER_WIRE_CODEC_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fingerprint/media_fingerprinter.h"
#include "sandbox/decoder_wire.pb.h"

namespace clearmatch::sandbox {

// Longest DecodeRequest frame (options only) either side accepts.
inline constexpr uint32_t kMaxRequestFrameBytes = 64 << 10;
// Longest DecodeResult frame: 432,000 vPDQ frames at ~50 bytes, with 15
// variants of 33 bytes each (dihedral and trimmed), fit.
inline constexpr uint32_t kMaxResultFrameBytes = 256 << 20;

// `options` with the video wall time cut to `wall_time` and `cpu_seconds`.
DecodeRequest RequestToWire(const MediaFingerprinter::Options& options,
                            absl::Duration wall_time, uint32_t cpu_seconds);
MediaFingerprinter::Options OptionsFromWire(const DecodeRequest& request);

// The fingerprinter's answer, error or fingerprint.
DecodeResult ResultToWire(const absl::StatusOr<MediaFingerprint>& result);
// The answer `result` carries, or DATA_LOSS naming what is malformed (a
// protocol error: the decoder is not to be trusted after it).
absl::StatusOr<absl::StatusOr<MediaFingerprint>> ResultFromWire(
    const DecodeResult& result);

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_DECODER_WIRE_CODEC_H_
