// PNG decoding with libpng (see png_decoder.h).
#include "decoders/png_decoder.h"

#include <png.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "decoders/pixel_buffer.h"

namespace clearmatch::decoders_internal {
namespace {

// Compressed image data libpng may still read once every row is decoded
// (it inflates the rest of the zlib stream to find its end). An encoder's
// stream ends within a few bytes; 64 KiB inflates to at most ~64 MiB.
constexpr size_t kMaxIdatAfterLastRow = size_t{64} << 10;

// Bytes the zlib stream of a width x height image inflates to: each row is
// a filter byte and ceil(width * bits_per_pixel / 8) bytes; interlaced
// images have 7 passes over sub-images (Adam7).
int64_t InflatedBytes(int64_t width, int64_t height, int64_t bits_per_pixel,
                      bool interlaced) {
  auto rows = [&](int64_t w, int64_t h) {
    return w == 0 || h == 0 ? 0 : h * (1 + (w * bits_per_pixel + 7) / 8);
  };
  if (!interlaced) return rows(width, height);
  constexpr int kX0[] = {0, 4, 0, 2, 0, 1, 0}, kDx[] = {8, 8, 4, 4, 2, 2, 1};
  constexpr int kY0[] = {0, 0, 4, 0, 2, 0, 1}, kDy[] = {8, 8, 8, 4, 4, 2, 2};
  int64_t total = 0;
  for (int pass = 0; pass < 7; ++pass) {
    total += rows(
        std::max<int64_t>(0, width - kX0[pass] + kDx[pass] - 1) / kDx[pass],
        std::max<int64_t>(0, height - kY0[pass] + kDy[pass] - 1) / kDy[pass]);
  }
  return total;
}

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

  void LimitAncillaryChunks();
  bool CheckSize(int depth, int color_type, int interlace);
  bool Configure();
  bool Allocate();

  const absl::Span<const uint8_t> bytes_;
  const ImageDecodeLimits& limits_;
  size_t offset_ = 0;
  size_t idat_after_last_row_ = 0;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
  std::string message_ = "out of memory";
  absl::Status status_;
  png_uint_32 width_ = 0, height_ = 0;
  int channels_ = 0;
  std::optional<PixelBuffer> pixels_;
  std::vector<png_bytep> rows_;
};

void PngDecode::Read(png_structp png, png_bytep out, size_t length) {
  PngDecode* self = static_cast<PngDecode*>(png_get_io_ptr(png));
  if (length > self->bytes_.size() - self->offset_) {
    png_error(png, "truncated png");
  }
  // Past the last row (pass 7 of an interlaced image) libpng inflates the
  // rest of the stream to reach its end: a zlib bomb after the rows would
  // cost seconds of CPU per GiB, for nothing.
  const bool rows_done = png_get_current_pass_number(png) >= 7 ||
                         png_get_current_row_number(png) >= self->height_;
  if (self->height_ > 0 && rows_done &&
      (png_get_io_state(png) & PNG_IO_MASK_LOC) == PNG_IO_CHUNK_DATA) {
    self->idat_after_last_row_ += length;
    if (self->idat_after_last_row_ > kMaxIdatAfterLastRow) {
      png_error(png, "image data continues past the last row (over 64 KiB)");
    }
  }
  std::memcpy(out, self->bytes_.data() + self->offset_, length);
  self->offset_ += length;
}

// The decoder uses no ancillary chunk but tRNS (no colour management, no
// text): every other one, known or not, is skipped unparsed (num_chunks -1:
// all but IHDR, PLTE, tRNS, IDAT and IEND), which also takes away the
// zTXt/iTXt/iCCP decompression bombs (libpng inflates each up to its chunk
// limit, twice, and keeps up to 1000 of them).
void PngDecode::LimitAncillaryChunks() {
  png_set_keep_unknown_chunks(png_, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  // For whatever is still read (PLTE and tRNS are small by definition).
  png_set_chunk_malloc_max(png_, 1 << 20);
  png_set_chunk_cache_max(png_, 16);
  png_set_user_limits(png_, limits_.max_side, limits_.max_side);
}

// The image's dimensions and the bytes its rows inflate to, against the
// limits, from IHDR alone.
bool PngDecode::CheckSize(int depth, int color_type, int interlace) {
  status_ = CheckImageDimensions("png", width_, height_, limits_);
  if (!status_.ok()) return false;
  const int file_channels = png_get_channels(png_, info_);
  const bool interlaced = interlace != PNG_INTERLACE_NONE;
  status_ = CheckDecodedBytes(
      absl::StrCat("png ", width_, "x", height_, ", ", depth, "-bit, ",
                   file_channels, " channel", file_channels > 1 ? "s" : "",
                   interlaced ? ", interlaced" : "", " (colour type ",
                   color_type, ")"),
      InflatedBytes(width_, height_, int64_t{depth} * file_channels,
                    interlaced),
      limits_);
  return status_.ok();
}

// The transforms to 8-bit grey or BGR without alpha; false if the size is
// refused.
bool PngDecode::Configure() {
  int depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(png_, info_, &width_, &height_, &depth, &color_type, &interlace,
               nullptr, nullptr);
  if (!CheckSize(depth, color_type, interlace)) return false;
  const bool grey = (color_type & PNG_COLOR_MASK_COLOR) == 0;
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png_);
  if (grey && depth < 8) png_set_expand_gray_1_2_4_to_8(png_);
  if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png_);
  // Grey with alpha reads as colour (as OpenCV reads it): BGR, R = G = B.
  if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png_);
  if (!grey || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_bgr(png_);
  // 16-bit samples become round(v / 257) as each row is read (libpng's
  // accurate scaling, exactly that), so only the 8-bit image is held.
  if (depth == 16) png_set_scale_16(png_);
  png_set_interlace_handling(png_);
  png_read_update_info(png_, info_);
  channels_ = png_get_channels(png_, info_);
  return true;
}

bool PngDecode::Allocate() {
  pixels_.emplace(width_, height_,
                  channels_ == 1 ? PixelFormat::kGrey : PixelFormat::kBgr);
  const size_t row_bytes = png_get_rowbytes(png_, info_);
  if (row_bytes != pixels_->stride()) {
    message_ = absl::StrCat("unexpected png row size ", row_bytes);
    return false;
  }
  rows_.resize(height_);
  for (png_uint_32 y = 0; y < height_; ++y) rows_[y] = pixels_->row(y);
  return true;
}

bool PngDecode::Run() {
  if (png_ == nullptr || info_ == nullptr) return false;
  if (setjmp(png_jmpbuf(png_))) return false;
  png_set_read_fn(png_, this, Read);
  LimitAncillaryChunks();
  png_read_info(png_, info_);
  if (!Configure() || !Allocate()) return false;
  png_read_image(png_, rows_.data());
  return true;
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
