// Per-bank verdict rules.
#include "matching/verdict_policy.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "hashing/pdq_hash.h"
#include "hashing/pdq_hasher.h"

namespace clearmatch {
namespace {

// How severe each decision is, by its enum value: DECISION_UNSPECIFIED 0,
// ALLOW 1, BLOCK 3, TAKEDOWN 4, REVIEW 2.
int Severity(v1::Decision decision) {
  static constexpr int kSeverity[] = {0, 1, 3, 4, 2};
  const int value = static_cast<int>(decision);
  return value >= 0 && value < 5 ? kSeverity[value] : 0;
}

// Longest min_segment_seconds: the longest video the decoders take (4 h).
constexpr double kMaxSegmentSeconds = 4 * 3600;

absl::Status Merge(const v1::Policy& in, absl::string_view key,
                   BankPolicy* out) {
  auto bad = [&](absl::string_view field, auto value, absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ".", field, ": ", value, " ", why));
  };
  if (in.has_upload_action()) {
    if (in.upload_action() == v1::DECISION_UNSPECIFIED) {
      return bad("upload_action", "DECISION_UNSPECIFIED",
                 "is not an action (ALLOW, BLOCK, TAKEDOWN or REVIEW)");
    }
    out->upload_action = in.upload_action();
  }
  if (in.has_rescan_action()) {
    if (in.rescan_action() == v1::DECISION_UNSPECIFIED) {
      return bad("rescan_action", "DECISION_UNSPECIFIED",
                 "is not an action (ALLOW, BLOCK, TAKEDOWN or REVIEW)");
    }
    out->rescan_action = in.rescan_action();
  }
  if (in.has_auto_distance()) out->auto_distance = in.auto_distance();
  if (in.has_review_distance()) out->review_distance = in.review_distance();
  if (in.has_min_quality()) out->min_quality = in.min_quality();
  if (in.has_review_min_quality()) {
    out->review_min_quality = in.review_min_quality();
  }
  if (in.has_dihedral()) out->dihedral = in.dihedral();
  if (in.has_trim()) out->trim = in.trim();
  if (in.has_vpdq_query_pct()) out->vpdq_query_pct = in.vpdq_query_pct();
  if (in.has_vpdq_target_pct()) out->vpdq_target_pct = in.vpdq_target_pct();
  if (in.has_shadow()) out->shadow = in.shadow();
  if (in.has_min_segment_seconds()) {
    out->min_segment_seconds = in.min_segment_seconds();
  }
  if (out->auto_distance < 0 || out->auto_distance > PdqHash::kMatchDistance) {
    return bad("auto_distance", out->auto_distance, "is outside 0..31");
  }
  if (out->review_distance < out->auto_distance ||
      out->review_distance > VerdictPolicy::kMaxReviewDistance) {
    return bad("review_distance", out->review_distance,
               absl::StrCat("is outside auto_distance..",
                            VerdictPolicy::kMaxReviewDistance, " (",
                            out->auto_distance, "..",
                            VerdictPolicy::kMaxReviewDistance, ")"));
  }
  if (out->min_quality < kPdqMinReliableQuality || out->min_quality > 100) {
    return bad("min_quality", out->min_quality,
               "is outside 50..100 (below 50 never acts automatically)");
  }
  if (out->review_min_quality < 0 ||
      out->review_min_quality > out->min_quality) {
    return bad(
        "review_min_quality", out->review_min_quality,
        absl::StrCat("is outside 0..min_quality (0..", out->min_quality, ")"));
  }
  if (!(out->vpdq_query_pct >= 0 && out->vpdq_query_pct <= 100)) {
    return bad("vpdq_query_pct", out->vpdq_query_pct, "is outside 0..100");
  }
  if (!(out->vpdq_target_pct >= 0 && out->vpdq_target_pct <= 100)) {
    return bad("vpdq_target_pct", out->vpdq_target_pct, "is outside 0..100");
  }
  if (!(out->min_segment_seconds >= 0 &&
        out->min_segment_seconds <= kMaxSegmentSeconds)) {
    return bad("min_segment_seconds", out->min_segment_seconds,
               absl::StrCat("is outside 0..", kMaxSegmentSeconds,
                            " (seconds; 0 turns the segment rules off)"));
  }
  return absl::OkStatus();
}

}  // namespace

v1::Decision MoreSevere(v1::Decision a, v1::Decision b) {
  return Severity(a) >= Severity(b) ? a : b;
}

absl::StatusOr<VerdictPolicy> VerdictPolicy::Create(
    const v1::DaemonConfig& config) {
  VerdictPolicy policy;
  absl::Status status =
      Merge(config.default_policy(), "default_policy", &policy.default_policy_);
  if (!status.ok()) return status;
  policy.search_distance_ = policy.default_policy_.review_distance;
  policy.any_dihedral_ = policy.default_policy_.dihedral;
  policy.any_trim_ = policy.default_policy_.trim;
  for (int i = 0; i < config.banks_size(); ++i) {
    const v1::BankPolicy& bank = config.banks(i);
    const std::string key = absl::StrCat("banks[", i, "]");
    if (bank.bank().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".bank: must not be empty"));
    }
    if (policy.banks_.contains(bank.bank())) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".bank: \"", bank.bank(), "\" is listed twice"));
    }
    BankPolicy resolved = policy.default_policy_;
    status = Merge(bank.policy(), absl::StrCat(key, ".policy"), &resolved);
    if (!status.ok()) return status;
    policy.search_distance_ =
        std::max(policy.search_distance_, resolved.review_distance);
    policy.any_dihedral_ = policy.any_dihedral_ || resolved.dihedral;
    policy.any_trim_ = policy.any_trim_ || resolved.trim;
    policy.banks_.emplace(bank.bank(), resolved);
  }
  return policy;
}

