// The short id of an Ed25519 key, as feed manifests name their signing key.
#ifndef CLEARMATCH_CRYPTO_ED25519_KEY_ID_H_
#define CLEARMATCH_CRYPTO_ED25519_KEY_ID_H_

#include <openssl/evp.h>

#include <string>

#include "absl/status/statusor.h"

namespace clearmatch {

// First 16 lowercase hex digits of the SHA-256 of the raw 32-byte public key
// of an Ed25519 key (private or public). INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> Ed25519KeyId(EVP_PKEY& key);

}  // namespace clearmatch

#endif  // CLEARMATCH_CRYPTO_ED25519_KEY_ID_H_
