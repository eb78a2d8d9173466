// Status propagation macros (our Abseil, 20220623, has none of its own).
//
//   absl::Status Load() {
//     CM_RETURN_IF_ERROR(Open());
//     CM_ASSIGN_OR_RETURN(Header header, ReadHeader());
//     ...
//   }
#ifndef CLEARMATCH_COMMON_STATUS_MACROS_H_
#define CLEARMATCH_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CM_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status cm_status_ = (expr);      \
    if (!cm_status_.ok()) return cm_status_; \
  } while (false)

#define CM_STATUS_CONCAT_INNER_(a, b) a##b
#define CM_STATUS_CONCAT_(a, b) CM_STATUS_CONCAT_INNER_(a, b)

#define CM_ASSIGN_OR_RETURN(lhs, rexpr)                                     \
  CM_ASSIGN_OR_RETURN_IMPL_(CM_STATUS_CONCAT_(cm_statusor_, __LINE__), lhs, \
                            rexpr)

#define CM_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)    \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // CLEARMATCH_COMMON_STATUS_MACROS_H_
