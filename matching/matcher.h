// Matcher: one Query against one IndexSnapshot, to the matches that the
// VerdictPolicy does not ALLOW, the best per index entry. The same code
// serves the daemon's Check and `clearmatch match`.
//
//   Matcher matcher(policy);
//   CM_ASSIGN_OR_RETURN(std::vector<v1::Match> matches,
//                       matcher.FindMatches(*snapshot, query, options));
//   v1::Decision d =
//       VerdictPolicy::Conclude(content, from_caller, allowlist, matches);
//
// What is looked up:
//   - image: every PDQ entry near the hash or a variant the bank counts
//     (rotations and mirrors, the content with its borders trimmed);
//   - video: PDQ entries near any frame (an image seen in the video, with
//     the time ranges where it appears) and vPDQ video entries by the
//     per-video percentages; the same for each variant of the frames
//     (rotated, mirrored, letterbox bars trimmed) the bank counts, the best
//     variant per entry (Match.transform names it);
//   - the MD5, SHA-1 and SHA-256 digests, exactly.
// Thread-safe (const); borrows the policy, which must outlive it.
#ifndef CLEARMATCH_MATCHING_MATCHER_H_
#define CLEARMATCH_MATCHING_MATCHER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/matcher.pb.h"
#include "hashing/hash_variant.h"
#include "hashing/pdq_hash.h"
#include "index/index_snapshot.h"
#include "matching/match_set.h"
#include "matching/query.h"
#include "matching/verdict_policy.h"

namespace clearmatch {

class Matcher {
 public:
  struct Options {
    v1::Context context = v1::UPLOAD;
    v1::CheckOptions::Dihedral dihedral = v1::CheckOptions::DIHEDRAL_DEFAULT;
    v1::CheckOptions::Trim trim = v1::CheckOptions::TRIM_DEFAULT;
    // Caps the PDQ search radius below the policy's (the CLI's
    // --max-distance); matches further away are not looked for.
    int max_distance = VerdictPolicy::kMaxReviewDistance;
  };

  explicit Matcher(const VerdictPolicy& policy) : policy_(policy) {}

  // Sorted as MatchSet::Sorted. Errors from the index: INVALID_ARGUMENT,
  // RESOURCE_EXHAUSTED (too many query codes), INTERNAL.
  absl::StatusOr<std::vector<v1::Match>> FindMatches(
      const IndexSnapshot& snapshot, const Query& query,
      const Options& options) const;

 private:
  int Radius(const Options& options) const;
  // One list of a video's frames to look up: as decoded, or a variant.
  struct FrameList;
  absl::Status MatchImage(const IndexSnapshot& snapshot, const Query& query,
                          const Options& options, MatchSet& matches) const;
  // The query's frame lists some bank may count under `options`.
  std::vector<FrameList> FrameLists(const Query& query,
                                    const Options& options) const;
  // Whether hashes of `variant` may match an entry of `bank` (its dihedral
  // and trim switches under `options`).
  static bool Counts(const HashVariant& variant, const BankPolicy& bank,
                     const Options& options);
  // One list of video frames against image entries, and against vPDQ video
  // entries.
  absl::Status MatchFramesToImages(const IndexSnapshot& snapshot,
                                   const FrameList& list,
                                   const Options& options,
                                   MatchSet& matches) const;
  absl::Status MatchVideoEntries(const IndexSnapshot& snapshot,
                                 const FrameList& list, const Options& options,
                                 MatchSet& matches) const;
  absl::Status MatchDigests(const IndexSnapshot& snapshot, const Query& query,
                            const Options& options, MatchSet& matches) const;
  // Offers the PDQ hit to `matches` unless the policy allows it; whether it
  // did.
  // `variant` names the query hash's variant (HashVariantName).
  bool OfferPdq(const PdqHit& hit, int quality, absl::string_view variant,
                const BankPolicy& bank, const Options& options,
                MatchSet& matches) const;
  const BankPolicy& PolicyOf(const EntryView& entry) const;

  const VerdictPolicy& policy_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_MATCHING_MATCHER_H_