const BankPolicy& VerdictPolicy::ForBank(absl::string_view bank) const {
  auto it = banks_.find(bank);
  return it == banks_.end() ? default_policy_ : it->second;
}

bool VerdictPolicy::WantsDihedral(v1::CheckOptions::Dihedral option) const {
  return option == v1::CheckOptions::DIHEDRAL_ON ||
         (option == v1::CheckOptions::DIHEDRAL_DEFAULT && any_dihedral_);
}

bool VerdictPolicy::WantsTrim(v1::CheckOptions::Trim option) const {
  return option == v1::CheckOptions::TRIM_ON ||
         (option == v1::CheckOptions::TRIM_DEFAULT && any_trim_);
}

bool VerdictPolicy::CountsTrim(v1::CheckOptions::Trim option,
                               const BankPolicy& bank) {
  return option == v1::CheckOptions::TRIM_ON ||
         (option == v1::CheckOptions::TRIM_DEFAULT && bank.trim);
}

v1::Decision VerdictPolicy::Action(v1::Context context,
                                   const BankPolicy& bank) {
  return context == v1::RESCAN ? bank.rescan_action : bank.upload_action;
}

bool VerdictPolicy::CountsTransform(v1::CheckOptions::Dihedral option,
                                    const BankPolicy& bank,
                                    DihedralTransform transform) {
  if (transform == DihedralTransform::kOriginal) return true;
  return option == v1::CheckOptions::DIHEDRAL_ON ||
         (option == v1::CheckOptions::DIHEDRAL_DEFAULT && bank.dihedral);
}

v1::Decision VerdictPolicy::DecidePdq(v1::Context context,
                                      const BankPolicy& bank, int distance,
                                      int quality) {
  if (quality >= 0 && quality < bank.review_min_quality) return v1::ALLOW;
  if (distance <= bank.auto_distance && quality >= bank.min_quality) {
    return Action(context, bank);
  }
  if (distance <= bank.review_distance) return v1::REVIEW;
  return v1::ALLOW;
}

VideoVerdict VerdictPolicy::DecideVideo(
    v1::Context context, const BankPolicy& bank,
    const std::vector<VpdqFeature>& query,
    const std::vector<VpdqFeature>& target) {
  VpdqMatchOptions options;
  options.min_quality = bank.min_quality;
  options.max_distance = bank.auto_distance;
  options.query_pct_threshold = bank.vpdq_query_pct;
  options.target_pct_threshold = bank.vpdq_target_pct;
  VideoVerdict verdict;
  verdict.comparison = MatchVpdq(query, target, options);
  verdict.reference_rule_match = verdict.comparison.is_match;
  if (verdict.comparison.is_match) {
    verdict.decision = Action(context, bank);
    verdict.rule = v1::Match::PERCENTAGE;
    return verdict;
  }
  ApplySegmentRule(context, bank, query, target, verdict);
  if (verdict.segment.has_value() &&
      verdict.decision == Action(context, bank)) {
    return verdict;
  }
  // The review band: the same percentages at review_distance.
  options.max_distance = bank.review_distance;
  const VpdqMatchResult band = MatchVpdq(query, target, options);
  if (band.is_match && Severity(v1::REVIEW) >= Severity(verdict.decision)) {
    verdict.decision = v1::REVIEW;
    verdict.rule = v1::Match::PERCENTAGE;
    verdict.comparison = band;
    verdict.segment.reset();
  }
  return verdict;
}

void VerdictPolicy::ApplySegmentRule(v1::Context context,
                                     const BankPolicy& bank,
                                     const std::vector<VpdqFeature>& query,
                                     const std::vector<VpdqFeature>& target,
                                     VideoVerdict& verdict) {
  if (bank.min_segment_seconds <= 0) return;
  VpdqMatchOptions options;
  options.min_quality = bank.min_quality;
  options.max_distance = bank.auto_distance;
  std::optional<VpdqSegment> segment = FindVpdqSegment(query, target, options);
  if (!segment.has_value() ||
      std::min(segment->query_seconds, segment->target_seconds) <
          bank.min_segment_seconds) {
    return;
  }
  // With vpdq_target_pct 0 (the default), a short segment covering almost
  // none of the banked video would otherwise always act.
  const double threshold =
      bank.vpdq_target_pct > 0 ? bank.vpdq_target_pct : bank.vpdq_query_pct;
  verdict.decision = segment->target_coverage_pct >= threshold
                         ? Action(context, bank)
                         : v1::REVIEW;
  verdict.rule = segment->target_coverage_pct >= segment->query_coverage_pct
                     ? v1::Match::BANKED_IN_UPLOAD
                     : v1::Match::UPLOAD_IN_BANKED;
  verdict.segment = std::move(segment);
}

v1::Decision VerdictPolicy::Conclude(const v1::Hashes& content,
                                     bool hashes_from_caller,
                                     const Allowlist* allowlist,
                                     std::vector<v1::Match>& matches) {
  if (allowlist != nullptr) {
    std::erase_if(matches, [&](const v1::Match& match) {
      return allowlist->Contains(content, hashes_from_caller, match);
    });
  }
  v1::Decision decision = v1::ALLOW;
  for (const v1::Match& match : matches) {
    if (!match.shadow()) decision = MoreSevere(decision, match.decision());
  }
  return decision;
}

}  // namespace clearmatch
