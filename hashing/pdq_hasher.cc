#include "hashing/pdq_hasher.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>

namespace clearmatch {
namespace {

constexpr int kDecimatedSide = 64;
constexpr int kDctSide = 16;
// Two box passes approximate a tent (Jarosz) filter.
constexpr int kJaroszPasses = 2;
// Window along a dimension of n pixels: ceil(n / 128).
constexpr int kWindowDivisor = 2 * 64;

int BoxWindow(int n) { return (n + kWindowDivisor - 1) / kWindowDivisor; }

// D[i][j] = sqrt(2/64) cos(pi/128 (i+1)(2j+1)): the DCT-II rows 1..16 of a
// 64-point transform (the DC row is skipped).
struct DctMatrix {
  float d[kDctSide][kDecimatedSide];
  DctMatrix() {
    const double scale = std::sqrt(2.0 / kDecimatedSide);
    for (int i = 0; i < kDctSide; ++i) {
      for (int j = 0; j < kDecimatedSide; ++j) {
        d[i][j] = static_cast<float>(
            scale * std::cos(std::numbers::pi / 2.0 / kDecimatedSide * (i + 1) *
                             (2 * j + 1)));
      }
    }
  }
};

const DctMatrix& Dct() {
  static const DctMatrix matrix;
  return matrix;
}

// One running-mean box filter over n consecutive values. The window grows at
// the start and shrinks at the end, so every output is the mean of the inputs
// actually under the window.
void Box1D(const float* in, float* out, int n, int window) {
  const int half = (window + 2) / 2;
  const int phase1 = half - 1;
  const int phase2 = window - half + 1;
  const int phase3 = n - window;
  const int phase4 = half - 1;
  int left = 0, right = 0, written = 0;
  float sum = 0.0f;
  int count = 0;
  for (int i = 0; i < phase1; ++i) {
    sum += in[right];
    ++count;
    ++right;
  }
  for (int i = 0; i < phase2; ++i) {
    sum += in[right];
    ++count;
    out[written] = sum / count;
    ++right;
    ++written;
  }
  for (int i = 0; i < phase3; ++i) {
    sum += in[right];
    sum -= in[left];
    out[written] = sum / count;
    ++left;
    ++right;
    ++written;
  }
  for (int i = 0; i < phase4; ++i) {
    sum -= in[left];
    --count;
    out[written] = sum / count;
    ++left;
    ++written;
  }
}

// The same filter down every column of a width x n plane at once, walking
// whole rows so memory is read sequentially; each column sees exactly the
// arithmetic Box1D would do on it. `sums` is scratch of `width` floats.
void BoxColumns(const float* in, float* out, int n, int width, int window,
                float* sums) {
  const int half = (window + 2) / 2;
  const int phase1 = half - 1;
  const int phase2 = window - half + 1;
  const int phase3 = n - window;
  const int phase4 = half - 1;
  const size_t w = static_cast<size_t>(width);
  std::fill(sums, sums + w, 0.0f);
  int left = 0, right = 0, written = 0;
  int count = 0;
  for (int i = 0; i < phase1; ++i, ++right, ++count) {
    const float* r = in + right * w;
    for (size_t x = 0; x < w; ++x) sums[x] += r[x];
  }
  for (int i = 0; i < phase2; ++i, ++right, ++written) {
    const float* r = in + right * w;
    float* o = out + written * w;
    ++count;
    for (size_t x = 0; x < w; ++x) {
      sums[x] += r[x];
      o[x] = sums[x] / count;
    }
  }
  for (int i = 0; i < phase3; ++i, ++left, ++right, ++written) {
    const float* r = in + right * w;
    const float* l = in + left * w;
    float* o = out + written * w;
    for (size_t x = 0; x < w; ++x) {
      sums[x] += r[x];
      sums[x] -= l[x];
      o[x] = sums[x] / count;
    }
  }
  for (int i = 0; i < phase4; ++i, ++left, ++written) {
    const float* l = in + left * w;
    float* o = out + written * w;
    --count;
    for (size_t x = 0; x < w; ++x) {
      sums[x] -= l[x];
      o[x] = sums[x] / count;
    }
  }
}

// Median: the 128th smallest of the 256 values (the lower median).
float LowerMedian(const std::array<float, kDctSide * kDctSide>& values) {
  std::array<float, kDctSide* kDctSide> copy = values;
  auto middle = copy.begin() + (copy.size() / 2 - 1);
  std::nth_element(copy.begin(), middle, copy.end());
  return *middle;
}

PdqHash BitsAboveMedian(const std::array<float, kDctSide * kDctSide>& dct) {
  const float median = LowerMedian(dct);
  PdqHash hash;
  for (int k = 0; k < kDctSide * kDctSide; ++k) {
    if (dct[k] > median) hash.SetBit(k);
  }
  return hash;
}

// The hash of a dihedral transform of the image, from the DCT of the
// original: each transform permutes (i, j) and flips the sign of some
// coefficients by the parity of their frequencies.
PdqHash DihedralHash(const std::array<float, kDctSide * kDctSide>& a,
                     DihedralTransform transform) {
  std::array<float, kDctSide * kDctSide> b;
  for (int i = 0; i < kDctSide; ++i) {
    for (int j = 0; j < kDctSide; ++j) {
      const float v = a[i * kDctSide + j];
      const bool i_odd = i & 1, j_odd = j & 1, sum_odd = (i + j) & 1;
      switch (transform) {
        case DihedralTransform::kOriginal:
          b[i * kDctSide + j] = v;
          break;
        case DihedralTransform::kRotate90:
          b[j * kDctSide + i] = j_odd ? v : -v;
          break;
        case DihedralTransform::kRotate180:
          b[i * kDctSide + j] = sum_odd ? -v : v;
          break;
        case DihedralTransform::kRotate270:
          b[j * kDctSide + i] = i_odd ? v : -v;
          break;
        case DihedralTransform::kFlipX:
          b[i * kDctSide + j] = i_odd ? v : -v;
          break;
        case DihedralTransform::kFlipY:
          b[i * kDctSide + j] = j_odd ? v : -v;
          break;
        case DihedralTransform::kFlipPlus1:
          b[j * kDctSide + i] = v;
          break;
        case DihedralTransform::kFlipMinus1:
          b[j * kDctSide + i] = sum_odd ? -v : v;
          break;
      }
    }
  }
  return BitsAboveMedian(b);
}

inline float Luma(int r, int g, int b) {
  return 0.299f * r + 0.587f * g + 0.114f * b;
}

}  // namespace

std::string_view DihedralTransformName(DihedralTransform transform) {
  switch (transform) {
    case DihedralTransform::kOriginal:
      return "original";
    case DihedralTransform::kRotate90:
      return "rot90";
    case DihedralTransform::kRotate180:
      return "rot180";
    case DihedralTransform::kRotate270:
      return "rot270";
    case DihedralTransform::kFlipX:
      return "flipx";
    case DihedralTransform::kFlipY:
      return "flipy";
    case DihedralTransform::kFlipPlus1:
      return "flipplus1";
    case DihedralTransform::kFlipMinus1:
      return "flipminus1";
  }
  return "unknown";
}

PdqHasher::PdqHasher(Options options) : options_(options) {}

void PdqHasher::LoadLuma(const PixelView& image, int* width, int* height) {
  const bool sample =
      options_.sample_large_to_512 &&
      (image.width > kMaxHashedSide || image.height > kMaxHashedSide);
  const int out_w = sample ? kMaxHashedSide : image.width;
  const int out_h = sample ? kMaxHashedSide : image.height;
  luma_.resize(static_cast<size_t>(out_w) * out_h);
  const int bpp = BytesPerPixel(image.format);
  // Nearest-neighbour source column of each output column.
  std::vector<int> column_offsets(out_w);
  for (int x = 0; x < out_w; ++x) {
    const int src_x =
        sample ? static_cast<int>(int64_t{x} * image.width / out_w) : x;
    column_offsets[x] = src_x * bpp;
  }
  for (int y = 0; y < out_h; ++y) {
    const int src_y =
        sample ? static_cast<int>(int64_t{y} * image.height / out_h) : y;
    const uint8_t* row = image.data + static_cast<size_t>(src_y) * image.stride;
    float* out = luma_.data() + static_cast<size_t>(y) * out_w;
    switch (image.format) {
      case PixelFormat::kGrey:
        for (int x = 0; x < out_w; ++x) out[x] = row[column_offsets[x]];
        break;
      case PixelFormat::kRgb:
        for (int x = 0; x < out_w; ++x) {
          const uint8_t* p = row + column_offsets[x];
          out[x] = Luma(p[0], p[1], p[2]);
        }
        break;
      case PixelFormat::kBgr:
        for (int x = 0; x < out_w; ++x) {
          const uint8_t* p = row + column_offsets[x];
          out[x] = Luma(p[2], p[1], p[0]);
        }
        break;
    }
  }
  *width = out_w;
  *height = out_h;
}

int PdqHasher::Transform(const float* luma, int width, int height) {
  const size_t n = static_cast<size_t>(width) * height;
  // Each pass: box along rows into scratch_, then along columns into
  // blurred_. The first pass reads the luma plane itself.
  blurred_.resize(n);
  scratch_.resize(n);
  column_sums_.resize(width);
  const int window_along_rows = BoxWindow(width);
  const int window_along_cols = BoxWindow(height);
  const float* input = luma;
  for (int pass = 0; pass < kJaroszPasses; ++pass) {
    for (int y = 0; y < height; ++y) {
      const size_t row = static_cast<size_t>(y) * width;
      Box1D(input + row, scratch_.data() + row, width, window_along_rows);
    }
    BoxColumns(scratch_.data(), blurred_.data(), height, width,
               window_along_cols, column_sums_.data());
    input = blurred_.data();
  }

  // Decimate to 64x64 by sampling the centre of each cell.
  for (int i = 0; i < kDecimatedSide; ++i) {
    const int y = static_cast<int>((i + 0.5) * height / kDecimatedSide);
    for (int j = 0; j < kDecimatedSide; ++j) {
      const int x = static_cast<int>((j + 0.5) * width / kDecimatedSide);
      decimated_[i * kDecimatedSide + j] =
          blurred_[static_cast<size_t>(y) * width + x];
    }
  }

  // Quality: summed absolute neighbour gradients, in percent of full scale.
  int gradient_sum = 0;
  for (int i = 0; i + 1 < kDecimatedSide; ++i) {
    for (int j = 0; j < kDecimatedSide; ++j) {
      const float u = decimated_[i * kDecimatedSide + j];
      const float v = decimated_[(i + 1) * kDecimatedSide + j];
      gradient_sum += std::abs(static_cast<int>((u - v) * 100 / 255));
    }
  }
  for (int i = 0; i < kDecimatedSide; ++i) {
    for (int j = 0; j + 1 < kDecimatedSide; ++j) {
      const float u = decimated_[i * kDecimatedSide + j];
      const float v = decimated_[i * kDecimatedSide + j + 1];
      gradient_sum += std::abs(static_cast<int>((u - v) * 100 / 255));
    }
  }
  const int quality = std::min(100, gradient_sum / 90);

  // B = D A D^T, accumulated in float in index order.
  const DctMatrix& dct = Dct();
  float partial[kDctSide][kDecimatedSide];
  for (int i = 0; i < kDctSide; ++i) {
    for (int j = 0; j < kDecimatedSide; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < kDecimatedSide; ++k) {
        sum += dct.d[i][k] * decimated_[k * kDecimatedSide + j];
      }
      partial[i][j] = sum;
    }
  }
  for (int i = 0; i < kDctSide; ++i) {
    for (int j = 0; j < kDctSide; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < kDecimatedSide; ++k) {
        sum += partial[i][k] * dct.d[j][k];
      }
      dct_[i * kDctSide + j] = sum;
    }
  }
  return quality;
}

