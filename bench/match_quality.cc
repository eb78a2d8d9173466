// match_quality: what the matching core finds on an evaluation set of
// images and videos with the everyday edits of re-uploads, and what it
// flags among unrelated pairs, per review_distance. It runs the code of a
// Check: MediaFingerprinter (options as MatchPipeline sets them from the
// policy: dihedral variants and trimming on), Query::FromFingerprint,
// Matcher::FindMatches over an IndexSnapshot of the originals' hashes (images
// as PDQ entries, videos as vPDQ entries, in two snapshots) and
// VerdictPolicy::Conclude. Writes the tables of docs/MATCH_QUALITY.md
// (Markdown) to stdout; scripts/match_quality.sh makes the set and the page.
//
//   match_quality --images=LIST [--videos=MANIFEST] [--radii=31,35,39]
//
// Flags (--name=value):
//   --images    file of original image paths, one per line (any format
//               OpenCV reads); each is scaled to --max_side and re-encoded
//               as JPEG q95: that file is the banked original
//   --videos    manifest of videos, tab-separated lines
//               "original NAME PATH" and
//               "edit NAME EDIT PATH [QUERY_START QUERY_END TARGET_START
//               TARGET_END]" (the true time ranges of a clip or embedding)
//   --radii     review_distance values to evaluate (default 31,33,...,47;
//               31 is the default policy)
//   --max_side  longest side of the banked originals (default 1024)
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/image_edits.h"
#include "bench/match_quality_report.h"
#include "fingerprint/media_fingerprinter.h"
#include "index/index_builder.h"
#include "matching/matcher.h"
#include "matching/query.h"
#include "matching/verdict_policy.h"

namespace clearmatch::bench {
namespace {

struct Flags {
  std::string images;
  std::string videos;
  std::vector<int> radii = {31, 33, 35, 37, 39, 41, 43, 45, 47};
  int max_side = 1024;
};

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "match_quality: %s\n", message.c_str());
  std::exit(1);
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (name == "--images") {
      flags.images = value;
    } else if (name == "--videos") {
      flags.videos = value;
    } else if (name == "--max_side") {
      if (!absl::SimpleAtoi(value, &flags.max_side)) Fail("bad --max_side");
    } else if (name == "--radii") {
      flags.radii.clear();
      for (absl::string_view part : absl::StrSplit(value, ',')) {
        int r = 0;
        if (!absl::SimpleAtoi(part, &r)) Fail("bad --radii");
        flags.radii.push_back(r);
      }
      std::sort(flags.radii.begin(), flags.radii.end());
    } else {
      Fail("unknown flag " + arg + " (see the file comment)");
    }
  }
  if (flags.images.empty()) Fail("--images is required");
  return flags;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A path as the report shows it: below /usr/share/ or from tests/testdata/.
std::string DisplayName(const std::string& path) {
  for (const char* root : {"/usr/share/", "/tests/testdata/"}) {
    const size_t at = path.find(root);
    if (at != std::string::npos) {
      return (root[1] == 't' ? "testdata/" : "") +
             path.substr(at + std::string(root).size());
    }
  }
  return path;
}

// One policy per review_distance, otherwise the defaults.
std::vector<VerdictPolicy> Policies(const std::vector<int>& radii) {
  std::vector<VerdictPolicy> policies;
  for (int radius : radii) {
    v1::DaemonConfig config;
    config.mutable_default_policy()->set_review_distance(radius);
    absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(config);
    if (!policy.ok()) Fail(std::string(policy.status().message()));
    policies.push_back(*std::move(policy));
  }
  return policies;
}

// The matching core as MatchPipeline::Check runs it, for one fingerprint
// under each policy.
class CheckRunner {
 public:
  explicit CheckRunner(const std::vector<int>& radii)
      : policies_(Policies(radii)) {
    MediaFingerprinter::Options options;
    dihedral_ = policies_[0].WantsDihedral(v1::CheckOptions::DIHEDRAL_DEFAULT);
    options.dihedral = dihedral_;
    options.trim = policies_[0].WantsTrim(v1::CheckOptions::TRIM_DEFAULT);
    absl::StatusOr<std::unique_ptr<MediaFingerprinter>> fingerprinter =
        MediaFingerprinter::Create(options);
    if (!fingerprinter.ok())
      Fail(std::string(fingerprinter.status().message()));
    fingerprinter_ = *std::move(fingerprinter);
  }

  absl::StatusOr<MediaFingerprint> Fingerprint(
      const std::vector<uint8_t>& bytes) {
    return fingerprinter_->Fingerprint(bytes);
  }

  Query QueryOf(const MediaFingerprint& fp) const {
    return Query::FromFingerprint(fp, dihedral_);
  }

