// CodecMessages: keeps libjpeg and libpng, as OpenCV's image codecs call them,
// from printing warnings and errors about untrusted media on stderr ("Corrupt
// JPEG data: ...", "libpng error: ..."). Media details never reach logs.
//
// OpenCV 4.6 installs neither library's message hooks, so this file defines
// the two entry points OpenCV uses to set them up, jpeg_std_error and
// png_create_read_struct; the executable exports them (see CMakeLists.txt) so
// the dynamic linker binds OpenCV's calls here. Each calls the real function
// (dlsym RTLD_NEXT) and then installs silent message handlers; errors still
// unwind exactly as before (OpenCV's error_exit; png_longjmp), so decoding
// behaviour is unchanged. Affects every libjpeg/libpng user in the process.
#ifndef CLEARMATCH_DECODERS_CODEC_MESSAGES_H_
#define CLEARMATCH_DECODERS_CODEC_MESSAGES_H_

namespace clearmatch::decoders_internal {

// True when the dynamic linker bound jpeg_std_error and
// png_create_read_struct to the silent versions in this file. Calling it also
// keeps the static linker from dropping this file. Thread-safe.
bool CodecMessagesSilenced();

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_CODEC_MESSAGES_H_
