// Silent libjpeg/libpng message handlers for OpenCV (see codec_messages.h).
#include "decoders/codec_messages.h"

#include <dlfcn.h>
#include <stdio.h>  // before jpeglib.h, which uses FILE without including it

#include <cstdlib>

// clang-format off
#include <jpeglib.h>
#include <png.h>
// clang-format on

namespace {

void QuietJpegMessage(j_common_ptr) {}

void QuietPngWarning(png_structp, png_const_charp) {}

// Same unwinding as libpng's default error handler, without the print.
[[noreturn]] void QuietPngError(png_structp png, png_const_charp) {
  png_longjmp(png, 1);
}

// The definition the next loaded library (libjpeg, libpng) provides.
template <typename Fn>
Fn RealFunction(const char* name) {
  Fn fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
  if (fn == nullptr) std::abort();  // the library is linked: cannot happen
  return fn;
}

}  // namespace

extern "C" {

struct jpeg_error_mgr* jpeg_std_error(struct jpeg_error_mgr* err) {
  static const auto real =
      RealFunction<struct jpeg_error_mgr* (*)(struct jpeg_error_mgr*)>(
          "jpeg_std_error");
  real(err);
  err->output_message = QuietJpegMessage;
  return err;
}

png_structp png_create_read_struct(png_const_charp user_png_ver,
                                   png_voidp error_ptr, png_error_ptr error_fn,
                                   png_error_ptr warn_fn) {
  static const auto real =
      RealFunction<png_structp (*)(png_const_charp, png_voidp, png_error_ptr,
                                   png_error_ptr)>("png_create_read_struct");
  return real(user_png_ver, error_ptr,
              error_fn != nullptr ? error_fn : QuietPngError,
              warn_fn != nullptr ? warn_fn : QuietPngWarning);
}

}  // extern "C"

namespace clearmatch::decoders_internal {

bool CodecMessagesSilenced() {
  return dlsym(RTLD_DEFAULT, "jpeg_std_error") ==
             reinterpret_cast<void*>(&jpeg_std_error) &&
         dlsym(RTLD_DEFAULT, "png_create_read_struct") ==
             reinterpret_cast<void*>(&png_create_read_struct);
}

}  // namespace clearmatch::decoders_internal
