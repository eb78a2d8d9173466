// VerdictPolicy: every rule that turns what matched into a decision
// (docs/DAEMON.md, "Verdict rules"), per bank.
//
//   CM_ASSIGN_OR_RETURN(VerdictPolicy policy, VerdictPolicy::Create(config));
//   const BankPolicy& bank = policy.ForBank("stopncii");
//   v1::Decision d = VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 12, 90);
//   v1::Decision overall = VerdictPolicy::Conclude(
//       content, /*hashes_from_caller=*/false, allowlist, matches);
//
// For one match:
//   - exact digest (MD5, SHA-1, SHA-256): the context's action;
//   - PDQ at distance <= auto_distance with quality >= min_quality: the
//     context's action; within review_distance (or quality below
//     min_quality but not below review_min_quality): REVIEW;
//     a rotated or mirrored variant counts only where the bank (or the
//     request) turns dihedral matching on, a hash of the content with its
//     borders trimmed only where the bank (or the request) turns trimming
//     on;
//   - vPDQ video entry: the context's action when both percentages reach
//     the bank's thresholds at auto_distance, REVIEW when they only do at
//     review_distance (the reference rule, PERCENTAGE); otherwise the
//     longest segment the two videos share at one time offset (a clip, or
//     the banked video inside the upload): REVIEW when it lasts at least
//     min_segment_seconds in both, the action when it also covers the
//     target threshold (vpdq_target_pct, or vpdq_query_pct when that is 0)
//     of the banked video.
// For the request: matches a reviewer allowlisted for this content (by
// the hash of the kind that matched) are dropped; shadow banks report their
// matches but never change the decision; the decision is the most severe over
// the others (TAKEDOWN > BLOCK > REVIEW > ALLOW). Immutable after Create;
// thread-safe.
#ifndef CLEARMATCH_MATCHING_VERDICT_POLICY_H_
#define CLEARMATCH_MATCHING_VERDICT_POLICY_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/config.pb.h"
#include "clearmatch/v1/matcher.pb.h"
#include "hashing/pdq_hasher.h"
#include "hashing/vpdq_feature.h"
#include "hashing/vpdq_matcher.h"
#include "index/index_snapshot.h"
#include "matching/allowlist.h"
#include "matching/video_verdict.h"

namespace clearmatch {

// One bank's resolved policy (config.proto's Policy with defaults filled).
struct BankPolicy {
  v1::Decision upload_action = v1::BLOCK;
  v1::Decision rescan_action = v1::TAKEDOWN;
  int auto_distance = 31;
  int review_distance = 31;
  int min_quality = 50;
  // Below this quality a PDQ hash matches nothing (between it and
  // min_quality: REVIEW at most).
  int review_min_quality = 10;
  bool dihedral = true;
  // Whether hashes of the content with its borders trimmed count.
  bool trim = true;
  double vpdq_query_pct = 80;
  double vpdq_target_pct = 0;
  bool shadow = false;
  // The segment rules' shortest segment; 0 turns them off.
  double min_segment_seconds = 3;
};

// TAKEDOWN > BLOCK > REVIEW > ALLOW (> DECISION_UNSPECIFIED).
v1::Decision MoreSevere(v1::Decision a, v1::Decision b);

class VerdictPolicy {
 public:
  // Largest review_distance: the farthest the index searches.
  static constexpr int kMaxReviewDistance = IndexSnapshot::kMaxSearchDistance;

  // INVALID_ARGUMENT naming the key ("banks[1].policy.auto_distance") of
  // the first bad value.
  static absl::StatusOr<VerdictPolicy> Create(const v1::DaemonConfig& config);

  // The bank's policy, or the default policy for unlisted banks.
  const BankPolicy& ForBank(absl::string_view bank) const;

  // Largest review_distance of any bank: the PDQ search radius.
  int SearchDistance() const { return search_distance_; }
  // Whether media must be hashed in all 8 dihedral variants for `option`:
  // when the request asks for it, or leaves it to banks and one counts them.
  bool WantsDihedral(v1::CheckOptions::Dihedral option) const;
  // Whether media must also be hashed with its borders trimmed for
  // `option`: when the request asks for it, or leaves it to banks and one
  // counts trimmed hashes.
  bool WantsTrim(v1::CheckOptions::Trim option) const;

  // The context's action (UPLOAD -> upload_action, RESCAN -> rescan_action).
  static v1::Decision Action(v1::Context context, const BankPolicy& bank);
  // Whether a hash of `transform` may match an entry of `bank`.
  static bool CountsTransform(v1::CheckOptions::Dihedral option,
                              const BankPolicy& bank,
                              DihedralTransform transform);
  // Whether a hash of the trimmed content may match an entry of `bank`.
  static bool CountsTrim(v1::CheckOptions::Trim option, const BankPolicy& bank);
  // Decision for a PDQ match; ALLOW beyond review_distance and below
  // review_min_quality. `quality` may be QueryPdq::kUnknownQuality (-1: a
  // caller's hash without one): REVIEW at most, never dropped.
  static v1::Decision DecidePdq(v1::Context context, const BankPolicy& bank,
                                int distance, int quality);
  // Decision for a vPDQ video entry (`target`) against the upload's frames
  // (`query`): the reference rule's (two passes, above), or a segment
  // rule's when that is more severe.
  static VideoVerdict DecideVideo(v1::Context context, const BankPolicy& bank,
                                  const std::vector<VpdqFeature>& query,
                                  const std::vector<VpdqFeature>& target);

  // The request's decision over `matches` (each with its own decision):
  // removes those `allowlist` (may be null) holds for `content` (see
  // Allowlist::Contains for `hashes_from_caller`), then the most severe
  // decision of the non-shadow ones; ALLOW when none is left.
  static v1::Decision Conclude(const v1::Hashes& content,
                               bool hashes_from_caller,
                               const Allowlist* allowlist,
                               std::vector<v1::Match>& matches);

 private:
  VerdictPolicy() = default;

  // The segment rules: sets `verdict`'s decision, rule and segment when the
  // longest segment qualifies (leaves it alone otherwise).
  static void ApplySegmentRule(v1::Context context, const BankPolicy& bank,
                               const std::vector<VpdqFeature>& query,
                               const std::vector<VpdqFeature>& target,
                               VideoVerdict& verdict);

  BankPolicy default_policy_;
  absl::flat_hash_map<std::string, BankPolicy> banks_;
  int search_distance_ = 31;
  bool any_dihedral_ = true;
  bool any_trim_ = true;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_MATCHING_VERDICT_POLICY_H_
