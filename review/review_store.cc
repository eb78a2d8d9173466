// What every ReviewStore shares: content keys and the confirmed export.
#include "review/review_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

v1::ConfirmedMatch ToConfirmedMatch(const v1::MatchRecord& record) {
  v1::ConfirmedMatch out;
  out.set_match_id(record.match_id());
  out.set_content_id(record.content_id());
  out.set_context(record.context());
  out.set_decision(record.decision());
  out.set_recorded_unix_micros(record.recorded_unix_micros());
  out.set_snapshot_version(record.snapshot_version());
  if (!record.decisions().empty()) {
    const v1::ReviewDecision& last = *record.decisions().rbegin();
    out.set_confirmed_unix_micros(last.decided_unix_micros());
    out.set_reviewer(last.reviewer());
  }
  for (const v1::Match& match : record.matches()) {
    v1::ExportedEntry* entry = out.add_entries();
    entry->set_bank(match.bank());
    entry->set_entry_id(match.entry_id());
    entry->set_hash_type(match.hash_type());
    entry->set_category(match.category());
    entry->set_source_feed(match.source_feed());
    entry->set_distance(match.distance());
  }
  return out;
}

bool IsOriginal(absl::string_view transform) {
  return transform.empty() || transform == "original";
}

std::string Lower(const std::string& hex) { return absl::AsciiStrToLower(hex); }

// "pdq:<hex>" of the image's untransformed PDQ hash. From the daemon all
// variants are of one image; a caller's hashes count only when the match
// was on the one "original" hash the request has.
std::string OriginalPdqKey(const v1::Hashes& content, bool hashes_from_caller,
                           const v1::Match& match) {
  const v1::PdqHashValue* original = nullptr;
  int originals = 0;
  for (const v1::PdqHashValue& pdq : content.pdq()) {
    if (!IsOriginal(pdq.transform())) continue;
    if (original == nullptr) original = &pdq;
    ++originals;
  }
  if (original == nullptr) return "";
  if (hashes_from_caller &&
      (originals != 1 || !IsOriginal(match.transform()))) {
    return "";
  }
  return absl::StrCat("pdq:", Lower(original->hash()));
}

}  // namespace

std::string ReviewStore::AllowlistKey(const v1::Hashes& content,
                                      bool hashes_from_caller,
                                      const v1::Match& match) {
  const std::string& type = match.hash_type();
  if (type == "md5" || type == "sha1" || type == "sha256") {
    // An exact match: the content's digest is the entry's.
    const std::string& digest = type == "md5"    ? content.md5()
                                : type == "sha1" ? content.sha1()
                                                 : content.sha256();
    return digest.empty() ? "" : absl::StrCat(type, ":", Lower(digest));
  }
  if (type != "pdq" && type != "vpdq") return "";
  if (type == "vpdq" || content.vpdq_size() > 0) {
    // A video is known by its file: only the daemon's own hashing ties
    // that digest to the frames that matched.
    if (hashes_from_caller || content.sha256().empty()) return "";
    return absl::StrCat("sha256:", Lower(content.sha256()));
  }
  return OriginalPdqKey(content, hashes_from_caller, match);
}

absl::StatusOr<v1::ExportConfirmedResponse> ReviewStore::ExportConfirmed(
    const v1::ExportConfirmedRequest& request) {
  v1::ListMatchesRequest list;
  list.set_outcome(v1::CONFIRMED);
  list.set_start_unix_micros(request.start_unix_micros());
  list.set_end_unix_micros(request.end_unix_micros());
  list.set_page_size(request.page_size());
  list.set_page_token(request.page_token());
  CM_ASSIGN_OR_RETURN(v1::ListMatchesResponse page, ListMatches(list));
  v1::ExportConfirmedResponse response;
  response.set_next_page_token(page.next_page_token());
  for (const v1::MatchRecord& record : page.matches()) {
    *response.add_matches() = ToConfirmedMatch(record);
  }
  return response;
}

}  // namespace clearmatch
