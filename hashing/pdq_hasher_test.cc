#include "hashing/pdq_hasher.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace clearmatch {
namespace {

// An owned interleaved test image.
struct TestImage {
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kRgb;
  std::vector<uint8_t> pixels;

  PixelView view() const {
    return PixelView{pixels.data(), width, height,
                     static_cast<size_t>(width) * BytesPerPixel(format),
                     format};
  }
  uint8_t* at(int x, int y) {
    return &pixels[(static_cast<size_t>(y) * width + x) *
                   BytesPerPixel(format)];
  }
};

// An asymmetric RGB scene of random overlapping rectangles: strong edges, so
// quality is high and every transform changes the hash.
TestImage Scene(int width, int height, uint32_t seed = 1) {
  TestImage image{width, height, PixelFormat::kRgb,
                  std::vector<uint8_t>(size_t(width) * height * 3, 90)};
  std::mt19937 rng(seed);
  for (int n = 0; n < 40; ++n) {
    const int x0 = int(rng() % width), y0 = int(rng() % height);
    const int x1 = std::min(width, x0 + 1 + int(rng() % (width / 3 + 1)));
    const int y1 = std::min(height, y0 + 1 + int(rng() % (height / 3 + 1)));
    const uint8_t color[3] = {uint8_t(rng()), uint8_t(rng()), uint8_t(rng())};
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) std::copy_n(color, 3, image.at(x, y));
    }
  }
  return image;
}

// The dihedral transform of an image applied to its pixels.
TestImage Transformed(const TestImage& in, DihedralTransform t) {
  const bool swaps =
      t == DihedralTransform::kRotate90 || t == DihedralTransform::kRotate270 ||
      t == DihedralTransform::kFlipPlus1 || t == DihedralTransform::kFlipMinus1;
  TestImage out{swaps ? in.height : in.width, swaps ? in.width : in.height,
                in.format, std::vector<uint8_t>(in.pixels.size())};
  const int w = in.width, h = in.height;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int ox = x, oy = y;
      switch (t) {
        case DihedralTransform::kOriginal:
          break;
        case DihedralTransform::kRotate90:
          ox = y;
          oy = w - 1 - x;
          break;
        case DihedralTransform::kRotate180:
          ox = w - 1 - x;
          oy = h - 1 - y;
          break;
        case DihedralTransform::kRotate270:
          ox = h - 1 - y;
          oy = x;
          break;
        case DihedralTransform::kFlipX:
          oy = h - 1 - y;
          break;
        case DihedralTransform::kFlipY:
          ox = w - 1 - x;
          break;
        case DihedralTransform::kFlipPlus1:
          ox = y;
          oy = x;
          break;
        case DihedralTransform::kFlipMinus1:
          ox = h - 1 - y;
          oy = w - 1 - x;
          break;
      }
      const uint8_t* src =
          &in.pixels[(size_t(y) * w + x) * BytesPerPixel(in.format)];
      uint8_t* dst = out.at(ox, oy);
      for (int c = 0; c < BytesPerPixel(in.format); ++c) dst[c] = src[c];
    }
  }
  return out;
}

TEST(PdqHasherTest, TinyImagesHashToZeroWithQualityZero) {
  PdqHasher hasher;
  for (auto [w, h] : {std::pair{4, 100}, std::pair{100, 4}, std::pair{1, 1}}) {
    TestImage image = Scene(w, h);
    PdqResult r = hasher.Hash(image.view());
    EXPECT_EQ(r.hash, PdqHash());
    EXPECT_EQ(r.quality, 0);
  }
  TestImage five = Scene(5, 5);
  EXPECT_NE(hasher.Hash(five.view()).hash, PdqHash());
}

TEST(PdqHasherTest, FlatImageHasQualityZero) {
  TestImage flat{64, 64, PixelFormat::kGrey,
                 std::vector<uint8_t>(64 * 64, 128)};
  EXPECT_EQ(PdqHasher().Hash(flat.view()).quality, 0);
}

TEST(PdqHasherTest, RichImageHasHighQuality) {
  TestImage image = Scene(300, 200);
  EXPECT_GE(PdqHasher().Hash(image.view()).quality, 50);
}

TEST(PdqHasherTest, ChannelOrderAndStrideDoNotChangeTheHash) {
  TestImage rgb = Scene(123, 77);
  TestImage bgr = rgb;
  bgr.format = PixelFormat::kBgr;
  for (size_t i = 0; i < bgr.pixels.size(); i += 3) {
    std::swap(bgr.pixels[i], bgr.pixels[i + 2]);
  }
  PdqHasher hasher;
  const PdqResult a = hasher.Hash(rgb.view());
  const PdqResult b = hasher.Hash(bgr.view());
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.quality, b.quality);

  // The same pixels with 13 bytes of padding after every row.
  const size_t stride = size_t(rgb.width) * 3 + 13;
  std::vector<uint8_t> padded(stride * rgb.height, 0xee);
  for (int y = 0; y < rgb.height; ++y) {
    std::copy_n(&rgb.pixels[size_t(y) * rgb.width * 3], rgb.width * 3,
                &padded[y * stride]);
  }
  const PdqResult c = hasher.Hash(PixelView{
      padded.data(), rgb.width, rgb.height, stride, PixelFormat::kRgb});
  EXPECT_EQ(a.hash, c.hash);
}

