// PdqHasher: the PDQ perceptual hash of an image (hash + quality), and its 8
// dihedral variants from one DCT, implemented from specs/PDQ_VPDQ.md.
//
//   PdqHasher hasher;                       // owns scratch buffers
//   PdqResult r = hasher.Hash(view);        // view: PixelView of any size
//   PdqDihedralResult d = hasher.HashDihedral(view);
//   d.hashes[static_cast<int>(DihedralTransform::kRotate90)] ...
//
// Images whose width or height exceeds 512 are first sampled to 512x512 with
// nearest-neighbour (as the reference tool does); images with a side below 5
// pixels get the all-zero hash and quality 0. Pure computation, no I/O.
// Not thread-safe (scratch buffers): use one PdqHasher per thread.
#ifndef CLEARMATCH_HASHING_PDQ_HASHER_H_
#define CLEARMATCH_HASHING_PDQ_HASHER_H_

#include <array>
#include <string_view>
#include <vector>

#include "hashing/pdq_hash.h"
#include "hashing/pixel_view.h"

namespace clearmatch {

// The reference's order of the dihedral variants.
enum class DihedralTransform {
  kOriginal = 0,
  kRotate90 = 1,
  kRotate180 = 2,
  kRotate270 = 3,
  kFlipX = 4,
  kFlipY = 5,
  kFlipPlus1 = 6,   // transpose
  kFlipMinus1 = 7,  // anti-transpose
};
inline constexpr int kDihedralCount = 8;

// "original", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1",
// "flipminus1".
std::string_view DihedralTransformName(DihedralTransform transform);

struct PdqResult {
  PdqHash hash;
  int quality = 0;  // 0..100; below kMinReliableQuality never acts alone
};

struct PdqDihedralResult {
  std::array<PdqHash, kDihedralCount> hashes;  // indexed by DihedralTransform
  int quality = 0;
};

inline constexpr int kPdqMinReliableQuality = 50;

class PdqHasher {
 public:
  // Largest side hashed at full size by the photo hasher.
  static constexpr int kMaxHashedSide = 512;
  // Smaller sides give the all-zero hash and quality 0.
  static constexpr int kMinSide = 5;

  struct Options {
    // Sample images with a side over kMaxHashedSide to 512x512 with
    // nearest-neighbour first, as the reference photo hasher does. vPDQ
    // hashes video frames at full size: false.
    bool sample_large_to_512 = true;
  };

  explicit PdqHasher(Options options);
  PdqHasher() : PdqHasher(Options{}) {}

  // Hash of the image as given (rows top to bottom, no orientation applied).
  PdqResult Hash(const PixelView& image);

  // Hash of the image and of its 7 rotations/flips, from one DCT.
  PdqDihedralResult HashDihedral(const PixelView& image);

  // Hash of a luma plane (Y = 0.299 R + 0.587 G + 0.114 B per pixel, or the
  // grey value), width*height floats, row-major; never resampled. For
  // callers that compute luma themselves (e.g. vPDQ from a frame's planes).
  PdqResult HashLuma(const float* luma, int width, int height);
  // HashLuma and the 7 rotations/flips, from one DCT.
  PdqDihedralResult HashLumaDihedral(const float* luma, int width, int height);

  // The blurred luma the last hash sampled, 64x64 row-major (the DCT's
  // input), for tests that compare the filter itself; zeros before the
  // first hash.
  const std::array<float, 64 * 64>& last_decimated() const {
    return decimated_;
  }

 private:
  // Fills luma_ (after nearest-neighbour sampling when over 512) and returns
  // its dimensions.
  void LoadLuma(const PixelView& image, int* width, int* height);
  // Blur, decimate, quality and DCT of `luma` into dct_ (16x16). Returns the
  // quality.
  int Transform(const float* luma, int width, int height);

  Options options_;
  // Scratch buffers, reused across calls to avoid per-image allocation.
  std::vector<float> luma_;
  std::vector<float> blurred_;
  std::vector<float> scratch_;
  std::vector<float> lanes_;  // rows interleaved for the filter along rows
  std::array<float, 64 * 64> decimated_{};
  std::array<float, 16 * 16> dct_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_HASHING_PDQ_HASHER_H_
