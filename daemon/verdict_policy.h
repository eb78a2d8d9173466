// VerdictPolicy: the per-bank rules that turn matches into a decision
// (docs/DAEMON.md, "Verdict rules").
//
//   CM_ASSIGN_OR_RETURN(VerdictPolicy policy, VerdictPolicy::Create(config));
//   const BankPolicy& bank = policy.ForBank("stopncii");
//   v1::Decision d = policy.DecidePdq(v1::UPLOAD, bank, distance, quality);
//   v1::Decision overall = MoreSevere(d1, d2);
//
// For one match:
//   - exact digest (MD5, SHA-1, SHA-256): the context's action;
//   - PDQ at distance <= auto_distance with quality >= min_quality: the
//     context's action; within review_distance (or low quality): REVIEW;
//   - vPDQ video entry: the context's action when both percentages reach
//     the bank's thresholds at auto_distance, REVIEW when they only do at
//     review_distance.
// Shadow banks report their matches but never change the decision. The
// request's decision is the most severe over the non-shadow matches
// (TAKEDOWN > BLOCK > REVIEW > ALLOW).
// Immutable after Create; thread-safe.
#ifndef CLEARMATCH_DAEMON_VERDICT_POLICY_H_
#define CLEARMATCH_DAEMON_VERDICT_POLICY_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/config.pb.h"
#include "clearmatch/v1/matcher.pb.h"

namespace clearmatch {

// One bank's resolved policy (config.proto's Policy with defaults filled).
struct BankPolicy {
  v1::Decision upload_action = v1::BLOCK;
  v1::Decision rescan_action = v1::TAKEDOWN;
  int auto_distance = 31;
  int review_distance = 31;
  int min_quality = 50;
  bool dihedral = true;
  double vpdq_query_pct = 80;
  double vpdq_target_pct = 0;
  bool shadow = false;
};

// TAKEDOWN > BLOCK > REVIEW > ALLOW (> DECISION_UNSPECIFIED).
v1::Decision MoreSevere(v1::Decision a, v1::Decision b);

class VerdictPolicy {
 public:
  // INVALID_ARGUMENT naming the key ("banks[1].policy.auto_distance") of
  // the first bad value.
  static absl::StatusOr<VerdictPolicy> Create(const v1::DaemonConfig& config);

  // The bank's policy, or the default policy for unlisted banks.
  const BankPolicy& ForBank(absl::string_view bank) const;

  // Largest review_distance of any bank: the PDQ search radius.
  int SearchDistance() const { return search_distance_; }
  // Whether any bank counts dihedral variants.
  bool AnyDihedral() const { return any_dihedral_; }

  // The context's action (UPLOAD -> upload_action, RESCAN -> rescan_action).
  static v1::Decision Action(v1::Context context, const BankPolicy& bank);
  // Decision for a PDQ match; ALLOW beyond review_distance.
  static v1::Decision DecidePdq(v1::Context context, const BankPolicy& bank,
                                int distance, int quality);

 private:
  VerdictPolicy() = default;

  BankPolicy default_policy_;
  absl::flat_hash_map<std::string, BankPolicy> banks_;
  int search_distance_ = 31;
  bool any_dihedral_ = true;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_VERDICT_POLICY_H_
