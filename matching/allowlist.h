// Allowlist: what a reviewer has cleared. When a reviewer marks a match
// FALSE_POSITIVE, that entry stops matching that content; VerdictPolicy
// asks this interface before it decides. The review module implements it
// (daemon/ReviewRecorder over the ReviewStore); the CLI has none.
//
// An entry is suppressed only for the content hash of the kind that
// matched it (docs/REVIEW.md, "The allowlist"): other hashes of the same
// request never suppress it, and hashes a caller supplied are trusted only
// where they cannot have been paired with another content's.
// Implementations must be thread-safe: every request asks concurrently.
#ifndef CLEARMATCH_MATCHING_ALLOWLIST_H_
#define CLEARMATCH_MATCHING_ALLOWLIST_H_

#include "clearmatch/v1/matcher.pb.h"

namespace clearmatch {

class Allowlist {
 public:
  virtual ~Allowlist() = default;

  // Whether `match`'s entry is allowlisted for the content whose hashes are
  // `content`; `hashes_from_caller` when they came in the request (a
  // hash-only Check) rather than from media the daemon hashed.
  virtual bool Contains(const v1::Hashes& content, bool hashes_from_caller,
                        const v1::Match& match) const = 0;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_MATCHING_ALLOWLIST_H_
