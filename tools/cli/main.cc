#include "tools/cli/cli.h"

int main(int argc, char** argv) { return meshfwd::cli::run(argc, argv); }
