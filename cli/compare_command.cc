#include <array>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "cli/command.h"
#include "cli/input_reader.h"
#include "cli/json_writer.h"
#include "fingerprint/media_fingerprinter.h"
#include "hashing/hash_variant.h"
#include "hashing/vpdq_matcher.h"

namespace clearmatch::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearmatch compare [--json] [--no-trim] A B\n";

std::string RangesText(const std::vector<VpdqTimeRange>& ranges) {
  std::string text;
  for (const VpdqTimeRange& range : ranges) {
    if (!text.empty()) text += ' ';
    text +=
        absl::StrFormat("%.3f-%.3f", range.start_seconds, range.end_seconds);
  }
  return text.empty() ? "-" : text;
}

std::string RangesJson(const std::vector<VpdqTimeRange>& ranges) {
  std::string json = "[";
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0) json += ", ";
    json += JsonObjectWriter()
                .AddFixed("start", ranges[i].start_seconds, 3)
                .AddFixed("end", ranges[i].end_seconds, 3)
                .Finish();
  }
  return json + "]";
}

// The closest variant of A (rotations and mirrors of the image and of its
// trimmed content) to B (the image, or its trimmed content).
struct ClosestVariant {
  int distance = std::numeric_limits<int>::max();
  std::string transform = "original";  // "rot90", "trimmed+flipx"...
  bool b_trimmed = false;
};

ClosestVariant FindClosestVariant(const MediaFingerprint& a,
                                  const MediaFingerprint& b) {
  ClosestVariant best;
  // The image, then its trimmed content in each reading of its border.
  const auto sides = [](const MediaFingerprint& fp) {
    return std::array<const PdqDihedralResult*, 3>{
        &*fp.pdq, fp.trimmed_pdq ? &*fp.trimmed_pdq : nullptr,
        fp.alternative_pdq ? &*fp.alternative_pdq : nullptr};
  };
  const auto a_sides = sides(a), b_sides = sides(b);
  for (size_t bi = 0; bi < b_sides.size(); ++bi) {
    if (b_sides[bi] == nullptr) continue;
    for (size_t ai = 0; ai < a_sides.size(); ++ai) {
      if (a_sides[ai] == nullptr) continue;
      for (int t = 0; t < kDihedralCount; ++t) {
        const int d = a_sides[ai]->hashes[t].DistanceTo(b_sides[bi]->hashes[0]);
        if (d >= best.distance) continue;
        best.distance = d;
        best.transform =
            HashVariantName({static_cast<DihedralTransform>(t), ai > 0});
        best.b_trimmed = bi > 0;
      }
    }
  }
  return best;
}

void CompareImages(const MediaFingerprint& a, const MediaFingerprint& b,
                   bool json, std::ostream& out) {
  const int direct = a.pdq->hashes[0].DistanceTo(b.pdq->hashes[0]);
  const ClosestVariant closest = FindClosestVariant(a, b);
  const int best = closest.distance;
  const std::string& transform = closest.transform;
  const bool reliable = a.pdq->quality >= kPdqMinReliableQuality &&
                        b.pdq->quality >= kPdqMinReliableQuality;
  if (json) {
    out << JsonObjectWriter()
               .Add("kind", "image-image")
               .Add("distance", direct)
               .Add("best_transform", transform)
               .Add("best_distance", best)
               .AddRaw("b_trimmed", closest.b_trimmed ? "true" : "false")
               .Add("quality_a", a.pdq->quality)
               .Add("quality_b", b.pdq->quality)
               .Add("match",
                    best <= PdqHash::kMatchDistance && reliable ? "yes" : "no")
               .Finish()
        << '\n';
    return;
  }
  out << "PDQ distance " << direct << " (quality " << a.pdq->quality << " / "
      << b.pdq->quality << ")\n";
  out << "closest variant of A: " << transform
      << (closest.b_trimmed ? " (to B trimmed)" : "") << ", distance " << best
      << "\n";
  out << (best <= PdqHash::kMatchDistance && reliable
              ? "match (distance <= 31)\n"
          : reliable ? "no match\n"
                     : "no match (quality below 50: unreliable)\n");
}

