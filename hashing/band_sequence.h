// Internal to FindContentRect (hashing/border_detector.cc): the bands of
// uniform lines at one edge, and where a border among them ends.
#ifndef CLEARMATCH_HASHING_BAND_SEQUENCE_H_
#define CLEARMATCH_HASHING_BAND_SEQUENCE_H_

#include <algorithm>
#include <array>
#include <cstdlib>

#include "hashing/border_detector.h"

namespace clearmatch::border_scan {

// A border found at one edge (depth 0: none): the luma of its last line
// and of its deepest wide band (what a frame's side is made of, not the
// blurred line into the content after it), and the end and luma of its
// outermost wide band (of the first border found at this edge).
struct Border {
  int depth = 0;
  double level = 0;
  double band_level = 0;
  int outer_depth = 0;
  double outer_level = 0;
};

// The runs of consecutive uniform lines of one edge, from the edge inward:
// a run is a flat band (its lines within band_tolerance of its first line's
// level). A gradient (a plain sky, a vignette) is a chain of runs each a
// small step from the last.
class BandSequence {
 public:
  // Runs beyond this are not kept: a border has ended long before.
  static constexpr int kMaxRuns = 64;

  explicit BandSequence(const BorderTrimOptions& options) : options_(options) {}

  // Starts the sequence with the border already trimmed at this edge (its
  // depth and last luma): a band just outside line 0, so that what follows
  // is border only as the rest of a frame, never the step into content.
  void StartAfterBorder(int depth, double level) {
    runs_[0] = Run{-std::max(depth, kWideBandLines), level, level};
    count_ = 1;
  }

  // Adds the next line (its level); false when there are too many runs
  // (the line is not added).
  bool Add(double level) {
    if (count_ == 0 || std::abs(level - runs_[count_ - 1].first_level) >
                           options_.band_tolerance) {
      if (count_ == kMaxRuns) return false;
      runs_[count_++] = Run{lines_, level, level};
    }
    runs_[count_ - 1].last_level = level;
    ++lines_;
    return true;
  }

  // Where a gradient starts (the first run of two consecutive small steps),
  // or the number of lines when there is none.
  int GradientStart() const {
    for (int i = 1; i + 1 < count_; ++i) {
      if (SmallStep(i) && SmallStep(i + 1)) {
        return std::max(0, runs_[i - 1].start);
      }
    }
    return lines_;
  }

  // Where the border ends among the lines before `limit`: at the start of
  // the first wide band that follows a wide band across a clear step (a
  // flat region of the content next to the border, even if uniform), or
  // `limit`. A wide band is still border as part of a frame: after a thin
  // line (a bar, a line, a mat), or when the frame's colour resumes after it
  // (a line drawn inside a bar). A band under a quarter of the width of the
  // band before it counts as a line (a 2-pixel line blurred over 3).
  int BorderEnd(int limit) const {
    int last_wide = -1;
    for (int i = 0; i < count_ && runs_[i].start < limit; ++i) {
      if (!Wide(i, limit)) continue;
      if (last_wide >= 0 && 4 * Width(i, limit) <= Width(last_wide, limit)) {
        continue;
      }
      if (last_wide >= 0 && ClearStep(last_wide, i) &&
          !LineBetween(last_wide, i) && !FrameResumes(last_wide, i, limit)) {
        return std::max(0, runs_[i].start);
      }
      last_wide = i;
    }
    return limit;
  }

  // The start of the deepest run before line `depth` that begins with a
  // clear step from the run before it; 0 when there is none.
  int LastStepBefore(int depth) const {
    for (int i = count_ - 1; i > 0; --i) {
      if (runs_[i].start < depth && ClearStep(i - 1, i)) {
        return std::max(0, runs_[i].start);
      }
    }
    return 0;
  }

  // Whether the runs before line `depth` look like a border: few bands.
  bool FewBandsBefore(int depth) const {
    int wide = 0, narrow = 0;
    for (int i = 0; i < count_ && runs_[i].start < depth; ++i) {
      if (Wide(i, depth)) {
        ++wide;
      } else {
        ++narrow;
      }
    }
    return wide <= options_.max_wide_bands &&
           narrow <= options_.max_narrow_runs;
  }

  // Level of the last line of the run holding line `depth - 1`.
  double LevelBefore(int depth) const {
    int i = count_ - 1;
    while (i > 0 && runs_[i].start >= depth) --i;
    return runs_[i].last_level;
  }