  // The matches Check would report under each policy.
  std::vector<std::vector<v1::Match>> Check(const IndexSnapshot& snapshot,
                                            const Query& query) const {
    std::vector<std::vector<v1::Match>> out;
    for (const VerdictPolicy& policy : policies_) {
      absl::StatusOr<std::vector<v1::Match>> matches =
          Matcher(policy).FindMatches(snapshot, query, Matcher::Options{});
      if (!matches.ok()) Fail(std::string(matches.status().message()));
      VerdictPolicy::Conclude(query.ToHashes(), /*hashes_from_caller=*/false,
                              /*allowlist=*/nullptr, *matches);
      out.push_back(*std::move(matches));
    }
    return out;
  }

 private:
  std::vector<VerdictPolicy> policies_;
  bool dihedral_ = true;
  std::unique_ptr<MediaFingerprinter> fingerprinter_;
};

// Each policy's matches to QueryOutcome (own entry `own`).
QueryOutcome Outcome(const std::string& edit, int own,
                     const std::vector<std::vector<v1::Match>>& per_radius) {
  QueryOutcome outcome;
  outcome.edit = edit;
  outcome.original = own;
  const std::string own_id = std::to_string(own);
  for (const std::vector<v1::Match>& matches : per_radius) {
    RadiusOutcome r;
    for (const v1::Match& match : matches) {
      if (match.entry_id() == own_id) {
        r.own = match;
      } else {
        int entry = 0;
        if (!absl::SimpleAtoi(match.entry_id(), &entry)) Fail("bad entry id");
        r.unrelated.push_back(
            {entry, match.distance(), match.decision(), match.transform()});
      }
    }
    outcome.per_radius.push_back(std::move(r));
  }
  return outcome;
}

HashEntry EntryFor(int id, HashType type) {
  HashEntry entry;
  entry.type = type;
  entry.entry_id = std::to_string(id);
  entry.bank = "eval";
  return entry;
}

std::shared_ptr<const IndexSnapshot> Snapshot(std::vector<HashEntry> entries) {
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
      IndexBuilder(IndexBuilder::Options{}).Build(std::move(entries), 1);
  if (!snapshot.ok()) Fail(std::string(snapshot.status().message()));
  return *snapshot;
}

// The original scaled to max_side, or an empty Mat if OpenCV cannot read it.
cv::Mat LoadOriginal(const std::string& path, int max_side) {
  cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) return image;
  const int longest = std::max(image.cols, image.rows);
  if (longest > max_side) {
    const double f = double(max_side) / longest;
    cv::resize(image, image, cv::Size(), f, f, cv::INTER_AREA);
  }
  return image;
}

// Below this a hash matches nothing at the default policy.
constexpr int kReviewMinQuality = BankPolicy{}.review_min_quality;

// The distance of the query's hash closest to `target` among those of
// quality `min_quality` or more, and that hash's quality (the best quality
// among the closest); distance 256 when there is none.
std::pair<int, int> BestDistance(const Query& query, const PdqHash& target,
                                 int min_quality = 0) {
  int best = PdqHash::kBits + 1, quality = 0;
  for (const QueryPdq& q : query.pdq) {
    if (q.quality < min_quality) continue;
    const int d = q.hash.DistanceTo(target);
    if (d < best || (d == best && q.quality > quality)) {
      best = d;
      quality = q.quality;
    }
  }
  return {std::min(best, PdqHash::kBits), quality};
}

