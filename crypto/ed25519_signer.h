// Ed25519 signing with a PEM private key (OpenSSL EVP), and key generation:
// the publisher side of the feed signature.
//
//   CM_ASSIGN_OR_RETURN(Ed25519KeyPair pair, Ed25519Signer::GenerateKeyPair());
//   CM_ASSIGN_OR_RETURN(auto signer, Ed25519Signer::Create(pair.private_pem));
//   CM_ASSIGN_OR_RETURN(std::string signature, signer->Sign(manifest_bytes));
#ifndef CLEARMATCH_CRYPTO_ED25519_SIGNER_H_
#define CLEARMATCH_CRYPTO_ED25519_SIGNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/openssl_handles.h"

namespace clearmatch {

struct Ed25519KeyPair {
  std::string private_pem;  // PKCS#8 "PRIVATE KEY", unencrypted
  std::string public_pem;   // SubjectPublicKeyInfo "PUBLIC KEY"
};

// Thread-safe: Sign is const and uses a fresh context per call.
class Ed25519Signer {
 public:
  // A new random key pair. INTERNAL if OpenSSL fails.
  static absl::StatusOr<Ed25519KeyPair> GenerateKeyPair();

  // INVALID_ARGUMENT if `private_pem` is not a PEM private key or not an
  // Ed25519 one.
  static absl::StatusOr<std::unique_ptr<Ed25519Signer>> Create(
      absl::string_view private_pem);

  // The 64-byte detached signature of `message`.
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

  // Short id of the public half (see Ed25519KeyId).
  const std::string& key_id() const { return key_id_; }

 private:
  Ed25519Signer(EvpPkeyPtr key, std::string key_id)
      : key_(std::move(key)), key_id_(std::move(key_id)) {}

  EvpPkeyPtr key_;
  std::string key_id_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CRYPTO_ED25519_SIGNER_H_
