// SHA-256 through OpenSSL EVP, incremental or in one call.
//
//   Sha256 hasher;
//   hasher.Update(first_chunk);
//   hasher.Update(second_chunk);
//   CM_ASSIGN_OR_RETURN(Sha256::Digest digest, hasher.Finish());
//
//   CM_ASSIGN_OR_RETURN(Sha256::Digest digest, Sha256::Of(bytes));
#ifndef CLEARMATCH_CRYPTO_SHA256_H_
#define CLEARMATCH_CRYPTO_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/openssl_handles.h"

namespace clearmatch {

// Not thread-safe (one hasher per thread); move-only.
class Sha256 {
 public:
  static constexpr size_t kDigestBytes = 32;
  using Digest = std::array<uint8_t, kDigestBytes>;

  // Cannot fail: an OpenSSL failure here or in Update is reported by
  // Finish.
  Sha256();

  void Update(absl::string_view bytes);
  // The digest of everything passed to Update. INTERNAL if OpenSSL failed.
  // Call once.
  absl::StatusOr<Digest> Finish();

  // The digest of `bytes`.
  static absl::StatusOr<Digest> Of(absl::string_view bytes);

 private:
  EvpMdCtxPtr ctx_;
  bool ok_ = false;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CRYPTO_SHA256_H_
