#include "hashing/pdq_hasher.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

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

// The outputs a box pass must produce: output positions[k] goes to output
// slot k (positions ascending, repeats allowed), or every position when
// positions is null.
struct BoxOutputs {
  const int* positions = nullptr;
  int count = 0;
  int At(int k) const { return positions == nullptr ? k : positions[k]; }
};

// A running-mean box filter along n positions, `step` floats apart, for
// kLanes adjacent independent lanes at once (the compiler vectorises across
// lanes). The window grows at the start and shrinks at the end, so every
// output is the mean of the inputs actually under the window. Every lane
// does the float operations of the one-dimensional reference filter in its
// order (add the entering value, subtract the leaving one, divide by the
// count), so the wanted outputs are bit-exact; unwanted ones are neither
// divided nor stored, and it stops after the last wanted one.
template <int kLanes>
void BoxLanes(const float* in, size_t step, int n, int window,
              const BoxOutputs& outputs, float* out, size_t out_step) {
  const int half = (window + 2) / 2;
  float sum[kLanes] = {};
  int next = 0;  // the next output slot
  auto add = [&](int position) {
    const float* p = in + position * step;
#pragma GCC unroll 16
    for (int l = 0; l < kLanes; ++l) sum[l] += p[l];
  };
  auto subtract = [&](int position) {
    const float* p = in + position * step;
#pragma GCC unroll 16
    for (int l = 0; l < kLanes; ++l) sum[l] -= p[l];
  };
  // Stores output `written` (the sums divided by `count`) in each slot that
  // wants it; false when no slot is left. Dividing by a power of two is an
  // exact scaling, so multiplying by its exact reciprocal gives the same
  // float, faster (the window is 4 for a 512x512 image).
  auto emit = [&](int written, int count) {
    const bool power_of_two = (count & (count - 1)) == 0;
    const float reciprocal = 1.0f / count;
    for (; next < outputs.count && outputs.At(next) == written; ++next) {
      float* o = out + next * out_step;
      if (power_of_two) {
#pragma GCC unroll 16
        for (int l = 0; l < kLanes; ++l) o[l] = sum[l] * reciprocal;
      } else {
#pragma GCC unroll 16
        for (int l = 0; l < kLanes; ++l) o[l] = sum[l] / count;
      }
    }
    return next < outputs.count;
  };
  int right = 0, written = 0, count = 0;
  for (; right < half - 1; ++right, ++count) add(right);
  for (; right < window; ++right, ++written) {
    add(right);
    if (!emit(written, ++count)) return;
  }
  for (; right < n; ++right, ++written) {
    add(right);
    subtract(right - window);
    if (!emit(written, count)) return;
  }
  for (int left = n - window; written < n; ++left, ++written) {
    subtract(left);
    if (!emit(written, --count)) return;
  }
}

// Lanes per vectorised block: 16 floats, four SSE or two AVX registers.
constexpr int kBlockLanes = 16;

// The box filter down every column of a width x n plane into out (row
// stride out_width), only the output rows `rows` wants (row k of out is
// output row rows.At(k)); blocks of adjacent columns walk the plane
// together.
void BoxColumns(const float* in, int n, int width, int window,
                const BoxOutputs& rows, float* out, int out_width) {
  const size_t w = static_cast<size_t>(width);
  int x = 0;
  for (; x + kBlockLanes <= width; x += kBlockLanes) {
    BoxLanes<kBlockLanes>(in + x, w, n, window, rows, out + x, out_width);
  }
  for (; x < width; ++x) {
    BoxLanes<1>(in + x, w, n, window, rows, out + x, out_width);
  }
}

// Transposes a rows x columns block of floats (rows in_stride apart) into
// out (column c at out + c * out_stride): 4x4 tiles through SSE registers
// where there are, element by element for the rest. Data movement only.
void TransposeBlock(const float* in, size_t in_stride, int rows, int columns,
                    float* out, size_t out_stride) {
  auto copy = [&](int r, int c) {
    out[c * out_stride + r] = in[r * in_stride + c];
  };
  int c = 0;
#if defined(__SSE2__)
  for (; c + 4 <= columns; c += 4) {
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
      const float* i = in + r * in_stride + c;
      __m128 r0 = _mm_loadu_ps(i), r1 = _mm_loadu_ps(i + in_stride),
             r2 = _mm_loadu_ps(i + 2 * in_stride),
             r3 = _mm_loadu_ps(i + 3 * in_stride);
      _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
      float* o = out + c * out_stride + r;
      _mm_storeu_ps(o, r0);
      _mm_storeu_ps(o + out_stride, r1);
      _mm_storeu_ps(o + 2 * out_stride, r2);
      _mm_storeu_ps(o + 3 * out_stride, r3);
    }
    for (; r < rows; ++r) {
      for (int k = 0; k < 4; ++k) copy(r, c + k);
    }
  }
#endif
  for (; c < columns; ++c) {
    for (int r = 0; r < rows; ++r) copy(r, c);
  }
}

