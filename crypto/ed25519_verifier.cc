// Ed25519 signature verification through OpenSSL EVP.
#include "crypto/ed25519_verifier.h"

#include <openssl/err.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "crypto/ed25519_key_id.h"
#include "crypto/pem.h"

namespace clearmatch {

absl::StatusOr<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::Create(
    absl::string_view public_pem) {
  CM_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParsePemPublicKey(public_pem));
  CM_ASSIGN_OR_RETURN(std::string key_id, Ed25519KeyId(*key, "public key"));
  return std::unique_ptr<Ed25519Verifier>(
      new Ed25519Verifier(std::move(key), std::move(key_id)));
}

absl::Status Ed25519Verifier::Verify(absl::string_view message,
                                     absl::string_view signature) const {
  if (signature.size() != 64) {
    return absl::UnauthenticatedError(
        absl::StrCat("signature is ", signature.size(), " bytes, expected 64"));
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr,
                                             nullptr, key_.get()) != 1) {
    return absl::InternalError(
        absl::StrCat("Ed25519 verify setup failed: ", TakeOpenSslError()));
  }
  const int result = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
      message.size());
  ERR_clear_error();
  if (result != 1) {
    return absl::UnauthenticatedError(
        absl::StrCat("signature does not verify with trusted key ", key_id_));
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
