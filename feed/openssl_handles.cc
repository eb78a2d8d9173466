// Helpers shared by the Ed25519 signer and verifier.
#include "feed/openssl_handles.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "feed/feed_format.h"
#include "hashing/file_digests.h"

namespace clearmatch::feed_internal {

std::string TakeOpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

absl::StatusOr<std::string> Ed25519KeyId(EVP_PKEY* key) {
  unsigned char raw[32];
  size_t length = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key, raw, &length) != 1 || length != 32) {
    return absl::InternalError(absl::StrCat(
        "cannot read the raw Ed25519 public key: ", TakeOpenSslError()));
  }
  return Sha256Hex(absl::string_view(reinterpret_cast<char*>(raw), length))
      .substr(0, 16);
}

}  // namespace clearmatch::feed_internal
