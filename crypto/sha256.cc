#include "crypto/sha256.h"

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clearmatch {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  ok_ = ctx_ != nullptr &&
        EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1;
}

void Sha256::Update(absl::string_view bytes) {
  ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1;
}

absl::StatusOr<Sha256::Digest> Sha256::Finish() {
  Digest digest;
  unsigned int size = 0;
  if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), digest.data(), &size) != 1 ||
      size != kDigestBytes) {
    ok_ = false;
    return absl::InternalError(
        absl::StrCat("OpenSSL SHA-256 failed: ", TakeOpenSslError()));
  }
  ok_ = false;  // the context is spent
  return digest;
}

absl::StatusOr<Sha256::Digest> Sha256::Of(absl::string_view bytes) {
  Sha256 hasher;
  hasher.Update(bytes);
  return hasher.Finish();
}

}  // namespace clearmatch