EvaluationSet EvaluateImages(const Flags& flags, CheckRunner& runner) {
  EvaluationSet set;
  std::vector<cv::Mat> images;
  std::vector<HashEntry> entries;
  for (const std::string& path : ReadLines(flags.images)) {
    cv::Mat image = LoadOriginal(path, flags.max_side);
    if (image.empty()) {
      std::fprintf(stderr, "skipped (OpenCV cannot read it): %s\n",
                   path.c_str());
      continue;
    }
    absl::StatusOr<MediaFingerprint> fp =
        runner.Fingerprint(EncodeJpeg(image, 95));
    if (!fp.ok() || !fp->pdq) Fail(path + ": " + fp.status().ToString());
    HashEntry entry =
        EntryFor(static_cast<int>(entries.size()), HashType::kPdq);
    entry.pdq = fp->pdq->hashes[0];
    entries.push_back(entry);
    set.originals.push_back(DisplayName(path));
    set.original_quality.push_back(fp->pdq->quality);
    images.push_back(std::move(image));
  }
  const std::shared_ptr<const IndexSnapshot> snapshot = Snapshot(entries);
  const std::vector<ImageEdit> edits = StandardImageEdits();
  for (const ImageEdit& edit : edits) {
    set.edits.push_back({edit.name, edit.description});
  }
  for (size_t i = 0; i < images.size(); ++i) {
    for (const ImageEdit& edit : edits) {
      absl::StatusOr<MediaFingerprint> fp =
          runner.Fingerprint(edit.apply(images[i]));
      if (!fp.ok())
        Fail(set.originals[i] + " " + edit.name + ": " +
             fp.status().ToString());
      const Query query = runner.QueryOf(*fp);
      QueryOutcome outcome = Outcome(edit.name, static_cast<int>(i),
                                     runner.Check(*snapshot, query));
      std::tie(outcome.own_distance, outcome.own_quality) =
          BestDistance(query, entries[i].pdq);
      outcome.quality = fp->pdq ? fp->pdq->quality : 0;
      for (size_t j = 0; j < entries.size(); ++j) {
        if (j == i) continue;
        const auto [distance, quality] = BestDistance(query, entries[j].pdq);
        outcome.unrelated_distances.push_back(distance);
        outcome.unrelated_qualities.push_back(quality);
        outcome.unrelated_counted_distances.push_back(
            BestDistance(query, entries[j].pdq, kReviewMinQuality).first);
      }
      set.queries.push_back(std::move(outcome));
    }
  }
  return set;
}

// The frames of a banked video entry (quality >= 50, as feed publish banks
// them).
std::vector<VpdqFrame> BankFrames(const std::vector<VpdqFeature>& features) {
  std::vector<VpdqFrame> frames;
  for (const VpdqFeature& f : features) {
    if (f.quality < kPdqMinReliableQuality) continue;
    frames.push_back({f.hash, static_cast<int32_t>(f.frame_number), f.seconds});
  }
  return frames;
}

VideoTruth ParseTruth(const std::vector<std::string>& fields) {
  VideoTruth truth;
  if (fields.size() < 8) return truth;
  truth.known = absl::SimpleAtod(fields[4], &truth.query_start) &&
                absl::SimpleAtod(fields[5], &truth.query_end) &&
                absl::SimpleAtod(fields[6], &truth.target_start) &&
                absl::SimpleAtod(fields[7], &truth.target_end);
  return truth;
}

MediaFingerprint FingerprintVideo(CheckRunner& runner,
                                  const std::string& path) {
  absl::StatusOr<MediaFingerprint> fp = runner.Fingerprint(ReadFile(path));
  if (!fp.ok() || !fp->vpdq) Fail(path + ": " + fp.status().ToString());
  return *std::move(fp);
}

EvaluationSet EvaluateVideos(const Flags& flags, CheckRunner& runner) {
  EvaluationSet set;
  if (flags.videos.empty()) return set;
  std::vector<HashEntry> entries;
  std::vector<std::vector<std::string>> edits;
  for (const std::string& line : ReadLines(flags.videos)) {
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    if (fields[0] == "original" && fields.size() == 3) {
      HashEntry entry =
          EntryFor(static_cast<int>(entries.size()), HashType::kVpdq);
      entry.frames =
          BankFrames(FingerprintVideo(runner, fields[2]).vpdq->features);
      if (entry.frames.empty()) Fail(fields[2] + ": no frame of quality 50");
      entries.push_back(std::move(entry));
      set.originals.push_back(fields[1]);
    } else if (fields[0] == "edit" && fields.size() >= 4) {
      edits.push_back(std::move(fields));
    } else {
      Fail("bad manifest line: " + line);
    }
  }
  const std::shared_ptr<const IndexSnapshot> snapshot = Snapshot(entries);
  std::set<std::string> edit_names;
  for (const std::vector<std::string>& fields : edits) {
    const auto own =
        std::find(set.originals.begin(), set.originals.end(), fields[1]);
    if (own == set.originals.end()) Fail("edit of unknown video " + fields[1]);
    const Query query = runner.QueryOf(FingerprintVideo(runner, fields[3]));
    QueryOutcome outcome =
        Outcome(fields[2], static_cast<int>(own - set.originals.begin()),
                runner.Check(*snapshot, query));
    outcome.truth = ParseTruth(fields);
    set.queries.push_back(std::move(outcome));
    if (edit_names.insert(fields[2]).second) {
      set.edits.push_back({fields[2], ""});
    }
  }
  return set;
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  CheckRunner runner(flags.radii);
  const EvaluationSet images = EvaluateImages(flags, runner);
  const EvaluationSet videos = EvaluateVideos(flags, runner);
  PrintReport(flags.radii, images, videos);
  return 0;
}

}  // namespace
}  // namespace clearmatch::bench

int main(int argc, char** argv) { return clearmatch::bench::Main(argc, argv); }
