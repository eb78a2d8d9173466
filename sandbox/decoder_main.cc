// clearmatch-decoder: decodes and hashes media for clearmatchd inside a
// sandbox (sandbox/decoder_main_loop.h). Not for running by hand.
#include "sandbox/decoder_main_loop.h"

int main(int argc, char** argv) {
  return clearmatch::sandbox::RunDecoderMain(argc, argv, {});
}
