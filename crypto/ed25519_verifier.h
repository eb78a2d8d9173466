// Ed25519 verification of detached signatures with a trusted PEM public key
// (OpenSSL EVP): the client side of the feed signature.
//
//   CM_ASSIGN_OR_RETURN(auto verifier, Ed25519Verifier::Create(public_pem));
//   CM_RETURN_IF_ERROR(verifier->Verify(manifest_bytes, signature));
#ifndef CLEARMATCH_CRYPTO_ED25519_VERIFIER_H_
#define CLEARMATCH_CRYPTO_ED25519_VERIFIER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/openssl_handles.h"

namespace clearmatch {

// Thread-safe: Verify is const and uses a fresh context per call.
class Ed25519Verifier {
 public:
  // INVALID_ARGUMENT if `public_pem` is not a PEM public key or not an
  // Ed25519 one.
  static absl::StatusOr<std::unique_ptr<Ed25519Verifier>> Create(
      absl::string_view public_pem);

  // OK if `signature` is a valid signature of `message` by this key;
  // UNAUTHENTICATED otherwise (wrong length, tampered message, other key).
  absl::Status Verify(absl::string_view message,
                      absl::string_view signature) const;

  // Short id of the trusted key (see Ed25519KeyId).
  const std::string& key_id() const { return key_id_; }

 private:
  Ed25519Verifier(EvpPkeyPtr key, std::string key_id)
      : key_(std::move(key)), key_id_(std::move(key_id)) {}

  EvpPkeyPtr key_;
  std::string key_id_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CRYPTO_ED25519_VERIFIER_H_
