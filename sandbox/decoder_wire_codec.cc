#include "sandbox/decoder_wire_codec.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace clearmatch::sandbox {
namespace {

absl::StatusOr<PdqHash> HashFromWire(const std::string& bytes) {
  if (bytes.size() != PdqHash::kBytes) {
    return absl::DataLossError(absl::StrCat("a PDQ hash of ", bytes.size(),
                                            " bytes, not ", PdqHash::kBytes));
  }
  std::array<uint8_t, PdqHash::kBytes> raw;
  std::memcpy(raw.data(), bytes.data(), raw.size());
  return PdqHash(raw);
}

std::string HashToWire(const PdqHash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()),
                     PdqHash::kBytes);
}

VpdqVariantWire VariantToWire(const VpdqFrameVariant& variant) {
  VpdqVariantWire wire;
  wire.set_transform(static_cast<int>(variant.transform));
  wire.set_trimmed(variant.trimmed);
  std::string hashes, qualities;
  hashes.reserve(variant.features.size() * PdqHash::kBytes);
  qualities.reserve(variant.features.size());
  for (const VpdqFeature& f : variant.features) {
    hashes += HashToWire(f.hash);
    qualities.push_back(static_cast<char>(f.quality));
  }
  wire.set_hashes(std::move(hashes));
  wire.set_qualities(std::move(qualities));
  return wire;
}

// The variant's frames take their numbers and times from `features`.
absl::StatusOr<VpdqFrameVariant> VariantFromWire(
    const VpdqVariantWire& wire, const std::vector<VpdqFeature>& features) {
  if (wire.transform() < 0 || wire.transform() >= kDihedralCount) {
    return absl::DataLossError(
        absl::StrCat("a frame variant of transform ", wire.transform()));
  }
  const size_t n = features.size();
  if (wire.hashes().size() != n * PdqHash::kBytes ||
      wire.qualities().size() != n) {
    return absl::DataLossError(absl::StrCat(
        "a frame variant of ", wire.hashes().size(), " hash bytes and ",
        wire.qualities().size(), " qualities for ", n, " frames"));
  }
  VpdqFrameVariant variant;
  variant.transform = static_cast<DihedralTransform>(wire.transform());
  variant.trimmed = wire.trimmed();
  variant.features = features;
  for (size_t i = 0; i < n; ++i) {
    const int quality = static_cast<uint8_t>(wire.qualities()[i]);
    if (quality > 100) {
      return absl::DataLossError(
          absl::StrCat("a frame variant's quality ", quality));
    }
    CM_ASSIGN_OR_RETURN(variant.features[i].hash,
                        HashFromWire(wire.hashes().substr(i * PdqHash::kBytes,
                                                          PdqHash::kBytes)));
    variant.features[i].quality = quality;
  }
  return variant;
}

VpdqWire VpdqToWire(const VpdqVideoHash& video) {
  VpdqWire wire;
  for (const VpdqFeature& f : video.features) {
    VpdqFeatureWire* w = wire.add_features();
    w->set_frame_number(f.frame_number);
    w->set_quality(f.quality);
    w->set_hash(HashToWire(f.hash));
    w->set_seconds(f.seconds);
  }
  wire.set_fps(video.fps);
  wire.set_decoded_frames(video.decoded_frames);
  wire.set_width(video.width);
  wire.set_height(video.height);
  wire.set_container(video.container);
  wire.set_codec(video.codec);
  wire.set_skipped_unsampled_frames(video.skipped_unsampled_frames);
  for (const VpdqFrameVariant& variant : video.variants) {
    *wire.add_variants() = VariantToWire(variant);
  }
  wire.set_trimmed_frames(video.trimmed_frames);
  return wire;
}

absl::StatusOr<VpdqVideoHash> VpdqFromWire(const VpdqWire& wire) {
  VpdqVideoHash video;
  video.features.reserve(wire.features_size());
  for (const VpdqFeatureWire& w : wire.features()) {
    VpdqFeature& f = video.features.emplace_back();
    f.frame_number = w.frame_number();
    f.quality = w.quality();
    CM_ASSIGN_OR_RETURN(f.hash, HashFromWire(w.hash()));
    f.seconds = w.seconds();
  }
  video.fps = wire.fps();
  video.decoded_frames = wire.decoded_frames();
  video.width = wire.width();
  video.height = wire.height();
  video.container = wire.container();
  video.codec = wire.codec();
  video.skipped_unsampled_frames = wire.skipped_unsampled_frames();
  video.variants.reserve(wire.variants_size());
  for (const VpdqVariantWire& w : wire.variants()) {
    CM_ASSIGN_OR_RETURN(video.variants.emplace_back(),
                        VariantFromWire(w, video.features));
  }
  video.trimmed_frames = wire.trimmed_frames();
  return video;
}