// The longest segment A and B share (docs/DAEMON.md, "Videos"), as a JSON
// object, or null.
std::string SegmentJson(const std::optional<VpdqSegment>& segment) {
  if (!segment.has_value()) return "null";
  return JsonObjectWriter()
      .AddRaw("a", RangesJson({segment->query_range}))
      .AddRaw("b", RangesJson({segment->target_range}))
      .AddFixed("seconds_a", segment->query_seconds, 3)
      .AddFixed("seconds_b", segment->target_seconds, 3)
      .AddFixed("pct_of_a", segment->query_coverage_pct, 2)
      .AddFixed("pct_of_b", segment->target_coverage_pct, 2)
      .Finish();
}

std::string SegmentText(const std::optional<VpdqSegment>& segment) {
  if (!segment.has_value()) return "-";
  return absl::StrFormat(
      "A %.3f-%.3f, B %.3f-%.3f (%.1f s; %.1f%% of A, %.1f%% of B)",
      segment->query_range.start_seconds, segment->query_range.end_seconds,
      segment->target_range.start_seconds, segment->target_range.end_seconds,
      segment->query_seconds, segment->query_coverage_pct,
      segment->target_coverage_pct);
}

// One frame list of a video: as decoded, or a variant of it.
struct FrameList {
  HashVariant variant;
  const std::vector<VpdqFeature>* frames;
};

// A's frames and every variant the fingerprinter made (rotations, mirrors,
// trimmed); with `trimmed_only`, B's frames and its trimmed frames.
std::vector<FrameList> FrameListsOf(const VpdqVideoHash& video,
                                    bool trimmed_only) {
  std::vector<FrameList> lists = {{HashVariant{}, &video.features}};
  for (const VpdqFrameVariant& v : video.variants) {
    if (trimmed_only && v.transform != DihedralTransform::kOriginal) continue;
    lists.push_back({{v.transform, v.trimmed}, &v.features});
  }
  return lists;
}

// The pair of frame lists of A and B that match best: a match first, then
// the higher sum of the two percentages; the frames as decoded on a tie.
struct ClosestVideoVariant {
  FrameList a, b;
  VpdqMatchResult result;
};

ClosestVideoVariant FindClosestVideoVariant(const VpdqVideoHash& a,
                                            const VpdqVideoHash& b) {
  std::optional<ClosestVideoVariant> best;
  for (const FrameList& bl : FrameListsOf(b, /*trimmed_only=*/true)) {
    for (const FrameList& al : FrameListsOf(a, /*trimmed_only=*/false)) {
      VpdqMatchResult r = MatchVpdq(*al.frames, *bl.frames, VpdqMatchOptions{});
      const auto rank = [](const VpdqMatchResult& m) {
        return std::make_pair(m.is_match, m.query_pct + m.target_pct);
      };
      if (!best || rank(r) > rank(best->result)) {
        best = ClosestVideoVariant{al, bl, std::move(r)};
      }
    }
  }
  return *std::move(best);
}

void CompareVideos(const MediaFingerprint& a, const MediaFingerprint& b,
                   bool json, std::ostream& out) {
  const ClosestVideoVariant closest = FindClosestVideoVariant(*a.vpdq, *b.vpdq);
  const VpdqMatchResult& r = closest.result;
  const std::optional<VpdqSegment> segment =
      FindVpdqSegment(*closest.a.frames, *closest.b.frames, VpdqMatchOptions{});
  const std::string variant = HashVariantName(closest.a.variant);
  const bool b_trimmed = closest.b.variant.trimmed;
  if (json) {
    out << JsonObjectWriter()
               .Add("kind", "video-video")
               .Add("best_transform", variant)
               .AddRaw("b_trimmed", b_trimmed ? "true" : "false")
               .AddFixed("query_pct", r.query_pct, 2)
               .AddFixed("target_pct", r.target_pct, 2)
               .Add("match", r.is_match ? "yes" : "no")
               .AddRaw("query_ranges", RangesJson(r.query_ranges))
               .AddRaw("target_ranges", RangesJson(r.target_ranges))
               .AddRaw("segment", SegmentJson(segment))
               .Finish()
        << '\n';
    return;
  }
  out << "closest variant of A: " << variant
      << (b_trimmed ? " (to B trimmed)" : "") << "\n";
  out << absl::StrFormat(
      "query_pct %.2f (%d of %d unique frames of A found in B)\n", r.query_pct,
      r.matched_query_hashes, r.unique_query_hashes);
  out << absl::StrFormat(
      "target_pct %.2f (%d of %d unique frames of B found in A)\n",
      r.target_pct, r.matched_target_hashes, r.unique_target_hashes);
  out << (r.is_match ? "match" : "no match")
      << " (rule: query_pct >= 80, distance <= 31, quality >= 50)\n";
  out << "matched in A: " << RangesText(r.query_ranges) << "\n";
  out << "matched in B: " << RangesText(r.target_ranges) << "\n";
  out << "longest shared segment: " << SegmentText(segment) << "\n";
}

