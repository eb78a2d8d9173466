#include "fingerprint/media_fingerprinter.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/image_decoder.h"

namespace clearmatch {

absl::StatusOr<std::unique_ptr<MediaFingerprinter>> MediaFingerprinter::Create(
    const Options& options) {
  CM_RETURN_IF_ERROR(VideoFrameSampler::ValidateOptions(options.video));
  return std::unique_ptr<MediaFingerprinter>(new MediaFingerprinter(options));
}

MediaFingerprinter::MediaFingerprinter(const Options& options)
    : options_(options) {}

absl::StatusOr<const VideoFrameSampler*> MediaFingerprinter::Sampler() {
  if (sampler_ == nullptr) {
    VideoFrameSampler::Options video = options_.video;
    video.dihedral = options_.dihedral;
    video.trim = options_.trim;
    CM_ASSIGN_OR_RETURN(sampler_, VideoFrameSampler::Create(video));
  }
  return sampler_.get();
}

int64_t MediaFingerprinter::max_input_bytes() const {
  return std::max(options_.image_limits.max_bytes,
                  options_.video.limits.max_bytes);
}

absl::StatusOr<MediaFingerprint> MediaFingerprinter::Fingerprint(
    absl::Span<const uint8_t> bytes) {
  if (static_cast<int64_t>(bytes.size()) > max_input_bytes()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("media is ", bytes.size(), " bytes, over the limit of ",
                     max_input_bytes()));
  }
  MediaFingerprint fingerprint;
  fingerprint.format = SniffMediaFormat(bytes);
  if (IsAllowedImage(fingerprint.format)) {
    CM_RETURN_IF_ERROR(FingerprintImage(bytes, &fingerprint));
  } else if (IsAllowedVideo(fingerprint.format)) {
    CM_ASSIGN_OR_RETURN(const VideoFrameSampler* sampler, Sampler());
    CM_ASSIGN_OR_RETURN(fingerprint.vpdq, sampler->Hash(bytes));
    fingerprint.width = fingerprint.vpdq->width;
    fingerprint.height = fingerprint.vpdq->height;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(MediaFormatName(fingerprint.format)),
        " is not an allowed media format (allowed: jpeg, png, webp, gif, mp4, "
        "matroska/webm)"));
  }
  CM_ASSIGN_OR_RETURN(fingerprint.digests, ComputeFileDigests(bytes));
  return fingerprint;
}

absl::Status MediaFingerprinter::FingerprintImage(
    absl::Span<const uint8_t> bytes, MediaFingerprint* fingerprint) {
  // JPEGs decode at a reduced size where that still leaves 512 pixels on the
  // longer side: the reference samples every large image to 512x512 anyway.
  CM_ASSIGN_OR_RETURN(
      DecodedImage image,
      DecodeImage(bytes, options_.image_limits, PdqHasher::kMaxHashedSide));
  fingerprint->width = image.source_width();
  fingerprint->height = image.source_height();
  fingerprint->pdq = HashImage(image.view());
  if (options_.trim) TrimImage(image.view(), fingerprint);
  return absl::OkStatus();
}

PdqDihedralResult MediaFingerprinter::HashImage(const PixelView& image) {
  if (options_.dihedral) return hasher_.HashDihedral(image);
  const PdqResult result = hasher_.Hash(image);
  PdqDihedralResult pdq;
  pdq.hashes[0] = result.hash;
  pdq.quality = result.quality;
  return pdq;
}

namespace {

// `rect` of the decoded `image` in the pixels of the file (`width` x
// `height`): the decoded image may be smaller (reduced JPEG decode).
ContentRect InFilePixels(const ContentRect& rect, const PixelView& image,
                         int width, int height) {
  auto scale = [](int v, int to, int from) {
    return static_cast<int>(static_cast<int64_t>(v) * to / from);
  };
  ContentRect in_file;
  in_file.x = scale(rect.x, width, image.width);
  in_file.y = scale(rect.y, height, image.height);
  in_file.width = scale(rect.x + rect.width, width, image.width) - in_file.x;
  in_file.height =
      scale(rect.y + rect.height, height, image.height) - in_file.y;
  return in_file;
}

}  // namespace

void MediaFingerprinter::TrimImage(const PixelView& image,
                                   MediaFingerprint* fingerprint) {
  const std::optional<ContentRects> rects =
      FindContentRects(image, options_.border);
  if (!rects) return;
  const int w = fingerprint->width, h = fingerprint->height;
  fingerprint->trimmed_pdq = HashImage(CropView(image, rects->content));
  fingerprint->content_rect = InFilePixels(rects->content, image, w, h);
  if (rects->alternative) {
    fingerprint->alternative_pdq =
        HashImage(CropView(image, *rects->alternative));
    fingerprint->alternative_rect =
        InFilePixels(*rects->alternative, image, w, h);
  }
}

}  // namespace clearmatch
