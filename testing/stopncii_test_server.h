// StopNciiTestServer: a loopback server (cpp-httplib, 127.0.0.1, ephemeral
// port, HTTP or HTTPS) that speaks the StopNCII API of
// ../shared/specs/CLEARINGHOUSES.md: FetchHashes over the records it holds,
// paged with opaque page tokens, and SubmitFeedback, which it records. Both
// check the two key headers (401 otherwise). Faults can be queued per
// endpoint, one request each; a FetchHashes request can be held open.
//
//   StopNciiTestServer::Options options;
//   CM_ASSIGN_OR_RETURN(auto server, StopNciiTestServer::Start(options));
//   server->Upsert({.last_modified = 100, .signal_type = "ImagePDQ",
//                   .hash_value = pdq_hex, .hash_status = "Active"});
//   server->AddFault(StopNciiTestServer::Endpoint::kFetchHashes,
//                    StopNciiTestServer::FaultSpec::Status(429, "1"));
//   ... source options.base_url = server->base_url() ...
//
// A run (the pages from a request without a token on) reads a snapshot of
// the records with lastModtimestamp >= startTimestamp, ordered by
// (lastModtimestamp, hashValue); every page of it carries nextSetTimestamp =
// the greatest lastModtimestamp of the run + 1 (startTimestamp if empty).
// Values are written into the JSON as they are: tests use plain words.
//
// Thread-safe.
#ifndef CLEARMATCH_TESTING_STOPNCII_TEST_SERVER_H_
#define CLEARMATCH_TESTING_STOPNCII_TEST_SERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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

class StopNciiTestServer {
 public:
  struct Options {
    // HTTPS with this certificate (PEM files, e.g. from TestPki) if both
    // are set; plain HTTP otherwise.
    std::string cert_file;
    std::string key_file;
    std::string subscription_key = "test-subscription-key";
    std::string fetch_hashes_key = "test-fetch-hashes-key";
    std::string submit_feedback_key = "test-submit-feedback-key";
    // A page token older than this is refused (400).
    absl::Duration token_lifetime = absl::InfiniteDuration();
  };
  struct Record {
    int64_t last_modified = 0;
    std::string signal_type;  // "ImagePDQ", "VideoMD5", "VideoTMK", ...
    std::string hash_value;
    std::string hash_status;  // "Active", "Withdrawn", ...
  };
  enum class Endpoint { kFetchHashes, kSubmitFeedback };
  enum class Fault {
    kStatus,           // `status` (with Retry-After if set) and a JSON error
    kReset,            // headers of a 200, then the connection is closed
    kTruncatedJson,    // a 200 whose body is the first half of the page
    kOversizePage,     // the page padded with spaces to `oversize_bytes`
    kWrongLengthHash,  // the page plus an ImagePDQ record of 63 digits
    kUnknownEnums,     // the page plus records of an unknown signal type
                       // and an unknown hash status, and an unknown field
    kWrongType,        // the page plus a record whose lastModtimestamp is a
                       // string
  };
  struct FaultSpec {
    Fault fault = Fault::kStatus;
    int status = 500;
    std::string retry_after;  // Retry-After header of kStatus; empty: none
    size_t oversize_bytes = size_t{2} << 20;

    static FaultSpec Of(Fault fault) {
      FaultSpec spec;
      spec.fault = fault;
      return spec;
    }
    static FaultSpec Status(int status, std::string retry_after = "") {
      FaultSpec spec;
      spec.status = status;
      spec.retry_after = std::move(retry_after);
      return spec;
    }
  };
  // The key headers of one request, as received.
  struct Keys {
    std::string subscription_key;
    std::string functions_key;
  };
  struct FeedbackRequest {
    std::string body;
    Keys keys;
  };

  // Listens on 127.0.0.1:0. UNAVAILABLE if it cannot; INVALID_ARGUMENT if
  // the certificate or key is refused.
  static absl::StatusOr<std::unique_ptr<StopNciiTestServer>> Start(
      Options options);
  ~StopNciiTestServer();  // releases held requests, stops the server

  // "http(s)://127.0.0.1:PORT/v1"
  std::string base_url() const;

  // Adds a record or replaces the one of its (signal_type, hash_value).
  void Upsert(Record record);
  // Records whose status is Active or Received, and of ImagePDQ/VideoMD5.
  std::vector<Record> MatchableRecords() const;

  // The `nth` request to `endpoint` from now on (1 = the next) gets
  // `fault` (a retry is another request).
  void AddFault(Endpoint endpoint, FaultSpec fault, int nth = 1);
  // The `nth` FetchHashes request from now on (1 = the next) waits until
  // Release() (or the server stops) before it is answered.
  void HoldFetch(int nth);
  // True once a held request is waiting (false after `timeout`).
  bool WaitUntilHeld(absl::Duration timeout);
  void Release();
  // Every page token handed out so far is refused from now on (as if it
  // had outlived its lifetime).
  void ExpireTokens();

  int fetch_requests() const;
  std::vector<Keys> fetch_keys() const;
  // Accepted SubmitFeedback requests, in order.
  std::vector<FeedbackRequest> feedback_requests() const;
  int feedback_attempts() const;  // every SubmitFeedback request

 private:
  struct Run {
    std::vector<Record> records;
    int64_t next_set_timestamp = 0;
  };
  // What a page token stands for.
  struct Token {
    std::shared_ptr<const Run> run;
    size_t offset = 0;
    absl::Time issued;
    bool expired = false;
  };

  StopNciiTestServer(Options options, std::unique_ptr<httplib::Server> http);
  void HandleFetch(const httplib::Request& request,
                   httplib::Response& response);
  void HandleFeedback(const httplib::Request& request,
                      httplib::Response& response);
  // Counts the request, waits if it is held, pops its fault.
  std::optional<FaultSpec> BeginRequest(Endpoint endpoint);
  std::shared_ptr<const Run> NewRun(int64_t start) const;
  std::string PageJson(const std::shared_ptr<const Run>& run, size_t offset,
                       size_t page_size, const std::optional<FaultSpec>& fault);

  const Options options_;
  const std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, Record> records_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Token> tokens_ ABSL_GUARDED_BY(mu_);
  // By endpoint and request number.
  std::map<std::pair<Endpoint, int>, FaultSpec> faults_ ABSL_GUARDED_BY(mu_);
  int fetch_requests_ ABSL_GUARDED_BY(mu_) = 0;
  int hold_at_ ABSL_GUARDED_BY(mu_) = 0;  // fetch request number to hold
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Keys> fetch_keys_ ABSL_GUARDED_BY(mu_);
  std::vector<FeedbackRequest> feedback_ ABSL_GUARDED_BY(mu_);
  int feedback_attempts_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_token_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_STOPNCII_TEST_SERVER_H_
