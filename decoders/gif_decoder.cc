// First frame of a GIF with giflib (see gif_decoder.h).
#include "decoders/gif_decoder.h"

#include <gif_lib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/pixel_buffer.h"

namespace clearmatch {
namespace {

using decoders_internal::PixelBuffer;

struct MemoryReader {
  absl::Span<const uint8_t> bytes;
  size_t offset = 0;
};

int ReadFromMemory(GifFileType* gif, GifByteType* out, int length) {
  MemoryReader* reader = static_cast<MemoryReader*>(gif->UserData);
  const size_t n = std::min<size_t>(std::max(length, 0),
                                    reader->bytes.size() - reader->offset);
  if (n == 0) return 0;  // (an empty span's data() may be null)
  std::memcpy(out, reader->bytes.data() + reader->offset, n);
  reader->offset += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};
using GifPtr = std::unique_ptr<GifFileType, GifCloser>;

absl::Status GifError(int code) {
  const char* message = GifErrorString(code);
  return absl::InvalidArgumentError(absl::StrCat(
      "could not decode gif: ", message != nullptr ? message : "error"));
}

// Reads records up to the first image descriptor; `transparent` gets the
// transparent colour index of its graphic control extension (or -1).
absl::Status ReadToFirstImage(GifFileType* gif, int* transparent) {
  *transparent = NO_TRANSPARENT_COLOR;
  while (true) {
    GifRecordType type;
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) return GifError(gif->Error);
    if (type == IMAGE_DESC_RECORD_TYPE) {
      if (DGifGetImageDesc(gif) == GIF_ERROR) return GifError(gif->Error);
      return absl::OkStatus();
    }
    if (type == TERMINATE_RECORD_TYPE) {
      return absl::InvalidArgumentError("gif has no image");
    }
    if (type != EXTENSION_RECORD_TYPE) continue;
    int code = 0;
    GifByteType* block = nullptr;
    if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) {
      return GifError(gif->Error);
    }
    GraphicsControlBlock control;
    if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr &&
        DGifExtensionToGCB(block[0], block + 1, &control) == GIF_OK) {
      *transparent = control.TransparentColor;
    }
    while (block != nullptr) {
      if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) {
        return GifError(gif->Error);
      }
    }
  }
}

void FillScreen(const GifFileType& gif, int transparent, PixelBuffer* screen) {
  uint8_t bgr[3] = {0, 0, 0};
  const ColorMapObject* map = gif.SColorMap;
  if (map != nullptr && transparent == NO_TRANSPARENT_COLOR &&
      gif.SBackGroundColor < map->ColorCount) {
    const GifColorType& c = map->Colors[gif.SBackGroundColor];
    bgr[0] = c.Blue, bgr[1] = c.Green, bgr[2] = c.Red;
  }
  uint8_t* p = screen->data();
  for (size_t i = 0; i < screen->size(); i += 3) std::memcpy(p + i, bgr, 3);
}

// Row y of the frame in file order: interlaced GIFs store rows in 4 passes.
std::vector<int> RowOrder(int height, bool interlaced) {
  std::vector<int> order;
  order.reserve(height);
  if (!interlaced) {
    for (int y = 0; y < height; ++y) order.push_back(y);
    return order;
  }
  constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
  for (int pass = 0; pass < 4; ++pass) {
    for (int y = kStart[pass]; y < height; y += kStep[pass]) order.push_back(y);
  }
  return order;
}

absl::Status DrawFrame(GifFileType* gif, int transparent, PixelBuffer* screen) {
  const GifImageDesc& frame = gif->Image;
  const ColorMapObject* map =
      frame.ColorMap != nullptr ? frame.ColorMap : gif->SColorMap;
  if (map == nullptr) {
    return absl::InvalidArgumentError("gif frame has no colour table");
  }
  std::vector<GifPixelType> line(frame.Width);
  for (const int y : RowOrder(frame.Height, frame.Interlace)) {
    if (DGifGetLine(gif, line.data(), frame.Width) == GIF_ERROR) {
      return GifError(gif->Error);
    }
    const int screen_y = frame.Top + y;
    if (screen_y >= gif->SHeight) continue;
    uint8_t* row = screen->row(screen_y);
    for (int x = 0; x < frame.Width && frame.Left + x < gif->SWidth; ++x) {
      const int index = line[x];
      if (index == transparent || index >= map->ColorCount) continue;
      uint8_t* p = row + 3 * (frame.Left + x);
      p[0] = map->Colors[index].Blue;
      p[1] = map->Colors[index].Green;
      p[2] = map->Colors[index].Red;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DecodedImage> DecodeGifFirstFrame(
    absl::Span<const uint8_t> bytes, const ImageDecodeLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "gif is ", bytes.size(), " bytes, over max_bytes=", limits.max_bytes));
  }
  MemoryReader reader{.bytes = bytes};
  int error = 0;
  GifPtr gif(DGifOpen(&reader, ReadFromMemory, &error));
  if (gif == nullptr) return GifError(error);
  CM_RETURN_IF_ERROR(CheckImageDimensions("gif logical screen", gif->SWidth,
                                          gif->SHeight, limits));
  int transparent = NO_TRANSPARENT_COLOR;
  CM_RETURN_IF_ERROR(ReadToFirstImage(gif.get(), &transparent));
  CM_RETURN_IF_ERROR(CheckImageDimensions("gif frame", gif->Image.Width,
                                          gif->Image.Height, limits));
  // The screen (3 bytes a pixel) and the frame's pixels as giflib decodes
  // them, line by line (the one frame decoded).
  CM_RETURN_IF_ERROR(CheckDecodedBytes(
      absl::StrCat("gif ", gif->SWidth, "x", gif->SHeight, " with a ",
                   gif->Image.Width, "x", gif->Image.Height, " frame"),
      int64_t{3} * gif->SWidth * gif->SHeight +
          int64_t{gif->Image.Width} * gif->Image.Height,
      limits));
  PixelBuffer screen(gif->SWidth, gif->SHeight, PixelFormat::kBgr);
  FillScreen(*gif, transparent, &screen);
  CM_RETURN_IF_ERROR(DrawFrame(gif.get(), transparent, &screen));
  return std::move(screen).Finish(gif->SWidth, gif->SHeight);
}

}  // namespace clearmatch
