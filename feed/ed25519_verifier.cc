// Ed25519 signature verification through OpenSSL EVP.
#include "feed/ed25519_verifier.h"

#include <openssl/pem.h>

#include "absl/strings/str_cat.h"

namespace clearmatch {

using feed_internal::BioPtr;
using feed_internal::EvpMdCtxPtr;
using feed_internal::EvpPkeyPtr;
using feed_internal::TakeOpenSslError;

absl::StatusOr<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::Create(
    absl::string_view public_pem) {
  BioPtr bio(
      BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())));
  EvpPkeyPtr key(bio == nullptr ? nullptr
                                : PEM_read_bio_PUBKEY(bio.get(), nullptr,
                                                      nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM public key (", TakeOpenSslError(), ")"));
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(absl::StrCat(
        "public key is of type ", OBJ_nid2sn(EVP_PKEY_get_id(key.get())),
        ", expected ED25519"));
  }
  absl::StatusOr<std::string> key_id = feed_internal::Ed25519KeyId(key.get());
  if (!key_id.ok()) return key_id.status();
  return std::unique_ptr<Ed25519Verifier>(
      new Ed25519Verifier(std::move(key), *std::move(key_id)));
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
