// ImageEdits: the everyday edits of re-uploaded images, made in memory with
// OpenCV, for the match-quality evaluation (bench/match_quality.cc):
// uniform borders of several colours and widths (asymmetric, with a thin
// line inside a bar), letterbox and pillarbox bars, a 3% crop, a caption
// bar, JPEG recompression, a resize, a mirror and a rotation. Each edit
// returns the encoded file (JPEG) an uploader would post.
//
//   for (const ImageEdit& edit : StandardImageEdits()) {
//     std::vector<uint8_t> jpeg = edit.apply(original);
//   }
#ifndef CLEARMATCH_BENCH_IMAGE_EDITS_H_
#define CLEARMATCH_BENCH_IMAGE_EDITS_H_

#include <cstdint>
#include <functional>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace clearmatch::bench {

struct ImageEdit {
  std::string name;         // e.g. "border_white_8pct"
  std::string description;  // one line for the report
  // The edited image (BGR, 8 bits) encoded as JPEG.
  std::function<std::vector<uint8_t>(const cv::Mat&)> apply;
};

// JPEG of `image` at `quality` (0..100).
std::vector<uint8_t> EncodeJpeg(const cv::Mat& image, int quality);

// The edits of the evaluation, "none" (the original re-encoded) first.
std::vector<ImageEdit> StandardImageEdits();

}  // namespace clearmatch::bench

#endif  // CLEARMATCH_BENCH_IMAGE_EDITS_H_
