#include "tools/cli/cli.h"

#include <cstdio>

namespace meshfwd::cli {
int run(int, char**) {
  std::puts("meshfwd 0.1.0");
  return 0;
}
}  // namespace meshfwd::cli
