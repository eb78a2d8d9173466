// Test helper: NCMEC's hash sharing API (v2, ../shared/specs/CLEARINGHOUSES.md)
// on 127.0.0.1 (ephemeral port), plain HTTP or HTTPS, built on cpp-httplib.
// Holds entries with timestamps (one per (member, id): adding one again
// replaces it, a tombstone included) and serves under "/hashsharing":
//   /v2/status, /v2/entries?from&to[&start&size&max] (timestamps in
//   [from, to] inclusive, paged with <paging><next>, each window's entries
//   in a scrambled, not timestamp, order; the count attributes give the
//   window's totals), GET /v2/feedback/{TYPE}/reasons and
//   PUT /v2/entries/{member}/{id}/{TYPE}/feedback (recorded).
// Wrong Basic credentials get 401. Faults are queued for the next requests
// of /v2/entries (one per request), and one entries request can be held
// until released (for kill -9 tests).
//
//   NcmecTestServer::Options options;
//   options.page_size = 10;
//   auto server = *NcmecTestServer::Start(options);
//   server->Add({.member_id = 42, .id = "a", .timestamp = t, .fingerprints =
//                {{"md5", hex}}});
//   ... NcmecClient with base_url = server->base_url() ...
//
// Thread-safe.
#ifndef CLEARMATCH_TESTING_NCMEC_TEST_SERVER_H_
#define CLEARMATCH_TESTING_NCMEC_TEST_SERVER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace clearmatch::testing {

class NcmecTestServer {
 public:
  struct Options {
    std::string username = "platform";
    std::string password = "secret";
    int64_t member_id = 7;  // who /v2/status says the platform is
    std::string member_name = "Test Platform";
    int page_size = 1000;  // unless the request says size=
    // Both set: HTTPS with these PEM files (e.g. from TestPki::Issue).
    std::string cert_file;
    std::string key_file;
    size_t oversize_bytes = size_t{65} << 20;  // of a kOversize page
    // Entries are scrambled within blocks of this many of a window's
    // entries in timestamp order; 0: the whole window is one block.
    uint64_t disorder_block = 0;
  };
  struct Entry {
    bool video = false;
    bool deleted = false;
    int64_t member_id = 42;
    std::string id;
    int64_t timestamp = 0;  // unix seconds
    std::string classification;
    std::vector<std::pair<std::string, std::string>> fingerprints;  // tag, text
  };
  enum class Fault {
    kNone,             // answer normally
    kTooManyRequests,  // 429 with Retry-After: 1
    kServerError,      // 500
    kReset,            // reset the connection (RST) without an answer
    kTruncatedBody,    // announce the page's length, send half, close
    kTruncatedXml,     // 200 with the first half of the page only
    kEntityBomb,       // 200 with a billion-laughs DTD
    kOversize,         // 200 with the page padded to oversize_bytes
    kWrongLengthHash,  // the page's first image md5 has 31 digits
    kUnknownElements,  // extra elements, an unknown fingerprint type, an
                       // unknown classification: to be tolerated
  };
  struct FeedbackPut {
    int64_t member_id = 0;
    std::string id;
    std::string type;  // as in the path, e.g. "PDQ"
    std::string body;
  };
  struct Reason {
    std::string guid;
    std::string name;
  };

  // UNAVAILABLE if the server cannot listen; INVALID_ARGUMENT for TLS files
  // it cannot load.
  static absl::StatusOr<std::unique_ptr<NcmecTestServer>> Start(
      Options options);
  ~NcmecTestServer();  // releases a held request, stops, joins

  // "http(s)://127.0.0.1:PORT/hashsharing"
  std::string base_url() const;

  void Add(Entry entry);
  void AddAll(std::vector<Entry> entries);
  // The entries held now, tombstones included, by (member, id).
  std::map<std::pair<int64_t, std::string>, Entry> entries() const;

  // The next entries requests get these, in order.
  void QueueFaults(std::vector<Fault> faults);
  void ClearFaults();
  // The next feedback PUTs get these (kTooManyRequests, kServerError or
  // kNone), in order; failed PUTs are not recorded.
  void QueueFeedbackFaults(std::vector<Fault> faults);
  // The entries request `n` from now (0 = the next) waits before answering
  // until Release() (or the server stops). WaitForHeld says whether it
  // waits within `timeout`.
  void HoldRequest(int n);
  bool WaitForHeld(absl::Duration timeout);
  void Release();

  void SetReasons(const std::string& type, std::vector<Reason> reasons);
  std::vector<FeedbackPut> feedback() const;
  // Paths (with query) of the entries requests answered or failed so far.
  std::vector<std::string> entries_requests() const;
  int status_requests() const;

 private:
  explicit NcmecTestServer(Options options);
  bool Authorized(const httplib::Request& request, httplib::Response& response);
  void ServeEntries(const httplib::Request& request,
                    httplib::Response& response);
  void ServeStatus(const httplib::Request& request,
                   httplib::Response& response);
  void ServeReasons(const httplib::Request& request,
                    httplib::Response& response);
  void RecordFeedback(const httplib::Request& request,
                      httplib::Response& response);
  // The fault for this request; waits here if it is the held one.
  Fault NextFault();
  // The page [start, start + size) (1-based) of the window [from, to].
  std::string PageXml(int64_t from, int64_t to, int64_t start, int64_t size,
                      Fault fault) ABSL_LOCKS_EXCLUDED(mu_);
  void SortIfNeeded() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::map<std::pair<int64_t, std::string>, Entry> entries_
      ABSL_GUARDED_BY(mu_);
  std::vector<const Entry*> by_time_ ABSL_GUARDED_BY(mu_);  // into entries_
  bool sorted_ ABSL_GUARDED_BY(mu_) = false;
  struct Counts {
    int64_t images = 0, videos = 0, max_image = 0, max_video = 0;
  };
  std::map<std::pair<int64_t, int64_t>, Counts> counts_ ABSL_GUARDED_BY(mu_);
  std::deque<Fault> faults_ ABSL_GUARDED_BY(mu_);
  std::deque<Fault> feedback_faults_ ABSL_GUARDED_BY(mu_);
  int hold_countdown_ ABSL_GUARDED_BY(mu_) = -1;
  bool holding_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::vector<Reason>> reasons_ ABSL_GUARDED_BY(mu_);
  std::vector<FeedbackPut> feedback_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> entries_requests_ ABSL_GUARDED_BY(mu_);
  int status_requests_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_NCMEC_TEST_SERVER_H_
