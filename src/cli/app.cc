#include "cli/app.h"

#include <cstdio>

#include "kiln/version.h"

namespace kiln::cli {

int Main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::printf("kiln %s\n", kVersion);
  return 0;
}

}  // namespace kiln::cli
