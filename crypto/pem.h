// PEM parsing of certificates and keys (OpenSSL), with errors that say what
// was expected and OpenSSL's reason.
//
//   CM_ASSIGN_OR_RETURN(X509Ptr cert, ParsePemCertificate(cert_pem));
//   CM_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParsePemPrivateKey(key_pem));
//   if (!KeyMatchesCertificate(*cert, *key)) ...
//
// Each function reads the first object of its kind in `pem` and leaves this
// thread's OpenSSL error queue empty. Thread-safe.
#ifndef CLEARMATCH_CRYPTO_PEM_H_
#define CLEARMATCH_CRYPTO_PEM_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/openssl_handles.h"

namespace clearmatch {

// INVALID_ARGUMENT "not a PEM certificate (<reason>)".
absl::StatusOr<X509Ptr> ParsePemCertificate(absl::string_view pem);

// An unencrypted private key ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE
// KEY"...). Never asks for a passphrase: an encrypted key is refused.
// INVALID_ARGUMENT "not a PEM private key (<reason>)".
absl::StatusOr<EvpPkeyPtr> ParsePemPrivateKey(absl::string_view pem);

// A SubjectPublicKeyInfo "PUBLIC KEY". INVALID_ARGUMENT "not a PEM public
// key (<reason>)".
absl::StatusOr<EvpPkeyPtr> ParsePemPublicKey(absl::string_view pem);

// True if `key` is the private key of `cert`'s public key.
bool KeyMatchesCertificate(X509& cert, EVP_PKEY& key);

}  // namespace clearmatch

#endif  // CLEARMATCH_CRYPTO_PEM_H_
