// RAII owners for the OpenSSL handles used by feed/ (keys, contexts, BIOs),
// and the key id derived from an Ed25519 public key. Internal to feed/.
#ifndef CLEARMATCH_FEED_OPENSSL_HANDLES_H_
#define CLEARMATCH_FEED_OPENSSL_HANDLES_H_

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace clearmatch::feed_internal {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct EvpPkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// The oldest queued OpenSSL error as text (and clears the queue), for error
// messages; "no detail" if none.
std::string TakeOpenSslError();

// First 16 lowercase hex digits of SHA-256 of the raw 32-byte public key of
// an Ed25519 key (private or public). INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> Ed25519KeyId(EVP_PKEY* key);

}  // namespace clearmatch::feed_internal

#endif  // CLEARMATCH_FEED_OPENSSL_HANDLES_H_
