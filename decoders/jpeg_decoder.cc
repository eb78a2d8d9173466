// JPEG decoding with libjpeg-turbo (see jpeg_decoder.h).
#include "decoders/jpeg_decoder.h"

#include <csetjmp>
#include <cstdint>
#include <cstdio>  // before jpeglib.h, which uses FILE without including it
#include <optional>
#include <vector>

// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "decoders/pixel_buffer.h"

namespace clearmatch::decoders_internal {
namespace {

struct JpegError {
  jpeg_error_mgr manager;  // first: libjpeg casts cinfo->err back to this
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

[[noreturn]] void ExitWithMessage(j_common_ptr cinfo) {
  JpegError* error = reinterpret_cast<JpegError*>(cinfo->err);
  cinfo->err->format_message(cinfo, error->message);
  std::longjmp(error->jump, 1);
}

// Warnings ("Corrupt JPEG data: ...") and traces: never printed.
void IgnoreMessage(j_common_ptr, int) {}
void IgnoreOutput(j_common_ptr) {}

// Adobe CMYK (stored inverted) to BGR, as OpenCV converts it.
void CmykRowToBgr(const uint8_t* cmyk, int width, uint8_t* bgr) {
  for (int x = 0; x < width; ++x, cmyk += 4, bgr += 3) {
    const int k = cmyk[3];
    bgr[2] = static_cast<uint8_t>(k - ((255 - cmyk[0]) * k >> 8));
    bgr[1] = static_cast<uint8_t>(k - ((255 - cmyk[1]) * k >> 8));
    bgr[0] = static_cast<uint8_t>(k - ((255 - cmyk[2]) * k >> 8));
  }
}

// Everything one decode owns. It outlives RunDecompress, whose frame holds
// no object with a destructor, so libjpeg's longjmp on error skips nothing.
class JpegDecode {
 public:
  JpegDecode(absl::Span<const uint8_t> bytes, const ImageDecodeLimits& limits,
             int scale_denom)
      : bytes_(bytes), limits_(limits), scale_denom_(scale_denom) {
    cinfo_.err = jpeg_std_error(&error_.manager);
    error_.manager.error_exit = ExitWithMessage;
    error_.manager.emit_message = IgnoreMessage;
    error_.manager.output_message = IgnoreOutput;
    jpeg_create_decompress(&cinfo_);
    // libjpeg-turbo 2.1 (jmemnobs.c) compares this with what it allocated
    // before it realizes the whole-image buffers (a progressive file's
    // coefficients): over it, it fails with JERR_NO_BACKING_STORE. The
    // estimate in CheckMemory refuses such files first; this is the backstop.
    cinfo_.mem->max_memory_to_use =
        static_cast<decltype(cinfo_.mem->max_memory_to_use)>(
            limits.max_decoded_bytes);
    cinfo_.client_data = this;
    progress_.progress_monitor = OnProgress;
    cinfo_.progress = &progress_;
  }
  ~JpegDecode() { jpeg_destroy_decompress(&cinfo_); }
  JpegDecode(const JpegDecode&) = delete;
  JpegDecode& operator=(const JpegDecode&) = delete;

  // false on a libjpeg error (message()) or a refused size (status()).
  bool Run();

  const char* message() const { return error_.message; }
  // libjpeg's message code of the error that stopped the decode.
  int message_code() const { return error_.manager.msg_code; }
  const absl::Status& status() const { return status_; }
  std::optional<PixelBuffer>& pixels() { return pixels_; }

 private:
  // Called by libjpeg as it reads: once per iMCU row while it takes in a
  // progressive file's scans in jpeg_start_decompress, once per row after.
  static void OnProgress(j_common_ptr cinfo);
  bool CheckMemory();
  bool Allocate();
  JSAMPROW OutputRow(int y) {
    return cmyk_row_.empty() ? pixels_->row(y) : cmyk_row_.data();
  }
  void FinishRow(int y) {
    if (!cmyk_row_.empty()) {
      CmykRowToBgr(cmyk_row_.data(), cinfo_.output_width, pixels_->row(y));
    }
  }