void CompareImageToVideo(const MediaFingerprint& image,
                         const MediaFingerprint& video, bool json,
                         std::ostream& out) {
  const VpdqImageMatch m =
      MatchImageToVpdq(image.pdq->hashes[0], image.pdq->quality,
                       video.vpdq->features, VpdqMatchOptions{});
  if (json) {
    std::string frames = "[";
    for (size_t i = 0; i < m.frames.size(); ++i) {
      if (i > 0) frames += ", ";
      frames += JsonObjectWriter()
                    .Add("frame", m.frames[i].frame_number)
                    .AddFixed("seconds", m.frames[i].seconds, 3)
                    .Add("distance",
                         image.pdq->hashes[0].DistanceTo(m.frames[i].hash))
                    .Finish();
    }
    out << JsonObjectWriter()
               .Add("kind", "image-video")
               .Add("match", m.frames.empty() ? "no" : "yes")
               .AddRaw("frames", frames + "]")
               .AddRaw("ranges", RangesJson(m.ranges))
               .Finish()
        << '\n';
    return;
  }
  if (m.frames.empty()) {
    out << "no frame of the video matches the image"
        << (image.pdq->quality < kPdqMinReliableQuality
                ? " (image quality below 50: unreliable)\n"
                : "\n");
    return;
  }
  out << m.frames.size() << " frame(s) of the video match the image:\n";
  for (const VpdqFeature& frame : m.frames) {
    out << absl::StrFormat("  frame %d at %.3f s, distance %d\n",
                           frame.frame_number, frame.seconds,
                           image.pdq->hashes[0].DistanceTo(frame.hash));
  }
  out << "time ranges: " << RangesText(m.ranges) << "\n";
}

}  // namespace

int RunCompareCommand(const std::vector<std::string>& args, std::ostream& out,
                      std::ostream& err) {
  bool json = false;
  bool trim = true;
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    if (arg == "--json") {
      json = true;
    } else if (arg == "--no-trim") {
      trim = false;
    } else if (arg.size() > 1 && arg[0] == '-') {
      err << "clearmatch compare: unknown flag " << arg << "\n" << kUsage;
      return kExitUsage;
    } else {
      files.push_back(arg);
    }
  }
  if (files.size() != 2) {
    err << kUsage;
    return kExitUsage;
  }
  MediaFingerprinter::Options options;
  options.dihedral = true;
  options.trim = trim;
  auto fingerprinter = MediaFingerprinter::Create(options);
  if (!fingerprinter.ok()) {
    err << "clearmatch compare: " << fingerprinter.status().message() << "\n";
    return kExitUsage;
  }
  MediaFingerprint fingerprints[2];
  for (int i = 0; i < 2; ++i) {
    auto bytes = ReadInput(files[i], (*fingerprinter)->max_input_bytes());
    absl::StatusOr<MediaFingerprint> fp =
        bytes.ok() ? (*fingerprinter)->Fingerprint(*bytes)
                   : absl::StatusOr<MediaFingerprint>(bytes.status());
    if (!fp.ok()) {
      err << files[i] << ": error: " << fp.status().message() << "\n";
      return kExitInputFailed;
    }
    fingerprints[i] = *std::move(fp);
  }
  const MediaFingerprint& a = fingerprints[0];
  const MediaFingerprint& b = fingerprints[1];
  if (a.pdq && b.pdq) {
    CompareImages(a, b, json, out);
  } else if (a.vpdq && b.vpdq) {
    CompareVideos(a, b, json, out);
  } else {
    CompareImageToVideo(a.pdq ? a : b, a.pdq ? b : a, json, out);
  }
  return kExitOk;
}

}  // namespace clearmatch::cli
