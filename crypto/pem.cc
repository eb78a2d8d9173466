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

// The first object `read` finds in `pem` (a `what`), owned by a Ptr.
template <typename Ptr, typename Read>
absl::StatusOr<Ptr> ParsePem(absl::string_view pem, absl::string_view what,
                             const Read& read) {
  ERR_clear_error();
  BioPtr bio = MemoryBio(pem);
  Ptr object(bio == nullptr ? nullptr : read(bio.get()));
  if (object == nullptr) return NotPem(what);
  ERR_clear_error();
  return object;
}

}  // namespace

absl::StatusOr<X509Ptr> ParsePemCertificate(absl::string_view pem) {
  return ParsePem<X509Ptr>(pem, "certificate", [](BIO* bio) {
    return PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  });
}

absl::StatusOr<EvpPkeyPtr> ParsePemPrivateKey(absl::string_view pem) {
  return ParsePem<EvpPkeyPtr>(pem, "private key", [](BIO* bio) {
    return PEM_read_bio_PrivateKey(bio, nullptr, NoPassphrase, nullptr);
  });
}

absl::StatusOr<EvpPkeyPtr> ParsePemPublicKey(absl::string_view pem) {
  return ParsePem<EvpPkeyPtr>(pem, "public key", [](BIO* bio) {
    return PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  });
}

bool KeyMatchesCertificate(X509& cert, EVP_PKEY& key) {
  const bool match = X509_check_private_key(&cert, &key) == 1;
  ERR_clear_error();
  return match;
}

}  // namespace clearmatch
