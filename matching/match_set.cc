// The best match per entry, and their order.
#include "matching/match_set.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "bank/hash_entry.h"

namespace clearmatch {
namespace {

// How far a match's query hash is from the content as it is: the image
// itself, a rotation or mirror, its trimmed content, a rotation of that.
int VariantRank(absl::string_view transform) {
  if (transform.empty() || transform == "original") return 0;
  if (transform == "trimmed") return 2;
  return absl::StartsWith(transform, "trimmed+") ? 3 : 1;
}

// Severity first, then the closest match, then the plainest variant.
bool Better(const v1::Match& a, const v1::Match& b) {
  if (a.decision() != b.decision()) {
    return MoreSevere(a.decision(), b.decision()) == a.decision();
  }
  if (a.distance() != b.distance()) return a.distance() < b.distance();
  return VariantRank(a.transform()) < VariantRank(b.transform());
}

}  // namespace

v1::Match MatchSet::NewMatch(EntryRef ref, v1::Decision decision,
                             int distance) const {
  const EntryView entry = snapshot_.entry(ref);
  v1::Match match;
  match.set_bank(std::string(entry.bank));
  match.set_entry_id(std::string(entry.entry_id));
  match.set_hash_type(std::string(HashTypeName(entry.type)));
  match.set_category(std::string(entry.category));
  match.set_source_feed(std::string(entry.source_feed));
  match.set_distance(distance);
  match.set_decision(decision);
  match.set_shadow(
      policy_.ForBank(absl::string_view(entry.bank.data(), entry.bank.size()))
          .shadow);
  return match;
}

void MatchSet::Offer(EntryRef ref, v1::Match match) {
  auto [it, inserted] = best_.try_emplace(ref, match);
  if (!inserted && Better(match, it->second)) it->second = std::move(match);
}

v1::Match* MatchSet::Find(EntryRef ref) {
  auto it = best_.find(ref);
  return it == best_.end() ? nullptr : &it->second;
}

std::vector<v1::Match> MatchSet::Sorted() && {
  std::vector<v1::Match> sorted;
  sorted.reserve(best_.size());
  for (auto& [ref, match] : best_) sorted.push_back(std::move(match));
  best_.clear();
  std::sort(
      sorted.begin(), sorted.end(), [](const v1::Match& a, const v1::Match& b) {
        if (a.decision() != b.decision() || a.distance() != b.distance()) {
          return Better(a, b);
        }
        return std::tie(a.bank(), a.entry_id(), a.hash_type()) <
               std::tie(b.bank(), b.entry_id(), b.hash_type());
      });
  return sorted;
}

}  // namespace clearmatch
