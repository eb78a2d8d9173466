// What every ReviewStore shares: content keys and the confirmed export.
#include "review/review_store.h"

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

}  // namespace

std::vector<std::string> ReviewStore::ContentKeys(const v1::Hashes& hashes) {
  std::vector<std::string> keys;
  if (!hashes.sha256().empty()) keys.push_back("sha256:" + hashes.sha256());
  if (!hashes.md5().empty()) keys.push_back("md5:" + hashes.md5());
  if (!hashes.sha1().empty()) keys.push_back("sha1:" + hashes.sha1());
  for (const v1::PdqHashValue& pdq : hashes.pdq()) {
    if (pdq.transform().empty() || pdq.transform() == "original") {
      keys.push_back("pdq:" + pdq.hash());
      break;
    }
  }
  return keys;
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
