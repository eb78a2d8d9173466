// PostgresParam: one statement parameter for PostgresConnection::Query, in
// libpq's text format, or binary for a bytea column.
//
//   db.Query("INSERT INTO t VALUES ($1::bigint, $2, $3)",
//            {id, name, PostgresParam::Bytes(serialized)});
#ifndef CLEARMATCH_POSTGRES_POSTGRES_PARAM_H_
#define CLEARMATCH_POSTGRES_POSTGRES_PARAM_H_

#include <string>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

class PostgresParam {
 public:
  // Text (implicit, so that a parameter list reads like the values).
  PostgresParam(absl::string_view text) : value_(text) {}   // NOLINT
  PostgresParam(const std::string& text) : value_(text) {}  // NOLINT
  PostgresParam(const char* text) : value_(text) {}         // NOLINT
  // An integer in decimal (a bool is 1 or 0).
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T>>>
  PostgresParam(T number) : value_(absl::StrCat(number)) {}  // NOLINT
  // Raw bytes for a bytea parameter.
  static PostgresParam Bytes(absl::string_view bytes) {
    PostgresParam param(bytes);
    param.binary_ = true;
    return param;
  }

  const std::string& value() const { return value_; }
  bool binary() const { return binary_; }

 private:
  std::string value_;
  bool binary_ = false;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_POSTGRES_POSTGRES_PARAM_H_