// The box filter along every row of a width x height plane into out (row
// stride columns.count), only the output columns `columns` wants. Blocks of
// kBlockLanes rows are transposed into `lanes` (scratch of
// (width + columns.count) * kBlockLanes floats) so that the rows of a block
// are the vector lanes, and the outputs transposed back.
void BoxRows(const float* in, int width, int height, int window,
             const BoxOutputs& columns, float* out, float* lanes) {
  const size_t w = static_cast<size_t>(width);
  const size_t out_w = static_cast<size_t>(columns.count);
  float* lanes_out = lanes + w * kBlockLanes;
  int y = 0;
  for (; y + kBlockLanes <= height; y += kBlockLanes) {
    TransposeBlock(in + y * w, w, kBlockLanes, width, lanes, kBlockLanes);
    BoxLanes<kBlockLanes>(lanes, kBlockLanes, width, window, columns, lanes_out,
                          kBlockLanes);
    TransposeBlock(lanes_out, kBlockLanes, columns.count, kBlockLanes,
                   out + y * out_w, out_w);
  }
  for (; y < height; ++y) {
    BoxLanes<1>(in + y * w, 1, width, window, columns, out + y * out_w, 1);
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

using Decimated = std::array<float, kDecimatedSide * kDecimatedSide>;

// Quality: summed absolute neighbour gradients, in percent of full scale.
int Quality(const Decimated& decimated) {
  int gradient_sum = 0;
  for (int i = 0; i + 1 < kDecimatedSide; ++i) {
    for (int j = 0; j < kDecimatedSide; ++j) {
      const float u = decimated[i * kDecimatedSide + j];
      const float v = decimated[(i + 1) * kDecimatedSide + j];
      gradient_sum += std::abs(static_cast<int>((u - v) * 100 / 255));
    }
  }
  for (int i = 0; i < kDecimatedSide; ++i) {
    for (int j = 0; j + 1 < kDecimatedSide; ++j) {
      const float u = decimated[i * kDecimatedSide + j];
      const float v = decimated[i * kDecimatedSide + j + 1];
      gradient_sum += std::abs(static_cast<int>((u - v) * 100 / 255));
    }
  }
  return std::min(100, gradient_sum / 90);
}

// B = D A D^T of the decimated image A, accumulated in float in index order.
void DctOfDecimated(const Decimated& decimated,
                    std::array<float, kDctSide * kDctSide>* out) {
  const DctMatrix& dct = Dct();
  float partial[kDctSide][kDecimatedSide];
  for (int i = 0; i < kDctSide; ++i) {
    for (int j = 0; j < kDecimatedSide; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < kDecimatedSide; ++k) {
        sum += dct.d[i][k] * decimated[k * kDecimatedSide + j];
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
      (*out)[i * kDctSide + j] = sum;
    }
  }
}

// Y = 0.299 R + 0.587 G + 0.114 B with each weighted term looked up by
// byte value: the same float products, added in the same order, so the same
// value as computing them, without three int-to-float conversions and
// multiplications per pixel.
struct LumaTerms {
  float r[256], g[256], b[256];
  LumaTerms() {
    for (int v = 0; v < 256; ++v) {
      r[v] = 0.299f * v;
      g[v] = 0.587f * v;
      b[v] = 0.114f * v;
    }
  }
  float Luma(uint8_t red, uint8_t green, uint8_t blue) const {
    return r[red] + g[green] + b[blue];
  }
};

const LumaTerms& Terms() {
  static const LumaTerms terms;
  return terms;
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
  const LumaTerms& terms = Terms();
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
          out[x] = terms.Luma(p[0], p[1], p[2]);
        }
        break;
      case PixelFormat::kBgr:
        for (int x = 0; x < out_w; ++x) {
          const uint8_t* p = row + column_offsets[x];
          out[x] = terms.Luma(p[2], p[1], p[0]);
        }
        break;
    }
  }
  *width = out_w;
  *height = out_h;
}

int PdqHasher::Transform(const float* luma, int width, int height) {
  // The rows and columns the 64x64 decimation samples: the centre of each
  // cell.
  std::array<int, kDecimatedSide> sampled_rows, sampled_columns;
  for (int i = 0; i < kDecimatedSide; ++i) {
    sampled_rows[i] = static_cast<int>((i + 0.5) * height / kDecimatedSide);
    sampled_columns[i] = static_cast<int>((i + 0.5) * width / kDecimatedSide);
  }
  const BoxOutputs every_row{nullptr, height};
  const BoxOutputs every_column{nullptr, width};
  const BoxOutputs decimated_rows{sampled_rows.data(), kDecimatedSide};
  const BoxOutputs decimated_columns{sampled_columns.data(), kDecimatedSide};
  // The widest plane the filter along rows writes: every column, or the
  // sampled ones (repeated when the image is narrower than 64).
  const size_t widest = std::max(width, kDecimatedSide);
  blurred_.resize(static_cast<size_t>(width) * height);
  scratch_.resize(widest * height);
  lanes_.resize((width + widest) * kBlockLanes);
  const int window_along_rows = BoxWindow(width);
  const int window_along_cols = BoxWindow(height);
  // Two passes of a box along rows, then along columns (kJaroszPasses). The
  // first produces the whole plane; the second only what the decimation
  // samples: along rows only the sampled columns (every row: the column
  // filter reads them all), then along those columns only the sampled rows,
  // straight into decimated_.
  static_assert(kJaroszPasses == 2);
  BoxRows(luma, width, height, window_along_rows, every_column, scratch_.data(),
          lanes_.data());
  BoxColumns(scratch_.data(), height, width, window_along_cols, every_row,
             blurred_.data(), width);
  BoxRows(blurred_.data(), width, height, window_along_rows, decimated_columns,
          scratch_.data(), lanes_.data());
  BoxColumns(scratch_.data(), height, kDecimatedSide, window_along_cols,
             decimated_rows, decimated_.data(), kDecimatedSide);

  const int quality = Quality(decimated_);
  DctOfDecimated(decimated_, &dct_);
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
