// The short id of an Ed25519 key, as feed manifests name their signing key.
#ifndef CLEARMATCH_CRYPTO_ED25519_KEY_ID_H_
#define CLEARMATCH_CRYPTO_ED25519_KEY_ID_H_

#include <openssl/evp.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

// First 16 lowercase hex digits of the SHA-256 of the raw 32-byte public key
// of an Ed25519 key (private or public). INVALID_ARGUMENT "<what> is of type
// T, expected ED25519" for another type of key; INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> Ed25519KeyId(EVP_PKEY& key, absl::string_view what);

}  // namespace clearmatch

#endif  // CLEARMATCH_CRYPTO_ED25519_KEY_ID_H_
