#include "crypto/ed25519_key_id.h"

#include <openssl/objects.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/hex.h"
#include "common/status_macros.h"
#include "crypto/openssl_handles.h"
#include "crypto/sha256.h"

namespace clearmatch {

absl::StatusOr<std::string> Ed25519KeyId(EVP_PKEY& key,
                                         absl::string_view what) {
  if (EVP_PKEY_get_id(&key) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is of type ", OBJ_nid2sn(EVP_PKEY_get_id(&key)),
                     ", expected ED25519"));
  }
  unsigned char raw[32];
  size_t length = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(&key, raw, &length) != 1 || length != 32) {
    return absl::InternalError(absl::StrCat(
        "cannot read the raw Ed25519 public key: ", TakeOpenSslError()));
  }
  CM_ASSIGN_OR_RETURN(
      const Sha256::Digest digest,
      Sha256::Of(absl::string_view(reinterpret_cast<char*>(raw), length)));
  return BytesToHex(
      std::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

}  // namespace clearmatch