PdqWire PdqToWire(const PdqDihedralResult& pdq) {
  PdqWire wire;
  for (const PdqHash& hash : pdq.hashes) wire.add_hashes(HashToWire(hash));
  wire.set_quality(pdq.quality);
  return wire;
}

absl::StatusOr<PdqDihedralResult> PdqFromWire(const PdqWire& wire) {
  if (wire.hashes_size() != kDihedralCount) {
    return absl::DataLossError(
        absl::StrCat("a PDQ result with ", wire.hashes_size(), " hashes"));
  }
  PdqDihedralResult pdq;
  for (int i = 0; i < kDihedralCount; ++i) {
    CM_ASSIGN_OR_RETURN(pdq.hashes[i], HashFromWire(wire.hashes(i)));
  }
  pdq.quality = wire.quality();
  return pdq;
}

ContentRect RectFromWire(const ContentRectWire& rect) {
  return ContentRect{rect.x(), rect.y(), rect.width(), rect.height()};
}

void RectToWire(const ContentRect& rect, ContentRectWire* wire) {
  wire->set_x(rect.x);
  wire->set_y(rect.y);
  wire->set_width(rect.width);
  wire->set_height(rect.height);
}

absl::StatusOr<MediaFingerprint> FingerprintFromWire(
    const DecodeResult& result) {
  MediaFingerprint fp;
  if (result.format() < 0 ||
      result.format() > static_cast<int>(MediaFormat::kOtherRefused)) {
    return absl::DataLossError(
        absl::StrCat("unknown media format ", result.format()));
  }
  fp.format = static_cast<MediaFormat>(result.format());
  fp.digests = {result.md5(), result.sha1(), result.sha256()};
  fp.width = result.width();
  fp.height = result.height();
  if (result.has_pdq()) {
    CM_ASSIGN_OR_RETURN(fp.pdq, PdqFromWire(result.pdq()));
  }
  if (result.has_trimmed_pdq()) {
    CM_ASSIGN_OR_RETURN(fp.trimmed_pdq, PdqFromWire(result.trimmed_pdq()));
  }
  if (result.has_content_rect()) {
    fp.content_rect = RectFromWire(result.content_rect());
  }
  if (result.has_alternative_pdq() || result.has_alternative_rect()) {
    if (!result.has_alternative_pdq() || !result.has_alternative_rect() ||
        !fp.trimmed_pdq || !fp.content_rect) {
      return absl::DataLossError(
          "alternative trimmed content without its hash, its rectangle or "
          "the trimmed content");
    }
    CM_ASSIGN_OR_RETURN(fp.alternative_pdq,
                        PdqFromWire(result.alternative_pdq()));
    fp.alternative_rect = RectFromWire(result.alternative_rect());
  }
  if (result.has_vpdq()) {
    CM_ASSIGN_OR_RETURN(fp.vpdq, VpdqFromWire(result.vpdq()));
  }
  return fp;
}

}  // namespace

DecodeRequest RequestToWire(const MediaFingerprinter::Options& options,
                            absl::Duration wall_time, uint32_t cpu_seconds) {
  DecodeRequest r;
  r.set_image_max_bytes(options.image_limits.max_bytes);
  r.set_image_max_pixels(options.image_limits.max_pixels);
  r.set_image_max_side(options.image_limits.max_side);
  r.set_image_max_jpeg_scans(options.image_limits.max_jpeg_scans);
  r.set_image_max_decoded_bytes(options.image_limits.max_decoded_bytes);
  r.set_image_max_gif_frames(options.image_limits.max_gif_frames);
  r.set_dihedral(options.dihedral);
  r.set_trim(options.trim);
  const VideoDecodeLimits& v = options.video.limits;
  r.set_video_max_bytes(v.max_bytes);
  r.set_video_max_width(v.max_width);
  r.set_video_max_height(v.max_height);
  r.set_video_max_pixels(v.max_pixels);
  r.set_video_max_duration_seconds(v.max_duration_seconds);
  r.set_video_max_decoded_frames(v.max_decoded_frames);
  r.set_video_max_streams(v.max_streams);
  r.set_video_max_wall_time_ms(absl::ToInt64Milliseconds(
      std::max(absl::ZeroDuration(), std::min(v.max_wall_time, wall_time))));
  r.set_seconds_per_hash(options.video.seconds_per_hash);
  r.set_keyframes_only(options.video.keyframes_only);
  r.set_skip_unsampled_frames(options.video.skip_unsampled_frames);
  r.set_frame_conversion(static_cast<int>(options.video.conversion));
  r.set_cpu_seconds(cpu_seconds);
  return r;
}