PdqResult PdqHasher::Hash(const PixelView& image) {
  if (image.width < kMinSide || image.height < kMinSide) return PdqResult{};
  int width, height;
  LoadLuma(image, &width, &height);
  const int quality = Transform(luma_.data(), width, height);
  return PdqResult{BitsAboveMedian(dct_), quality};
}

PdqDihedralResult PdqHasher::HashDihedral(const PixelView& image) {
  PdqDihedralResult result;
  if (image.width < kMinSide || image.height < kMinSide) return result;
  int width, height;
  LoadLuma(image, &width, &height);
  result.quality = Transform(luma_.data(), width, height);
  for (int t = 0; t < kDihedralCount; ++t) {
    result.hashes[t] = DihedralHash(dct_, static_cast<DihedralTransform>(t));
  }
  return result;
}

PdqDihedralResult PdqHasher::HashLumaDihedral(const float* luma, int width,
                                              int height) {
  PdqDihedralResult result;
  if (width < kMinSide || height < kMinSide) return result;
  result.quality = Transform(luma, width, height);
  for (int t = 0; t < kDihedralCount; ++t) {
    result.hashes[t] = DihedralHash(dct_, static_cast<DihedralTransform>(t));
  }
  return result;
}

PdqResult PdqHasher::HashLuma(const float* luma, int width, int height) {
  if (width < kMinSide || height < kMinSide) return PdqResult{};
  const int quality = Transform(luma, width, height);
  return PdqResult{BitsAboveMedian(dct_), quality};
}

}  // namespace clearmatch