  const absl::Span<const uint8_t> bytes_;
  const ImageDecodeLimits& limits_;
  const int scale_denom_;
  jpeg_decompress_struct cinfo_{};
  JpegError error_;
  jpeg_progress_mgr progress_{};
  absl::Status status_;
  std::optional<PixelBuffer> pixels_;
  std::vector<uint8_t> cmyk_row_;
};

void JpegDecode::OnProgress(j_common_ptr cinfo) {
  JpegDecode* self = static_cast<JpegDecode*>(cinfo->client_data);
  const int scan = self->cinfo_.input_scan_number;
  if (scan <= self->limits_.max_jpeg_scans) return;
  self->status_ = absl::ResourceExhaustedError(
      absl::StrCat("jpeg has more than ", self->limits_.max_jpeg_scans,
                   " scans (scan ", scan, " started; max_jpeg_scans)"));
  std::longjmp(self->error_.jump, 1);
}

// The output pixels, and for a file of several scans the whole image's
// coefficients (libjpeg's coefficient controller rounds each component up
// to whole MCUs), against max_decoded_bytes. Needs the output dimensions.
bool JpegDecode::CheckMemory() {
  const bool several_scans = jpeg_has_multiple_scans(&cinfo_);
  int64_t bytes = int64_t{3} * cinfo_.output_width * cinfo_.output_height;
  if (several_scans) {
    for (int c = 0; c < cinfo_.num_components; ++c) {
      const jpeg_component_info& comp = cinfo_.comp_info[c];
      const int64_t h = comp.h_samp_factor, v = comp.v_samp_factor;
      bytes += (comp.width_in_blocks + h - 1) / h * h *
               ((comp.height_in_blocks + v - 1) / v * v) *
               static_cast<int64_t>(sizeof(JBLOCK));
    }
  }
  status_ = CheckDecodedBytes(
      absl::StrCat("jpeg ", cinfo_.image_width, "x", cinfo_.image_height,
                   several_scans ? ", several scans" : ""),
      bytes, limits_);
  return status_.ok();
}

bool JpegDecode::Allocate() {
  status_ = CheckImageDimensions("decoded jpeg", cinfo_.output_width,
                                 cinfo_.output_height, limits_);
  if (!status_.ok()) return false;
  pixels_.emplace(cinfo_.output_width, cinfo_.output_height, PixelFormat::kBgr);
  if (cinfo_.out_color_space == JCS_CMYK) {
    cmyk_row_.resize(size_t{4} * cinfo_.output_width);
  }
  return true;
}

bool JpegDecode::Run() {
  if (setjmp(error_.jump)) return false;
  jpeg_mem_src(&cinfo_, bytes_.data(), bytes_.size());
  jpeg_read_header(&cinfo_, TRUE);
  cinfo_.out_color_space = cinfo_.num_components == 4 ? JCS_CMYK : JCS_EXT_BGR;
  cinfo_.scale_num = 1;
  cinfo_.scale_denom = scale_denom_;
  jpeg_calc_output_dimensions(&cinfo_);
  if (!CheckMemory()) return false;
  jpeg_start_decompress(&cinfo_);
  if (!Allocate()) return false;
  while (cinfo_.output_scanline < cinfo_.output_height) {
    const int y = static_cast<int>(cinfo_.output_scanline);
    JSAMPROW row = OutputRow(y);
    if (jpeg_read_scanlines(&cinfo_, &row, 1) != 1) {
      status_ = absl::InvalidArgumentError("jpeg: scanline not decoded");
      return false;
    }
    FinishRow(y);
  }
  return true;
}

}  // namespace

absl::StatusOr<DecodedImage> DecodeJpeg(absl::Span<const uint8_t> bytes,
                                        const ImageHeaderInfo& header,
                                        const ImageDecodeLimits& limits,
                                        int scale_denom) {
  JpegDecode decode(bytes, limits, scale_denom);
  if (!decode.Run()) {
    if (!decode.status().ok()) return decode.status();
    if (decode.message_code() == JERR_NO_BACKING_STORE ||
        decode.message_code() == JERR_OUT_OF_MEMORY) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "jpeg needs more memory than the limit of ", limits.max_decoded_bytes,
          " bytes (max_decoded_bytes): ", decode.message()));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("could not decode jpeg: ", decode.message()));
  }
  return std::move(*decode.pixels()).Finish(header.width, header.height);
}

}  // namespace clearmatch::decoders_internal
