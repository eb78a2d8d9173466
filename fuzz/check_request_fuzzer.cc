// Fuzz target: the bytes of a CheckRequest as a hash-only Check handles them:
// parse, MatchPipeline's syntax checks (ValidateCheckRequest), the Query of
// the caller's hashes, the Matcher over a small fixed index (PDQ, MD5,
// SHA-1, SHA-256 and vPDQ entries in banks with review, shadow and dihedral
// policies) and VerdictPolicy::Conclude. Requests with media are left to the
// image and video targets. The seeds hold hashes of the index's entries, so
// that mutations reach the match and verdict code.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bank/hash_entry.h"
#include "clearmatch/v1/config.pb.h"
#include "clearmatch/v1/matcher.pb.h"
#include "fuzz/check_request_index.h"
#include "google/protobuf/text_format.h"
#include "index/index_snapshot.h"
#include "matching/check_request_checks.h"
#include "matching/matcher.h"
#include "matching/query.h"
#include "matching/verdict_policy.h"

namespace clearmatch::fuzz {
namespace {

// Banks: "block" (the default policy), "review" (REVIEW up to distance 31,
// dihedral), "shadow" (counted but never decides).
constexpr char kPolicies[] = R"pb(
  default_policy { auto_distance: 16 min_quality: 50 }
  banks {
    bank: "review"
    policy { auto_distance: 0 review_distance: 31 dihedral: true }
  }
  banks {
    bank: "shadow"
    policy { shadow: true }
  }
)pb";

struct Fixture {
  VerdictPolicy policy;
  std::shared_ptr<const IndexSnapshot> snapshot;
};

const Fixture& GetFixture() {
  static const Fixture* const fixture = [] {
    v1::DaemonConfig config;
    if (!google::protobuf::TextFormat::ParseFromString(kPolicies, &config)) {
      __builtin_trap();
    }
    absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(config);
    absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
        BuildCheckRequestIndex();
    if (!policy.ok() || !snapshot.ok()) __builtin_trap();
    return new Fixture{*std::move(policy), *std::move(snapshot)};
  }();
  return *fixture;
}

}  // namespace
}  // namespace clearmatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  const fuzz::Fixture& fixture = fuzz::GetFixture();
  v1::CheckRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (!request.media().empty()) return -1;  // not in this target's corpus
  // The daemon's default max_message_bytes.
  if (!ValidateCheckRequest(request, uint64_t{16} << 20).ok()) return 0;
  absl::StatusOr<Query> query = Query::FromHashes(request.hashes());
  // ValidateCheckRequest accepted exactly these hashes.
  if (!query.ok()) __builtin_trap();
  Matcher::Options options;
  options.context = request.context();
  options.dihedral = request.options().dihedral();
  const Matcher matcher(fixture.policy);
  absl::StatusOr<std::vector<v1::Match>> matches =
      matcher.FindMatches(*fixture.snapshot, *query, options);
  // A validated query is within every limit of the index.
  if (!matches.ok()) __builtin_trap();
  const v1::Decision decision =
      VerdictPolicy::Conclude(request.hashes(), /*hashes_from_caller=*/true,
                              /*allowlist=*/nullptr, *matches);
  if (decision == v1::DECISION_UNSPECIFIED) __builtin_trap();
  return 0;
}
