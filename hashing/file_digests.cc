#include "hashing/file_digests.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/hex.h"

namespace clearmatch {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

}  // namespace

absl::StatusOr<FileDigests> ComputeFileDigests(
    absl::Span<const uint8_t> bytes) {
  struct Job {
    const EVP_MD* md;
    std::string* out;
    const char* name;
  };
  FileDigests digests;
  const Job jobs[] = {{EVP_md5(), &digests.md5, "MD5"},
                      {EVP_sha1(), &digests.sha1, "SHA-1"},
                      {EVP_sha256(), &digests.sha256, "SHA-256"}};
  MdCtx ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return absl::InternalError("EVP_MD_CTX_new failed");
  for (const Job& job : jobs) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (job.md == nullptr ||
        EVP_DigestInit_ex(ctx.get(), job.md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
      return absl::InternalError(
          absl::StrCat("OpenSSL could not compute ", job.name));
    }
    *job.out = BytesToHex(
        std::string_view(reinterpret_cast<const char*>(digest), length));
  }
  return digests;
}

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1) {
    std::abort();
  }
  return BytesToHex(
      std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace clearmatch