TEST(PdqHasherTest, GreyEqualsLumaPlaneAndGreyAsRgb) {
  TestImage rgb = Scene(200, 150);
  TestImage grey{rgb.width, rgb.height, PixelFormat::kGrey,
                 std::vector<uint8_t>(size_t(rgb.width) * rgb.height)};
  std::vector<float> luma(grey.pixels.size());
  TestImage grey_rgb = rgb;
  for (size_t i = 0; i < grey.pixels.size(); ++i) {
    grey.pixels[i] = rgb.pixels[3 * i + 1];
    luma[i] = grey.pixels[i];
    for (int c = 0; c < 3; ++c) grey_rgb.pixels[3 * i + c] = grey.pixels[i];
  }
  PdqHasher hasher;
  const PdqResult from_grey = hasher.Hash(grey.view());
  const PdqResult from_luma =
      hasher.HashLuma(luma.data(), grey.width, grey.height);
  EXPECT_EQ(from_grey.hash, from_luma.hash);
  EXPECT_EQ(from_grey.quality, from_luma.quality);
  // 0.299 v + 0.587 v + 0.114 v rounds to within an ulp of v.
  EXPECT_LE(from_grey.hash.DistanceTo(hasher.Hash(grey_rgb.view()).hash), 2);
}

TEST(PdqHasherTest, LumaDihedralEqualsPixelDihedral) {
  TestImage rgb = Scene(300, 340, 3);
  TestImage grey{rgb.width, rgb.height, PixelFormat::kGrey,
                 std::vector<uint8_t>(size_t(rgb.width) * rgb.height)};
  std::vector<float> luma(grey.pixels.size());
  for (size_t i = 0; i < grey.pixels.size(); ++i) {
    grey.pixels[i] = rgb.pixels[3 * i];
    luma[i] = grey.pixels[i];
  }
  PdqHasher hasher;
  const PdqDihedralResult from_pixels = hasher.HashDihedral(grey.view());
  const PdqDihedralResult from_luma =
      hasher.HashLumaDihedral(luma.data(), grey.width, grey.height);
  EXPECT_EQ(from_luma.hashes, from_pixels.hashes);
  EXPECT_EQ(from_luma.quality, from_pixels.quality);
  EXPECT_EQ(from_luma.hashes[0],
            hasher.HashLuma(luma.data(), grey.width, grey.height).hash);
  EXPECT_NE(from_luma.hashes[1], from_luma.hashes[0]);
}

TEST(PdqHasherTest, LargeImagesAreNearestNeighbourSampledTo512) {
  TestImage large = Scene(1500, 1100);
  // The 512x512 nearest-neighbour sample, built independently here.
  TestImage sampled{512, 512, PixelFormat::kRgb,
                    std::vector<uint8_t>(512 * 512 * 3)};
  for (int y = 0; y < 512; ++y) {
    for (int x = 0; x < 512; ++x) {
      const int sx = x * large.width / 512, sy = y * large.height / 512;
      std::copy_n(large.at(sx, sy), 3, sampled.at(x, y));
    }
  }
  PdqHasher hasher;
  EXPECT_EQ(hasher.Hash(large.view()).hash, hasher.Hash(sampled.view()).hash);

  // Without sampling (the vPDQ mode) the full image is blurred instead: a
  // close but in general different hash.
  PdqHasher full_size(PdqHasher::Options{.sample_large_to_512 = false});
  const PdqResult full = full_size.Hash(large.view());
  EXPECT_LE(full.hash.DistanceTo(hasher.Hash(large.view()).hash), 31);
}

TEST(PdqHasherTest, DihedralVariantsMatchTheTransformedImages) {
  // Sides in (256, 384] give an odd (centred) blur window of 3, so the
  // transformed images blur symmetrically.
  const TestImage image = Scene(300, 340, 3);
  PdqHasher hasher;
  const PdqDihedralResult dihedral = hasher.HashDihedral(image.view());
  EXPECT_EQ(dihedral.hashes[0], hasher.Hash(image.view()).hash);
  for (int t = 1; t < kDihedralCount; ++t) {
    const auto transform = static_cast<DihedralTransform>(t);
    const PdqHash actual =
        hasher.Hash(Transformed(image, transform).view()).hash;
    SCOPED_TRACE(DihedralTransformName(transform));
    // Close to the hash of the transformed pixels (the spec: close, not
    // equal; the reference's own variants of bridge-1 land 0-18 bits from
    // the transformed photos), and far from the untransformed hash.
    EXPECT_LE(dihedral.hashes[t].DistanceTo(actual), 20);
    EXPECT_GT(dihedral.hashes[t].DistanceTo(dihedral.hashes[0]), 31);
  }
}