MediaFingerprinter::Options OptionsFromWire(const DecodeRequest& r) {
  MediaFingerprinter::Options options;
  options.image_limits.max_bytes = r.image_max_bytes();
  options.image_limits.max_pixels = r.image_max_pixels();
  options.image_limits.max_side = r.image_max_side();
  options.image_limits.max_jpeg_scans = r.image_max_jpeg_scans();
  options.image_limits.max_decoded_bytes = r.image_max_decoded_bytes();
  options.image_limits.max_gif_frames = r.image_max_gif_frames();
  options.dihedral = r.dihedral();
  options.trim = r.trim();
  VideoDecodeLimits& v = options.video.limits;
  v.max_bytes = r.video_max_bytes();
  v.max_width = r.video_max_width();
  v.max_height = r.video_max_height();
  v.max_pixels = r.video_max_pixels();
  v.max_duration_seconds = r.video_max_duration_seconds();
  v.max_decoded_frames = r.video_max_decoded_frames();
  v.max_streams = r.video_max_streams();
  v.max_wall_time = absl::Milliseconds(r.video_max_wall_time_ms());
  options.video.seconds_per_hash = r.seconds_per_hash();
  options.video.keyframes_only = r.keyframes_only();
  options.video.skip_unsampled_frames = r.skip_unsampled_frames();
  options.video.conversion =
      r.frame_conversion() ==
              static_cast<int>(VideoFrameSampler::FrameConversion::kLumaPlane)
          ? VideoFrameSampler::FrameConversion::kLumaPlane
          : VideoFrameSampler::FrameConversion::kRgb24Area;
  // The decoder is single-threaded (its seccomp filter refuses clone).
  options.video.decoder_threads = 1;
  return options;
}

DecodeResult ResultToWire(const absl::StatusOr<MediaFingerprint>& result) {
  DecodeResult wire;
  if (!result.ok()) {
    wire.set_code(static_cast<int>(result.status().code()));
    wire.set_message(std::string(result.status().message()));
    return wire;
  }
  const MediaFingerprint& fp = *result;
  wire.set_format(static_cast<int>(fp.format));
  wire.set_md5(fp.digests.md5);
  wire.set_sha1(fp.digests.sha1);
  wire.set_sha256(fp.digests.sha256);
  wire.set_width(fp.width);
  wire.set_height(fp.height);
  if (fp.pdq) *wire.mutable_pdq() = PdqToWire(*fp.pdq);
  if (fp.trimmed_pdq) *wire.mutable_trimmed_pdq() = PdqToWire(*fp.trimmed_pdq);
  if (fp.content_rect) {
    RectToWire(*fp.content_rect, wire.mutable_content_rect());
  }
  if (fp.alternative_pdq) {
    *wire.mutable_alternative_pdq() = PdqToWire(*fp.alternative_pdq);
  }
  if (fp.alternative_rect) {
    RectToWire(*fp.alternative_rect, wire.mutable_alternative_rect());
  }
  if (fp.vpdq) *wire.mutable_vpdq() = VpdqToWire(*fp.vpdq);
  return wire;
}

absl::StatusOr<absl::StatusOr<MediaFingerprint>> ResultFromWire(
    const DecodeResult& result) {
  if (result.code() == 0) {
    CM_ASSIGN_OR_RETURN(MediaFingerprint fp, FingerprintFromWire(result));
    return absl::StatusOr<MediaFingerprint>(std::move(fp));
  }
  if (result.code() < 0 || result.code() > 16) {
    return absl::DataLossError(
        absl::StrCat("unknown status code ", result.code()));
  }
  return absl::StatusOr<MediaFingerprint>(absl::Status(
      static_cast<absl::StatusCode>(result.code()), result.message()));
}

}  // namespace clearmatch::sandbox