  // The border of the lines before `depth` (see Border). Runs before line
  // 0 (StartAfterBorder) are not an outermost band.
  Border BorderAt(int depth) const {
    const double last = LevelBefore(depth);
    Border border{depth, last, last, depth, last};
    for (int i = count_ - 1; i >= 0; --i) {
      if (runs_[i].start < depth && Wide(i, depth)) {
        border.band_level = runs_[i].last_level;
        break;
      }
    }
    for (int i = 0; i < count_ && runs_[i].start < depth; ++i) {
      if (runs_[i].start >= 0 && Wide(i, depth)) {
        border.outer_level = runs_[i].last_level;
        border.outer_depth = OuterBandEnd(i, depth);
        break;
      }
    }
    return border;
  }

 private:
  static constexpr int kWideBandLines = 3;

  // Where the outermost wide band `i` ends as a border of its own: its end
  // when a band of 3 lines or more follows it before `depth` (not the
  // blurred line into the content, nor a line drawn in a frame), else
  // `depth` (one frame).
  int OuterBandEnd(int i, int depth) const {
    int next = i + 1;
    while (next < count_ && runs_[next].start < depth && !Wide(next, depth)) {
      ++next;
    }
    const bool line_next =
        next < count_ && runs_[next].start < depth && LineBetween(i, next);
    const int end = std::min(End(i), depth);
    return depth - end >= kWideBandLines && !line_next ? end : depth;
  }

  struct Run {
    int start = 0;  // first line
    double first_level = 0;
    double last_level = 0;
  };

  int End(int i) const { return i + 1 < count_ ? runs_[i + 1].start : lines_; }

  // Lines of run `i` before `limit`.
  int Width(int i, int limit) const {
    return std::min(End(i), limit) - runs_[i].start;
  }

  // Whether run `i` has at least kWideBandLines lines before `limit`.
  bool Wide(int i, int limit) const {
    return Width(i, limit) >= kWideBandLines;
  }

  // Whether run `i` lies inside a frame: it is at the level of a wide band
  // before it (the frame's colour resumes), or it is no wider than the band
  // `last_wide` before it and a wide band after it (before `limit`) is.
  bool FrameResumes(int last_wide, int i, int limit) const {
    if (AtEarlierBandLevel(i, i, limit)) return true;
    if (Width(i, limit) > Width(last_wide, limit)) return false;
    for (int k = i + 1; k < count_ && runs_[k].start < limit; ++k) {
      if (Wide(k, limit) && AtEarlierBandLevel(k, i, limit)) return true;
    }
    return false;
  }

  // Whether run `k` is at the level of a wide band before run `before`.
  bool AtEarlierBandLevel(int k, int before, int limit) const {
    for (int j = 0; j < before; ++j) {
      if (Wide(j, limit) &&
          std::abs(runs_[k].first_level - runs_[j].last_level) <=
              2 * options_.band_tolerance) {
        return true;
      }
    }
    return false;
  }

  // Whether run `i` starts a small step (a gradient's) from run i - 1.
  bool SmallStep(int i) const {
    return std::abs(runs_[i].first_level - runs_[i - 1].last_level) <=
           2 * options_.band_tolerance;
  }

  // Whether run `b` starts more than a small step away from run `a`.
  bool ClearStep(int a, int b) const {
    return std::abs(runs_[b].first_level - runs_[a].last_level) >
           2 * options_.band_tolerance;
  }

  // Whether a narrow run between runs `a` and `b` is a thin line: clearly
  // darker or lighter than both (a blurred transition lies between them).
  bool LineBetween(int a, int b) const {
    const double low = std::min(runs_[a].last_level, runs_[b].first_level);
    const double high = std::max(runs_[a].last_level, runs_[b].first_level);
    for (int i = a + 1; i < b; ++i) {
      const double level = runs_[i].first_level;
      if (level < low - options_.pixel_tolerance ||
          level > high + options_.pixel_tolerance) {
        return true;
      }
    }
    return false;
  }

  const BorderTrimOptions& options_;
  std::array<Run, kMaxRuns> runs_{};
  int count_ = 0;
  int lines_ = 0;
};

}  // namespace clearmatch::border_scan

#endif  // CLEARMATCH_HASHING_BAND_SEQUENCE_H_
