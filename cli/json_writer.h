// JsonObjectWriter: builds one JSON object on one line, keys in insertion
// order, strings escaped per RFC 8259 (control characters as \uXXXX; bytes
// that are not valid UTF-8 are replaced by U+FFFD so the line stays valid).
//
//   JsonObjectWriter json;
//   json.Add("file", name).Add("quality", 100);
//   out << json.Finish() << '\n';
#ifndef CLEARMATCH_CLI_JSON_WRITER_H_
#define CLEARMATCH_CLI_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace clearmatch::cli {

class JsonObjectWriter {
 public:
  JsonObjectWriter& Add(std::string_view key, std::string_view value);
  JsonObjectWriter& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObjectWriter& Add(std::string_view key, int64_t value);
  JsonObjectWriter& Add(std::string_view key, int value) {
    return Add(key, int64_t{value});
  }
  // Fixed-point number with `decimals` digits after the point.
  JsonObjectWriter& AddFixed(std::string_view key, double value, int decimals);
  JsonObjectWriter& Add(std::string_view key,
                        const std::vector<std::string>& values);
  // `raw_json` must already be valid JSON (a nested object or array).
  JsonObjectWriter& AddRaw(std::string_view key, std::string_view raw_json);

  // The object text, without a trailing newline.
  std::string Finish() const {
    return body_.empty() ? "{}" : "{" + body_ + "}";
  }

 private:
  void Key(std::string_view key);
  std::string body_;
};

// `text` as a quoted JSON string.
std::string JsonQuote(std::string_view text);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_JSON_WRITER_H_
