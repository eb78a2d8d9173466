// PNG decoding with libpng (see png_decoder.h).
#include "decoders/png_decoder.h"

#include <png.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "decoders/pixel_buffer.h"

namespace clearmatch::decoders_internal {
namespace {

// Everything one decode owns. It outlives Run, whose frame holds no object
// with a destructor, so libpng's longjmp on error skips nothing.
class PngDecode {
 public:
  PngDecode(absl::Span<const uint8_t> bytes, const ImageDecodeLimits& limits)
      : bytes_(bytes), limits_(limits) {
    png_ =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, this, OnError, OnWarning);
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
  }
  ~PngDecode() { png_destroy_read_struct(&png_, &info_, nullptr); }
  PngDecode(const PngDecode&) = delete;
  PngDecode& operator=(const PngDecode&) = delete;

  // false on a libpng error (message()) or a refused size (status()).
  bool Run();
  DecodedImage Finish();

  const std::string& message() const { return message_; }
  const absl::Status& status() const { return status_; }

 private:
  [[noreturn]] static void OnError(png_structp png, png_const_charp message) {
    static_cast<PngDecode*>(png_get_error_ptr(png))->message_ = message;
    png_longjmp(png, 1);
  }
  static void OnWarning(png_structp, png_const_charp) {}
  static void Read(png_structp png, png_bytep out, size_t length);

  bool Configure();
  bool Allocate();
  void NarrowSixteenBits();

  const absl::Span<const uint8_t> bytes_;
  const ImageDecodeLimits& limits_;
  size_t offset_ = 0;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
  std::string message_ = "out of memory";
  absl::Status status_;
  png_uint_32 width_ = 0, height_ = 0;
  int channels_ = 0;
  bool sixteen_bit_ = false;
  std::optional<PixelBuffer> pixels_;
  std::vector<uint16_t> wide_;  // 16-bit samples, before narrowing
  std::vector<png_bytep> rows_;
};

void PngDecode::Read(png_structp png, png_bytep out, size_t length) {
  PngDecode* self = static_cast<PngDecode*>(png_get_io_ptr(png));
  if (length > self->bytes_.size() - self->offset_) {
    png_error(png, "truncated png");
  }
  std::memcpy(out, self->bytes_.data() + self->offset_, length);
  self->offset_ += length;
}

// The transforms to 8-bit grey or BGR without alpha; false if the size is
// refused.
bool PngDecode::Configure() {
  int depth = 0, color_type = 0;
  png_get_IHDR(png_, info_, &width_, &height_, &depth, &color_type, nullptr,
               nullptr, nullptr);
  status_ = CheckImageDimensions("png", width_, height_, limits_);
  if (!status_.ok()) return false;
  const bool grey = (color_type & PNG_COLOR_MASK_COLOR) == 0;
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png_);
  if (grey && depth < 8) png_set_expand_gray_1_2_4_to_8(png_);
  if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png_);
  // Grey with alpha reads as colour (as OpenCV reads it): BGR, R = G = B.
  if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png_);
  if (!grey || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_bgr(png_);
  sixteen_bit_ = depth == 16;
  if (sixteen_bit_) png_set_swap(png_);  // host order (little-endian)
  png_set_interlace_handling(png_);
  png_read_update_info(png_, info_);
  channels_ = png_get_channels(png_, info_);
  return true;
}

bool PngDecode::Allocate() {
  pixels_.emplace(width_, height_,
                  channels_ == 1 ? PixelFormat::kGrey : PixelFormat::kBgr);
  const size_t row_bytes = png_get_rowbytes(png_, info_);
  uint8_t* base = pixels_->data();
  if (sixteen_bit_) {
    wide_.resize(row_bytes / 2 * height_);
    base = reinterpret_cast<uint8_t*>(wide_.data());
  } else if (row_bytes != pixels_->stride()) {
    message_ = absl::StrCat("unexpected png row size ", row_bytes);
    return false;
  }
  rows_.resize(height_);
  for (png_uint_32 y = 0; y < height_; ++y) rows_[y] = base + row_bytes * y;
  return true;
}

bool PngDecode::Run() {
  if (png_ == nullptr || info_ == nullptr) return false;
  if (setjmp(png_jmpbuf(png_))) return false;
  png_set_read_fn(png_, this, Read);
  png_set_user_limits(png_, limits_.max_side, limits_.max_side);
  png_read_info(png_, info_);
  if (!Configure() || !Allocate()) return false;
  png_read_image(png_, rows_.data());
  if (sixteen_bit_) NarrowSixteenBits();
  return true;
}

// round(v / 257) for every sample (v / 257 is never exactly .5 away).
void PngDecode::NarrowSixteenBits() {
  const uint16_t* wide = wide_.data();
  uint8_t* out = pixels_->data();
  const size_t samples = pixels_->size();
  for (size_t i = 0; i < samples; ++i) {
    out[i] = static_cast<uint8_t>((wide[i] + 128u) / 257u);
  }
  std::vector<uint16_t>().swap(wide_);
}

DecodedImage PngDecode::Finish() {
  return std::move(*pixels_).Finish(width_, height_);
}

}  // namespace

absl::StatusOr<DecodedImage> DecodePng(absl::Span<const uint8_t> bytes,
                                       const ImageDecodeLimits& limits) {
  PngDecode decode(bytes, limits);
  if (!decode.Run()) {
    if (!decode.status().ok()) return decode.status();
    return absl::InvalidArgumentError(
        absl::StrCat("could not decode png: ", decode.message()));
  }
  return decode.Finish();
}

}  // namespace clearmatch::decoders_internal
