// Unaligned big- and little-endian integer reads for the container parsers
// in decoders/. Callers check bounds first.
#ifndef CLEARMATCH_DECODERS_BYTE_ORDER_H_
#define CLEARMATCH_DECODERS_BYTE_ORDER_H_

#include <cstdint>

namespace clearmatch::decoders_internal {

inline uint32_t ReadBe16(const uint8_t* p) {
  return (uint32_t{p[0]} << 8) | p[1];
}
inline uint32_t ReadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | p[3];
}
inline uint32_t ReadLe16(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8);
}
inline uint32_t ReadLe24(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16);
}
inline uint32_t ReadLe32(const uint8_t* p) {
  return ReadLe24(p) | (uint32_t{p[3]} << 24);
}

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_BYTE_ORDER_H_
