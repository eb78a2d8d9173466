#include "crypto/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clearmatch {
namespace {

// A read-only memory BIO over `pem` (null if OpenSSL is out of memory).
BioPtr MemoryBio(absl::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// A passphrase callback that gives none, so that an encrypted key fails
// instead of OpenSSL prompting on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::Status NotPem(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("not a PEM ", what, " (", TakeOpenSslError(), ")"));
}

}  // namespace

absl::StatusOr<X509Ptr> ParsePemCertificate(absl::string_view pem) {
  ERR_clear_error();
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(bio == nullptr
                   ? nullptr
                   : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return NotPem("certificate");
  ERR_clear_error();
  return cert;
}

absl::StatusOr<EvpPkeyPtr> ParsePemPrivateKey(absl::string_view pem) {
  ERR_clear_error();
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr key(
      bio == nullptr
          ? nullptr
          : PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) return NotPem("private key");
  ERR_clear_error();
  return key;
}

absl::StatusOr<EvpPkeyPtr> ParsePemPublicKey(absl::string_view pem) {
  ERR_clear_error();
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr key(bio == nullptr ? nullptr
                                : PEM_read_bio_PUBKEY(bio.get(), nullptr,
                                                      nullptr, nullptr));
  if (key == nullptr) return NotPem("public key");
  ERR_clear_error();
  return key;
}

bool KeyMatchesCertificate(X509& cert, EVP_PKEY& key) {
  const bool match = X509_check_private_key(&cert, &key) == 1;
  ERR_clear_error();
  return match;
}

}  // namespace clearmatch