// PDQ of a luma plane computed the plain way (specs/PDQ_VPDQ.md): whole
// planes, one running sum per row then per column, twice, every output
// divided by its count; then the 64x64 decimation, the quality and the DCT.
// The hasher filters many rows or columns at a time and only what the
// decimation samples: its hashes must be the very same bits.
void PlainBox(const float* in, size_t step, int n, float* out) {
  const int window = (n + 127) / 128, half = (window + 2) / 2;
  float sum = 0;
  int count = 0, left = 0, right = 0, written = 0;
  for (; right < half - 1; ++right, ++count) sum += in[right * step];
  for (; right < window; ++right) {
    sum += in[right * step];
    ++count;
    out[written++ * step] = sum / count;
  }
  for (; right < n; ++right, ++left) {
    sum += in[right * step];
    sum -= in[left * step];
    out[written++ * step] = sum / count;
  }
  for (; written < n; ++left) {
    sum -= in[left * step];
    --count;
    out[written++ * step] = sum / count;
  }
}

struct PlainResult {
  PdqResult pdq;
  std::array<float, 64 * 64> decimated;
};

PlainResult PlainPdq(std::vector<float> plane, int w, int h) {
  std::vector<float> rows(plane.size());
  for (int pass = 0; pass < 2; ++pass) {
    for (int y = 0; y < h; ++y) PlainBox(&plane[y * w], 1, w, &rows[y * w]);
    for (int x = 0; x < w; ++x) PlainBox(&rows[x], w, h, &plane[x]);
  }
  float a[64][64];
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 64; ++j) {
      a[i][j] = plane[int((i + 0.5) * h / 64) * w + int((j + 0.5) * w / 64)];
    }
  }
  int gradients = 0;
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 64; ++j) {
      if (i < 63)
        gradients += std::abs(int((a[i][j] - a[i + 1][j]) * 100 / 255));
      if (j < 63)
        gradients += std::abs(int((a[i][j] - a[i][j + 1]) * 100 / 255));
    }
  }
  float d[16][64], partial[16][64], dct[256];
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      d[i][j] = float(std::sqrt(2.0 / 64) *
                      std::cos(std::numbers::pi / 128 * (i + 1) * (2 * j + 1)));
    }
  }
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      partial[i][j] = 0;
      for (int k = 0; k < 64; ++k) partial[i][j] += d[i][k] * a[k][j];
    }
  }
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      dct[i * 16 + j] = 0;
      for (int k = 0; k < 64; ++k) dct[i * 16 + j] += partial[i][k] * d[j][k];
    }
  }
  std::vector<float> sorted(dct, dct + 256);
  std::sort(sorted.begin(), sorted.end());
  PlainResult result;
  for (int k = 0; k < 256; ++k) {
    if (dct[k] > sorted[127]) result.pdq.hash.SetBit(k);
  }
  result.pdq.quality = std::min(100, gradients / 90);
  std::copy_n(&a[0][0], 64 * 64, result.decimated.begin());
  return result;
}

TEST(PdqHasherTest, SameBitsAsThePlainComputation) {
  // Narrow, not multiples of 16 or 64, blur windows of 1 to 15 (and the
  // powers of two the hasher divides by multiplying: 2 at 129-256, 4 at
  // 385-512), and a full-size HD frame as vPDQ hashes it.
  const std::pair<int, int> sizes[] = {{5, 5},     {7, 70},    {63, 17},
                                       {100, 37},  {130, 257}, {300, 200},
                                       {512, 500}, {700, 390}, {1920, 1080}};
  std::mt19937 rng(5);
  PdqHasher hasher(PdqHasher::Options{.sample_large_to_512 = false});
  for (auto [w, h] : sizes) {
    SCOPED_TRACE(testing::Message() << w << "x" << h);
    std::vector<float> luma(size_t(w) * h);
    // Blocks of random grey with a little noise: a realistic quality.
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        luma[size_t(y) * w + x] =
            float((x * 9 / w) * 31 % 200 + (y * 7 / h) * 17 % 50) +
            float(rng() % 1000) / 100;
      }
    }
    const PlainResult plain = PlainPdq(luma, w, h);
    const PdqResult fast = hasher.HashLuma(luma.data(), w, h);
    // Every sampled value to the bit (an ulp seldom flips a hash bit).
    EXPECT_EQ(hasher.last_decimated(), plain.decimated);
    EXPECT_EQ(fast.hash, plain.pdq.hash);
    EXPECT_EQ(fast.quality, plain.pdq.quality);
    EXPECT_GT(plain.pdq.quality, 0);
  }
}

TEST(PdqHasherTest, TransformNamesAreDistinct) {
  std::set<std::string_view> names;
  for (int t = 0; t < kDihedralCount; ++t) {
    names.insert(DihedralTransformName(static_cast<DihedralTransform>(t)));
  }
  EXPECT_EQ(names.size(), size_t(kDihedralCount));
  EXPECT_EQ(DihedralTransformName(DihedralTransform::kOriginal), "original");
}

}  // namespace
}  // namespace clearmatch
