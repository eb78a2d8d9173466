// The image edits of the match-quality evaluation (see image_edits.h).
#include "bench/image_edits.h"

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <utility>

namespace clearmatch::bench {
namespace {

// Uploads are re-encoded by the platforms they are posted to.
constexpr int kUploadQuality = 90;

int PercentOf(int pixels, double percent) {
  return std::max(1, static_cast<int>(pixels * percent / 100.0 + 0.5));
}

int ShortSide(const cv::Mat& image) { return std::min(image.cols, image.rows); }

cv::Mat Pad(const cv::Mat& image, int top, int bottom, int left, int right,
            const cv::Scalar& colour) {
  cv::Mat out;
  cv::copyMakeBorder(image, out, top, bottom, left, right, cv::BORDER_CONSTANT,
                     colour);
  return out;
}

// A uniform border of `percent` of the short side on every side.
ImageEdit Border(std::string name, std::string description, double percent,
                 cv::Scalar colour) {
  return {std::move(name), std::move(description),
          [percent, colour](const cv::Mat& image) {
            const int w = PercentOf(ShortSide(image), percent);
            return EncodeJpeg(Pad(image, w, w, w, w, colour), kUploadQuality);
          }};
}

// A black frame of 10% of the short side with a 2-pixel white line drawn
// in the middle of it (a frame of two bands and a thin line).
std::vector<uint8_t> FramedWithLine(const cv::Mat& image) {
  const int w = PercentOf(ShortSide(image), 10);
  cv::Mat out = Pad(image, w, w, w, w, cv::Scalar(0, 0, 0));
  const int inset = w / 2;
  cv::rectangle(out, cv::Point(inset, inset),
                cv::Point(out.cols - 1 - inset, out.rows - 1 - inset),
                cv::Scalar(255, 255, 255), 2);
  return EncodeJpeg(out, kUploadQuality);
}

// A white bar above the image, 15% of its height, with black text.
std::vector<uint8_t> Captioned(const cv::Mat& image) {
  const int bar = PercentOf(image.rows, 15);
  cv::Mat out = Pad(image, bar, 0, 0, 0, cv::Scalar(255, 255, 255));
  const double scale = bar / 40.0;
  cv::putText(out, "when you see it... #repost",
              cv::Point(bar / 4, bar * 2 / 3), cv::FONT_HERSHEY_SIMPLEX, scale,
              cv::Scalar(0, 0, 0), std::max(1, bar / 20), cv::LINE_AA);
  return EncodeJpeg(out, kUploadQuality);
}

std::vector<uint8_t> Cropped(const cv::Mat& image, double percent) {
  const int dx = PercentOf(image.cols, percent);
  const int dy = PercentOf(image.rows, percent);
  const cv::Rect keep(dx, dy, image.cols - 2 * dx, image.rows - 2 * dy);
  return EncodeJpeg(image(keep).clone(), kUploadQuality);
}

std::vector<uint8_t> Resized(const cv::Mat& image, double factor) {
  cv::Mat out;
  cv::resize(image, out, cv::Size(), factor, factor, cv::INTER_AREA);
  return EncodeJpeg(out, kUploadQuality);
}

std::vector<uint8_t> Flipped(const cv::Mat& image) {
  cv::Mat out;
  cv::flip(image, out, 1);
  return EncodeJpeg(out, kUploadQuality);
}

std::vector<uint8_t> Rotated90(const cv::Mat& image) {
  cv::Mat out;
  cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE);
  return EncodeJpeg(out, kUploadQuality);
}

std::vector<uint8_t> FlippedInBorder(const cv::Mat& image) {
  cv::Mat flipped;
  cv::flip(image, flipped, 1);
  const int w = PercentOf(ShortSide(image), 6);
  return EncodeJpeg(Pad(flipped, w, w, w, w, cv::Scalar(255, 255, 255)),
                    kUploadQuality);
}

}  // namespace

std::vector<uint8_t> EncodeJpeg(const cv::Mat& image, int quality) {
  std::vector<uint8_t> out;
  cv::imencode(".jpg", image, out, {cv::IMWRITE_JPEG_QUALITY, quality});
  return out;
}

std::vector<ImageEdit> StandardImageEdits() {
  std::vector<ImageEdit> edits;
  edits.push_back({"none", "the original, re-encoded (JPEG q90)",
                   [](const cv::Mat& m) { return EncodeJpeg(m, 90); }});
  edits.push_back(Border("border_white_8pct",
                         "white border, 8% of the short side, every side", 8,
                         cv::Scalar(255, 255, 255)));
  edits.push_back(Border("border_black_4pct",
                         "black border, 4% of the short side, every side", 4,
                         cv::Scalar(0, 0, 0)));
  edits.push_back(Border("border_colour_15pct",
                         "blue-grey border (RGB 40,70,110), 15% every side", 15,
                         cv::Scalar(110, 70, 40)));
  edits.push_back({"border_asymmetric",
                   "red border: left 2%, right 12%, top 6%, bottom none",
                   [](const cv::Mat& m) {
                     const int s = ShortSide(m);
                     return EncodeJpeg(
                         Pad(m, PercentOf(s, 6), 0, PercentOf(s, 2),
                             PercentOf(s, 12), cv::Scalar(30, 40, 200)),
                         kUploadQuality);
                   }});
  edits.push_back({"border_with_line",
                   "black frame 10% with a thin white line inside it",
                   FramedWithLine});
  edits.push_back(
      {"letterbox", "black bars above and below, 1/6 of the height each",
       [](const cv::Mat& m) {
         const int bar = PercentOf(m.rows, 100.0 / 6);
         return EncodeJpeg(Pad(m, bar, bar, 0, 0, cv::Scalar(0, 0, 0)),
                           kUploadQuality);
       }});
  edits.push_back(
      {"pillarbox", "dark grey bars left and right, 1/8 of the width each",
       [](const cv::Mat& m) {
         const int bar = PercentOf(m.cols, 12.5);
         return EncodeJpeg(Pad(m, 0, 0, bar, bar, cv::Scalar(30, 30, 30)),
                           kUploadQuality);
       }});
  edits.push_back({"crop_3pct", "3% cropped off every side",
                   [](const cv::Mat& m) { return Cropped(m, 3); }});
  edits.push_back(
      {"caption_bar", "white caption bar with text above (15%)", Captioned});
  edits.push_back({"jpeg_q30", "recompressed as JPEG quality 30",
                   [](const cv::Mat& m) { return EncodeJpeg(m, 30); }});
  edits.push_back({"resize_50pct", "scaled to half size",
                   [](const cv::Mat& m) { return Resized(m, 0.5); }});
  edits.push_back({"mirror", "mirrored left to right", Flipped});
  edits.push_back({"rotate_90", "rotated 90 degrees clockwise", Rotated90});
  edits.push_back(
      {"mirror_in_border", "mirrored, in a white 6% border", FlippedInBorder});
  return edits;
}

}  // namespace clearmatch::bench
